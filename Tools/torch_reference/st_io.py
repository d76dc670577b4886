"""Tensor file I/O for the torch reference: a tiny safetensors reader and writer (the `safetensors`
package is not installed here and is not needed) and the generator-weight loader (.pth via torch.load,
.safetensors via the reader). Every error names the file and the tensor or byte offset. Floats are read as
float32 and U8 tensors (images, masks) as torch.uint8; the writer writes float32 (or float16 on request) and
uint8 tensors as U8."""

from __future__ import annotations

import json
import math
import os
import struct
import tempfile
from collections import OrderedDict

import numpy as np
import torch

_DTYPES = {"F32": (np.float32, 4), "F16": (np.float16, 2), "BF16": (None, 2), "F64": (np.float64, 8),
           "U8": (np.uint8, 1)}


class TensorFileError(Exception):
    """A tensor file that cannot be read as what it claims to be."""


def read_safetensors(path: str) -> tuple["OrderedDict[str, torch.Tensor]", dict]:
    """Reads every tensor of a safetensors file as float32 (F16/BF16/F64 converted), U8 as torch.uint8, in
    header order. Returns (tensors, metadata)."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise TensorFileError(f"{path}: cannot read ({e.strerror})") from e
    if len(blob) < 8:
        raise TensorFileError(f"{path}: truncated: {len(blob)} bytes, no 8-byte header length")
    (header_len,) = struct.unpack("<Q", blob[:8])
    if header_len > len(blob) - 8:
        raise TensorFileError(
            f"{path}: header length {header_len} at offset 0 runs past the end of the file ({len(blob)} bytes)")
    try:
        header = json.loads(blob[8:8 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise TensorFileError(f"{path}: header at offset 8 is not UTF-8 JSON ({e})") from e
    if not isinstance(header, dict):
        raise TensorFileError(f"{path}: header at offset 8 is not a JSON object")
    data = memoryview(blob)[8 + header_len:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    for name, info in header.items():
        for field in ("dtype", "shape", "data_offsets"):
            if not isinstance(info, dict) or field not in info:
                raise TensorFileError(f"{path}: tensor {name!r}: header entry has no {field!r}")
        dtype = info["dtype"]
        if dtype not in _DTYPES:
            raise TensorFileError(f"{path}: tensor {name!r}: unsupported dtype {dtype!r}")
        shape = [int(s) for s in info["shape"]]
        begin, end = (int(v) for v in info["data_offsets"])
        np_dtype, size = _DTYPES[dtype]
        count = math.prod(shape)
        if not (0 <= begin <= end <= len(data)):
            raise TensorFileError(
                f"{path}: tensor {name!r}: data_offsets [{begin}, {end}) outside the data region "
                f"of {len(data)} bytes (file truncated?)")
        if end - begin != count * size:
            raise TensorFileError(
                f"{path}: tensor {name!r}: {end - begin} bytes for shape {shape} of {dtype} "
                f"(expected {count * size})")
        raw = data[begin:end]
        if dtype == "BF16":
            bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = bits.view(np.float32)
        elif dtype == "U8":
            arr = np.frombuffer(raw, dtype=np.uint8)
        else:
            arr = np.frombuffer(raw, dtype=np.dtype(np_dtype).newbyteorder("<")).astype(np.float32)
        tensors[name] = torch.from_numpy(arr.copy()).reshape(shape)
    return tensors, metadata


def write_safetensors(path: str, tensors: "dict[str, torch.Tensor]", metadata: dict | None = None,
                      float_dtype: str = "F32") -> None:
    """Writes tensors (C order) to `path` atomically (temp file in the same folder, then rename): torch.uint8
    tensors as U8, every other tensor as float32, or as float16 with float_dtype="F16"."""
    if float_dtype not in ("F32", "F16"):
        raise ValueError(f"float_dtype must be 'F32' or 'F16', not {float_dtype!r}")
    header: dict = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    arrays = []
    for name, t in tensors.items():
        if t.dtype == torch.uint8:
            dtype, arr = "U8", np.ascontiguousarray(t.detach().cpu().numpy())
        elif float_dtype == "F16":
            dtype, arr = "F16", np.ascontiguousarray(t.detach().to(torch.float16).cpu().numpy()).astype("<f2", copy=False)
        else:
            dtype, arr = "F32", np.ascontiguousarray(t.detach().to(torch.float32).cpu().numpy()).astype("<f4", copy=False)
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
        arrays.append(arr)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((-len(raw)) % 8)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".safetensors", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(raw)))
            f.write(raw)
            for arr in arrays:
                f.write(arr.tobytes())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_weights(path: str) -> "OrderedDict[str, torch.Tensor]":
    """Loads a generator state_dict from `.pth`/`.pt` (torch.save zip checkpoint) or `.safetensors`,
    as float32 tensors with the official key names."""
    if path.endswith(".safetensors"):
        sd, _ = read_safetensors(path)
        return sd
    if not os.path.exists(path):
        raise TensorFileError(f"{path}: no such file")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types for a non-checkpoint
        raise TensorFileError(f"{path}: not a PyTorch checkpoint ({type(e).__name__}: {e})") from e
    if not isinstance(obj, dict):
        raise TensorFileError(f"{path}: checkpoint holds a {type(obj).__name__}, not a state_dict")
    out: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    for name, t in obj.items():
        if not isinstance(t, torch.Tensor):
            raise TensorFileError(f"{path}: entry {name!r} is a {type(t).__name__}, not a tensor")
        out[name] = t.detach().to(torch.float32).contiguous()
    return out
