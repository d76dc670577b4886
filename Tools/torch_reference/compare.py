#!/usr/bin/env python3
"""Element-wise comparison of generator tensors with the parity criterion |got - expected| <= 1e-3 +
1e-4·|expected| (max |Δ| and NMSE per tensor). As a command it compares the tensors two safetensors files
have in common, e.g. the Swift `posestudio debug generator` output against `torch_generate.py`'s:

    python3 Tools/torch_reference/compare.py GOT.safetensors EXPECTED.safetensors
"""

from __future__ import annotations

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_io import TensorFileError, read_safetensors  # noqa: E402

ATOL, RTOL = 1e-3, 1e-4


def compare(name: str, got: torch.Tensor, want: torch.Tensor) -> tuple[bool, str]:
    """(within tolerance, one report line)."""
    if tuple(got.shape) != tuple(want.shape):
        return False, f"  FAIL {name:28s} shape {tuple(got.shape)} != expected {tuple(want.shape)}"
    g, e = got.double(), want.double()
    diff = (g - e).abs()
    if not bool(torch.isfinite(g).all()):
        return False, f"  FAIL {name:28s} has non-finite values"
    nmse = float(((g - e) ** 2).sum() / max(float((e ** 2).sum()), 1e-30))
    ok = bool((diff <= ATOL + RTOL * e.abs()).all())
    return ok, (f"  {'ok  ' if ok else 'FAIL'} {name:28s} max|Δ| {float(diff.max()):.3e}  NMSE {nmse:.3e}"
                f"  (max |expected| {float(e.abs().max()):.3g})")


def compare_files(got_path: str, want_path: str) -> tuple[int, int]:
    got, _ = read_safetensors(got_path)
    want, _ = read_safetensors(want_path)
    common = [k for k in want if k in got]
    if not common:
        print(f"  FAIL no tensor name in common between {got_path} and {want_path}")
        return 0, 1
    passed = failed = 0
    for name in common:
        ok, line = compare(name, got[name], want[name])
        print(line)
        passed += ok
        failed += not ok
    return passed, failed


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        passed, failed = compare_files(sys.argv[1], sys.argv[2])
    except TensorFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"compare: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
