#!/usr/bin/env python3
"""The torch reference with the command-line contract of `posestudio debug generator`: runs every window of
the inputs (P_ref, wK.BP, wK.flow_frames, wK.flow_pre, wK.flow_post; state carried from window K to K+1) and
writes every result under the fixture's names (wK.out, wK.rgb_pre_tanh, …, wK.carry.*) to --out (atomically).

    python3 Tools/torch_reference/torch_generate.py --weights W --inputs I --out O [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bdmm_reference import BDMMGenerator, WeightError  # noqa: E402
from st_io import TensorFileError, load_weights, read_safetensors, write_safetensors  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(max(args.threads, 1))
    try:
        gen = BDMMGenerator(load_weights(args.weights))
        inputs, meta = read_safetensors(args.inputs)
        results = gen.run_video(inputs)
        write_safetensors(args.out, results, {**meta, "producer": f"torch reference, torch {torch.__version__}"})
    except (TensorFileError, WeightError, KeyError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {len(results)} tensors to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
