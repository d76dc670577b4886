#!/usr/bin/env python3
"""Parity check of the torch reference against the BDMM fixtures: runs the generator on
Tests/Fixtures/bdmm and Tests/Fixtures/bdmm-2windows, with the weights loaded from the .pth and from the
.safetensors, and compares every tensor of expected.safetensors (max |Δ|, NMSE per tensor). Fails (exit 1)
unless |got - expected| <= 1e-3 + 1e-4·|expected| everywhere and every expected tensor was computed.

    python3 Tools/torch_reference/check_parity.py [--fixtures Tests/Fixtures] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bdmm_reference import BDMMGenerator, WeightError  # noqa: E402
from compare import ATOL, RTOL, compare  # noqa: E402
from st_io import TensorFileError, load_weights, read_safetensors  # noqa: E402

FIXTURES = ("bdmm", "bdmm-2windows")
WEIGHT_FILES = ("generator_state_dict.pth", "generator_state_dict.safetensors")


def check_fixture(folder: str) -> tuple[int, int]:
    inputs, meta = read_safetensors(os.path.join(folder, "inputs.safetensors"))
    expected, _ = read_safetensors(os.path.join(folder, "expected.safetensors"))
    passed = failed = 0
    for wfile in WEIGHT_FILES:
        print(f"{os.path.basename(folder)} (windows {meta.get('windows', '?')}, "
              f"{meta.get('H', '?')}x{meta.get('W', '?')}), weights {wfile}:")
        gen = BDMMGenerator(load_weights(os.path.join(folder, wfile)))
        got = gen.run_video(inputs)
        for name, want in expected.items():
            if name not in got:
                print(f"  FAIL {name:28s} not computed")
                failed += 1
                continue
            ok, line = compare(name, got[name], want)
            print(line)
            passed += ok
            failed += not ok
        for name in sorted(set(got) - set(expected)):
            print(f"  note {name:28s} computed but not in expected.safetensors")
    return passed, failed


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixtures", default=os.path.join(here, "..", "..", "Tests", "Fixtures"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    passed = failed = 0
    try:
        for fx in FIXTURES:
            p, f = check_fixture(os.path.join(args.fixtures, fx))
            passed += p
            failed += f
    except (TensorFileError, WeightError, KeyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"parity: {passed} passed, {failed} failed (tolerance |Δ| <= {ATOL:g} + {RTOL:g}·|expected|)")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
