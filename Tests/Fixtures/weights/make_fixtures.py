"""Generates the small weight-reader fixtures in this folder (documentation: the Swift tests
never run Python). Deterministic: run it again and the files come out byte-identical except
that torch.save zips carry a random serialization id.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch==2.13.0+cpu numpy scipy
    cd Tests/Fixtures/weights && /tmp/venv/bin/python make_fixtures.py

Value formulas are repeated in Tests/TensorEngineTests/WeightsNumPyTests.swift and
WeightsTorchTests.swift; change both together.
"""
import io
import json
import pickle
import struct
import sys
import types
import zipfile

import numpy as np
import scipy.sparse as sp
import torch


def pattern(n):
    """n values (i*37 mod 101)/8 - 6: exact in float16 and bfloat16, distinct enough to catch reordering."""
    i = np.arange(n, dtype=np.int64)
    return ((i * 37) % 101) / 8.0 - 6.0


def int_pattern(n):
    i = np.arange(n, dtype=np.int64)
    return (i * 7919) % 2001 - 1000


def write_safetensors(path, tensors):
    """Minimal F32 safetensors writer (sorted names), independent of the Swift writer under test."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


# --- PyTorch checkpoints: dtypes, views, formats -------------------------------------------------
base = torch.tensor(pattern(4 * 6), dtype=torch.float32).reshape(4, 6)
state = {
    "f32": base.clone(),
    "f16": base.to(torch.float16),
    "bf16": base.to(torch.bfloat16),
    "f64": base.to(torch.float64) / 3.0,
    "i64": torch.tensor(int_pattern(5), dtype=torch.int64),
    "bool": torch.tensor([True, False, True]),
    "scalar": torch.tensor(2.5),
    "empty": torch.zeros(0, 3),
    "transposed": base.t(),                    # views of `base`: one shared storage, strides (1, 6)
    "sliced": base[1:, ::2],                   # storage offset 6, strides (6, 2)
    "expanded": base[2:3, :].expand(3, 6),     # stride 0 on the first axis
    "half_view": base.to(torch.float16).t()[1:4],   # float16 view with offset 1, strides (1, 6)
}
ordered = dict(state)
torch.save(ordered, "dtypes.pth")
torch.save(ordered, "dtypes_protocol4.pth", pickle_protocol=4)
torch.save(ordered, "dtypes_legacy.pth", _use_new_zipfile_serialization=False)
write_safetensors("dtypes_expected.safetensors", {k: v.to(torch.float32).contiguous().numpy() for k, v in state.items()})

# A nested checkpoint ({"model": state_dict, "epoch": 3}) and a parameter dict.
torch.save({"model": {"w": base[:2].clone(), "b": torch.ones(2)}, "epoch": 3, "name": "run"}, "nested.pth")
linear = torch.nn.Linear(3, 2)
with torch.no_grad():
    linear.weight.copy_(torch.tensor(pattern(6), dtype=torch.float32).reshape(2, 3))
    linear.bias.copy_(torch.tensor([0.5, -0.5]))
torch.save(dict(linear.named_parameters()), "parameters.pth")   # nn.Parameter values (_rebuild_parameter)


# --- Bad checkpoints -------------------------------------------------------------------------------
class NotATensor:
    pass


NotATensor.__module__ = "evil_module"
sys.modules["evil_module"] = types.ModuleType("evil_module")
sys.modules["evil_module"].NotATensor = NotATensor
torch.save({"w": base.clone(), "payload": NotATensor()}, "unknown_global.pth")

# Storage 0 cut short: rewrite the zip with data/0 truncated to 40 bytes.
with zipfile.ZipFile("dtypes.pth") as source, zipfile.ZipFile("short_storage.pth", "w", zipfile.ZIP_STORED) as target:
    for info in source.infolist():
        data = source.read(info.filename)
        if info.filename.endswith("/data/0"):
            data = data[:40]
        target.writestr(info.filename, data)

with zipfile.ZipFile("no_pickle.zip", "w", zipfile.ZIP_STORED) as target:
    target.writestr("archive/data/0", b"\0" * 16)
    target.writestr("archive/version", b"3\n")

# The same checkpoint with deflated entries (torch never compresses, but other zip tools may).
with zipfile.ZipFile("dtypes.pth") as source, zipfile.ZipFile("deflated.pth", "w", zipfile.ZIP_DEFLATED) as target:
    for info in source.infolist():
        target.writestr(info.filename, source.read(info.filename))


# --- NumPy ---------------------------------------------------------------------------------------
def save_npy(name, array, version=None):
    with open(name, "wb") as f:
        np.lib.format.write_array(f, array, version=version)


save_npy("f4_c.npy", pattern(12).astype("<f4").reshape(3, 4))
save_npy("f8_fortran.npy", np.asfortranarray(pattern(24).astype("<f8").reshape(2, 3, 4)))
save_npy("f2.npy", pattern(5).astype("<f2"))
save_npy("i8.npy", int_pattern(7).astype("<i8"))
save_npy("i4_big.npy", int_pattern(6).astype(">i4").reshape(2, 3))
save_npy("u4.npy", (int_pattern(4) + 1000).astype("<u4"))
save_npy("u1.npy", np.arange(10, dtype="|u1"))
save_npy("b1.npy", np.array([True, False, False, True]))
save_npy("scalar.npy", np.float64(-1.25))
save_npy("v2.npy", pattern(6).astype("<f4").reshape(2, 3), version=(2, 0))
save_npy("v3.npy", pattern(6).astype("<f4").reshape(3, 2), version=(3, 0))
npz_arrays = {"weights": pattern(12).astype("<f4").reshape(3, 4), "faces": int_pattern(9).astype("<i4").reshape(3, 3),
              "mask": np.array([True, False])}
np.savez("arrays.npz", **npz_arrays)
np.savez_compressed("arrays_compressed.npz", **npz_arrays, big=pattern(5000).astype("<f8"))


# --- Pickled NumPy arrays: a Python-2-style SMPL-like file and Python 3 protocols 2 and 5 -----
class Py2Pickler(pickle._Pickler):
    """Writes every str and bytes as a Python 2 str (SHORT_BINSTRING / BINSTRING), as Python 2's
    cPickle did for SMPL's .pkl files."""

    def save_py2_str(self, obj):
        data = obj.encode("latin-1") if isinstance(obj, str) else obj
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch = dict(pickle._Pickler.dispatch)
    dispatch[str] = save_py2_str
    dispatch[bytes] = save_py2_str


chumpy = types.ModuleType("chumpy")
chumpy_ch = types.ModuleType("chumpy.ch")
sys.modules["chumpy"], sys.modules["chumpy.ch"] = chumpy, chumpy_ch


class Ch:  # stands in for chumpy.ch.Ch: an object whose state dict holds the array under 'x'
    def __init__(self, x):
        self.x = x


Ch.__module__, Ch.__qualname__ = "chumpy.ch", "Ch"
chumpy_ch.Ch = Ch

smpl_like = {
    "v_template": pattern(12).reshape(4, 3),                                   # float64, C order
    "shapedirs": Ch(np.asfortranarray(pattern(24).reshape(4, 3, 2))),          # chumpy object, Fortran order
    "f": int_pattern(6).astype(np.uint32).reshape(2, 3) + 1000,                # uint32 faces
    "kintree_table": np.array([[4294967295, 0, 1], [0, 1, 2]], dtype=np.int64),
    "J_regressor": sp.csc_matrix(np.array([[0.5, 0, 0.5, 0], [0, 1.0, 0, 0]])),  # scipy sparse
    "bs_style": "lbs",
    "weights": pattern(8).astype(np.float32).reshape(4, 2),
}
buffer = io.BytesIO()
Py2Pickler(buffer, protocol=2).dump(smpl_like)
data = buffer.getvalue()
for new, old in [(b"numpy.core.multiarray\n", b"numpy._core.multiarray\n"), (b"scipy.sparse.csc\n", b"scipy.sparse._csc\n")]:
    data = data.replace(b"c" + old, b"c" + new)
with open("smpl_like_py2.pkl", "wb") as f:
    f.write(data)

plain = {"a": pattern(6).reshape(2, 3), "b": np.asfortranarray(int_pattern(6).astype("<i2").reshape(3, 2)),
         "c": pattern(4).astype(">f4"), "s": np.float32(0.75)}
with open("arrays_protocol2.pkl", "wb") as f:
    pickle.dump(plain, f, protocol=2)    # Python 3, protocol 2: bytes spelled _codecs.encode(…, 'latin1')
with open("arrays_protocol5.pkl", "wb") as f:
    pickle.dump(plain, f, protocol=5)    # protocol 5: numpy._core.numeric._frombuffer, FRAME, MEMOIZE
print("fixtures written")
