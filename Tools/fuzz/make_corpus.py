#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: Tests/Fuzz/<target>/corpus/ (make fuzz).

Small real files of each format, made by the tools that make them in the wild (pickle, numpy,
zipfile, zlib, torch.save, ffmpeg, posestudio itself) plus files from the repository (the demo's
OpenPose JSON, the themes). Run from the repository root with torch, numpy and scipy installed and
the release binary built (`swift build -c release --product posestudio`); the corpora are committed,
so this only runs again when a format gains a case worth seeding.
"""
import collections
import io
import json
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FUZZ = os.path.join(ROOT, "Tests", "Fuzz")
BIN = os.path.join(ROOT, ".build", "release", "posestudio")


def corpus(target):
    path = os.path.join(FUZZ, target, "corpus")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def put(target_dir, name, data):
    with open(os.path.join(target_dir, name), "wb") as f:
        f.write(data)


def safetensors(tensors, metadata=None):
    """The safetensors layout: u64 header length, JSON header, then the data."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, array in tensors.items():
        dtype = {"float32": "F32", "float16": "F16", "uint8": "U8", "int64": "I64", "float64": "F64"}[str(array.dtype)]
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def npz(arrays, compressed):
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def torch_save(state, zipped):
    import torch
    buffer = io.BytesIO()
    torch.save(state, buffer, _use_new_zipfile_serialization=zipped)
    return buffer.getvalue()


def small_state():
    import torch
    g = torch.Generator().manual_seed(1)
    return collections.OrderedDict([
        ("conv.weight", torch.randn(2, 1, 3, 3, generator=g)),
        ("conv.bias", torch.randn(2, generator=g)),
        ("norm.weight", torch.randn(4, generator=g).half()),
        ("steps", torch.tensor(7)),
        ("view", torch.randn(4, 3, generator=g).t()),       # a strided view
    ])


def smpl_arrays(vertices=4, dtype=np.float64):
    rng = np.random.default_rng(1)
    parents = np.array([[4294967295, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21],
                        list(range(24))], dtype=np.int64)
    return {
        "v_template": rng.normal(size=(vertices, 3)).astype(dtype),
        "f": np.array([[0, 1, 2], [0, 2, 3]], dtype=np.uint32),
        "shapedirs": rng.normal(size=(vertices, 3, 10)).astype(dtype),
        "posedirs": rng.normal(size=(vertices, 3, 207)).astype(np.float32),
        "J_regressor": np.full((24, vertices), 1.0 / vertices, dtype=dtype),
        "weights": np.full((vertices, 24), 1.0 / 24, dtype=dtype),
        "kintree_table": parents,
    }


def weights():
    out = corpus("torch-checkpoint")
    put(out, "zip.pth", torch_save(small_state(), True))
    put(out, "legacy.pth", torch_save(small_state(), False))
    put(out, "nested.pth", torch_save({"epoch": 3, "state_dict": small_state()}, True))
    put(out, "weights.safetensors", safetensors({"a.weight": np.arange(6, dtype=np.float32).reshape(2, 3),
                                                 "b.bias": np.ones(3, dtype=np.float16)}))
    put(out, "weights.npz", npz({"a": np.arange(4, dtype=np.float32)}, compressed=True))

    out = corpus("pickle")
    value = {"name": "model", "list": [1, 2.5, None, True, "x" * 3], "tuple": (b"bytes", 2 ** 70, -3),
             "set": {1, 2}, "nested": {"a": [[1], [2, [3]]]}, "ordered": collections.OrderedDict(a=1)}
    for protocol in range(0, 6):
        put(out, f"protocol{protocol}.pkl", pickle.dumps(value, protocol=protocol))
    put(out, "array.pkl", pickle.dumps(np.arange(6, dtype=np.float32).reshape(2, 3), protocol=2))
    put(out, "state.pkl", torch_save(small_state(), False)[:4096])

    out = corpus("zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("stored.txt"), b"stored bytes " * 20)
        z.writestr(zipfile.ZipInfo("deflated.txt"), b"deflated bytes " * 40, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("dir/empty"), b"")
    put(out, "mixed.zip", buffer.getvalue())
    put(out, "savez_compressed.npz", npz({"x": np.arange(64, dtype=np.float64), "y": np.eye(3)}, compressed=True))
    put(out, "checkpoint.pth", torch_save(small_state(), True))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", allowZip64=True) as z:
        with z.open("forced64.bin", "w", force_zip64=True) as f:
            f.write(b"zip64 " * 30)
    put(out, "zip64.zip", buffer.getvalue())

    out = corpus("inflate")
    for level, text in [(1, b"abc" * 100), (9, bytes(range(256)) * 4), (6, b"posestudio " * 50 + bytes(range(200)))]:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        stream = compressor.compress(text) + compressor.flush()
        put(out, f"level{level}.deflate", struct.pack("<I", len(text))[:3] + stream)
    compressor = zlib.compressobj(0, zlib.DEFLATED, -15)
    put(out, "stored.deflate", struct.pack("<I", 300)[:3] + compressor.compress(bytes(300)) + compressor.flush())
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_FIXED)
    put(out, "fixed.deflate", struct.pack("<I", 120)[:3] + compressor.compress(b"fixed codes " * 10) + compressor.flush())

    out = corpus("safetensors")
    rng = np.random.default_rng(2)
    put(out, "mixed.safetensors", safetensors({"f32": rng.normal(size=(2, 3)).astype(np.float32),
                                               "f16": np.ones((4,), np.float16), "u8": np.arange(5, dtype=np.uint8),
                                               "scalar": np.array(3.0, np.float32)}, {"format": "pt"}))
    scene = {"verts_src": rng.normal(size=(4, 3)).astype(np.float32), "verts_tgt": rng.normal(size=(4, 3)).astype(np.float32),
             "faces": np.array([[0, 1, 2], [0, 2, 3]], np.float32),
             "cam_src": np.array([0.9, 0.0, 0.1], np.float32), "cam_tgt": np.array([1.0, 0.05, 0.0], np.float32)}
    put(out, "meshflow-scene.safetensors", safetensors(scene))
    put(out, "window-keys.safetensors", safetensors({"P_ref": np.zeros((1, 3, 8, 8), np.float32),
                                                     "w0.BP": np.zeros((1, 1, 25, 1, 1), np.float32)}))

    out = corpus("numpy")
    put(out, "f32.npy", npy(np.arange(6, dtype=np.float32).reshape(2, 3)))
    put(out, "f64-fortran.npy", npy(np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3))))
    put(out, "i64-big-endian.npy", npy(np.arange(4, dtype=">i8")))
    put(out, "u8.npy", npy(np.arange(10, dtype=np.uint8)))
    put(out, "bool.npy", npy(np.array([True, False])))
    put(out, "f16-scalar.npy", npy(np.array(1.5, np.float16)))
    put(out, "arrays.npz", npz({"a": np.arange(3, dtype=np.int32), "b": np.ones((2, 2), np.float32)}, compressed=False))
    put(out, "arrays-compressed.npz", npz({"c": np.arange(8, dtype=np.float64)}, compressed=True))

    out = corpus("smpl")
    put(out, "model-dict.pkl", pickle.dumps(smpl_arrays(), protocol=2))
    put(out, "model.npz", npz(smpl_arrays(), compressed=True))
    try:
        import scipy.sparse
        arrays = smpl_arrays()
        arrays["J_regressor"] = scipy.sparse.csc_matrix(arrays["J_regressor"])
        put(out, "model-sparse.pkl", pickle.dumps(arrays, protocol=2))
    except ImportError:
        print("scipy missing: no sparse SMPL seed", file=sys.stderr)


def window_cache():
    out = corpus("window-cache")
    rng = np.random.default_rng(3)
    tensors = {"out": rng.random((1, 2, 3, 4, 2)).astype(np.float32),
               "carry.style": rng.random((1, 4)).astype(np.float32),
               "carry.last_frame": rng.random((1, 3, 4, 2)).astype(np.float32),
               "carry.structure": rng.random((1, 2, 2, 1)).astype(np.float32),
               "carry.forward_quarter": rng.random((1, 2, 1, 1)).astype(np.float32),
               "carry.forward_half": rng.random((1, 2, 2, 1)).astype(np.float32)}
    put(out, "window.safetensors", safetensors(tensors))


def documents(scratch):
    demo = os.path.join(ROOT, "Projects", "pose2sim-demo", "cam01_keypoints")
    out = corpus("openpose-json")
    for name in sorted(os.listdir(demo))[:3]:
        shutil.copy(os.path.join(demo, name), out)
    put(out, "two-people.json", json.dumps({"version": 1.3, "people": [
        {"person_id": [-1], "pose_keypoints_2d": [10.5, 20, 0.9] * 25},
        {"person_id": [-1], "pose_keypoints_2d": [1, 2, 0.5] * 25, "face_keypoints_2d": []}]}).encode())
    put(out, "nobody.json", b'{"version":1.3,"people":[]}')

    out = corpus("bdmm-json")
    put(out, "keypoints-only.json", json.dumps({"pose_keypoints_2d": [100, 200, 0.8] * 25}).encode())
    put(out, "with-smpl.json", json.dumps({"pose_keypoints_2d": [100, 200, 0.8] * 25, "cam": [0.9, 0.01, 0.02],
                                            "pose_theta": [0.01] * 72, "shape_beta": [0.1] * 10,
                                            "bbox_xyxy": [1, 2, 300, 400]}).encode())

    out = corpus("theme")
    for name in sorted(os.listdir(os.path.join(ROOT, "Themes"))):
        shutil.copy(os.path.join(ROOT, "Themes", name), out)
    out = corpus("keymap")
    put(out, "keys.toml", b'[keys]\nnext-frame = ["l", "Right"]\nundo = "Ctrl-Z"\nplay-pause = "Space"\n')
    put(out, "bad.toml", b'speed = 3\n[keys]\nno-such-command = "x"\nnudge-up = ["F5", "Shift-Tab"]\n')

    # A project small enough to fuzz: 3 frames, a tiny source image, a journal and settings.
    out = corpus("project")
    poses = os.path.join(scratch, "poses")
    os.makedirs(poses)
    for frame in range(3):
        shutil.copy(os.path.join(demo, "cam01_%012d_keypoints.json" % frame), poses)
    image = os.path.join(scratch, "tiny.png")
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=gray:s=8x16", "-frames:v", "1", image], check=True)
    project = os.path.join(scratch, "seed.bdmm")
    run = lambda *args: subprocess.run([BIN, *args], check=True, stdout=subprocess.DEVNULL)
    run("new", project, "--image", image, "--poses", poses, "--fps", "30")
    run("edit", project, "--frame", "1", "--joint", "RWrist", "--by", "3,-2")
    run("swap", project, "--frames", "0:2")
    run("undo", project)
    run("config", project, "render.size", "256x128")
    small = os.path.join(scratch, "small.bdmm")
    subprocess.run(["sqlite3", project, f"PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM INTO '{small}'"],
                   check=True, stdout=subprocess.DEVNULL)
    shutil.copy(small, os.path.join(out, "three-frames.bdmm"))


def media(scratch):
    out = corpus("image")
    for name, fmt, ext in [("rgb", "rgb24", "png"), ("grey", "gray", "png"), ("rgba", "rgba", "png"), ("pal", "pal8", "png"),
                           ("rgb48", "rgb48be", "png"), ("yuvj420", "yuvj420p", "jpg"), ("yuvj444", "yuvj444p", "jpg")]:
        path = os.path.join(out, f"{name}.{ext}")
        subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=s=12x10", "-frames:v", "1", "-pix_fmt", fmt, path], check=True)

    out = corpus("video")
    for name, args in [("h264.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "ultrafast"]),
                       ("mpeg4.avi", ["-c:v", "mpeg4"]), ("mjpeg.mkv", ["-c:v", "mjpeg", "-pix_fmt", "yuvj420p"]),
                       ("png.mov", ["-c:v", "png"])]:
        subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=s=16x16:r=10", "-frames:v", "3", *args,
                        os.path.join(out, name)], check=True)


def main():
    with tempfile.TemporaryDirectory() as scratch:
        weights()
        window_cache()
        documents(scratch)
        media(scratch)
    for target in sorted(os.listdir(FUZZ)):
        seeds = os.path.join(FUZZ, target, "corpus")
        if os.path.isdir(seeds):
            sizes = [os.path.getsize(os.path.join(seeds, f)) for f in os.listdir(seeds)]
            print(f"{target:18} {len(sizes):2} seeds, largest {max(sizes)} bytes")


if __name__ == "__main__":
    main()
