#!/usr/bin/env python3
"""Times the torch reference generator on given weight and input files, with the command-line contract of
`posestudio bench render` (--weights W --inputs I --threads T --json), so bench.py measures both engines the
same way: a fresh process that loads the files, one warm-up pass over every window, then the median of --runs
passes, in seconds per output frame. With --json it prints one JSON object: seconds_per_frame, gmac_per_s,
peak_rss_mb (this process) and the extras runs_seconds_per_frame, gmac_per_frame, frames, out_std,
out_saturated. It also serves as a stand-in for the Swift benchmark
(`bench.py --swift-cmd "python3 …/torch_bench.py"`)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bdmm_reference import BDMMGenerator, WeightError, window_indices  # noqa: E402
from cost import video_macs  # noqa: E402
from st_io import TensorFileError, load_weights, read_safetensors  # noqa: E402


def time_torch(weights_path: str, inputs_path: str, threads: int, runs: int) -> dict:
    torch.set_num_threads(threads)
    gen = BDMMGenerator(load_weights(weights_path))
    inputs, _ = read_safetensors(inputs_path)
    ks = window_indices(inputs)
    sizes = [inputs[f"w{k}.BP"].shape[1] for k in ks]
    frames = sum(sizes)
    h, w = inputs["P_ref"].shape[2:]
    out = gen.run_video(inputs, collect=False)   # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        gen.run_video(inputs, collect=False)
        times.append((time.perf_counter() - start) / frames)
    frames_out = torch.cat([out[f"w{k}.out"] for k in ks], 1)
    seconds = statistics.median(times)
    gmac_per_frame = video_macs(gen.sd, h, w, sizes) / frames / 1e9
    return {"seconds_per_frame": seconds, "gmac_per_s": gmac_per_frame / seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
            "runs_seconds_per_frame": times, "gmac_per_frame": gmac_per_frame, "frames": frames,
            "out_std": float(frames_out.std()), "out_saturated": float((frames_out.abs() > 0.99).float().mean())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.threads < 1 or args.runs < 1:
        ap.error("--threads and --runs must be positive")
    try:
        t = time_torch(args.weights, args.inputs, args.threads, args.runs)
    except (TensorFileError, WeightError, KeyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(t))
    else:
        print(f"{t['seconds_per_frame']:.3f} s/frame, {t['gmac_per_s']:.1f} GMAC/s "
              f"({t['gmac_per_frame']:.2f} GMAC/frame), peak RSS {t['peak_rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
