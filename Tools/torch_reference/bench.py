#!/usr/bin/env python3
"""`make bench-render`: races the torch reference against the Swift generator on the same files.

Generates full-width random well-scaled weights (official key names and shapes, spec §7) and inputs for
--frames frames at --size as windows of --window (fixture key layout: P_ref, w0.BP, w0.flow_frames,
w0.flow_pre, w0.flow_post, w1.…), saves both as safetensors in a temp dir, times the torch generator on them
(torch.set_num_threads(T), one warm-up, median of --runs runs, seconds per output frame), then runs

    <swift-cmd> --weights W.safetensors --inputs I.safetensors --threads T --json

(default swift-cmd: `.build/release/posestudio bench render`; override with --swift-cmd or the environment
variable BENCH_SWIFT_CMD), which prints {"seconds_per_frame": …, "gmac_per_s": …, "peak_rss_mb": …}.
The last line printed is `ratio torch/swift = R`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bdmm_reference import BDMMGenerator, window_indices  # noqa: E402
from cost import video_macs  # noqa: E402
from st_io import load_weights, read_safetensors, write_safetensors  # noqa: E402
from synthetic import random_weights, synthetic_video, window_inputs  # noqa: E402

DEFAULT_SWIFT = os.path.join(HERE, "..", "..", ".build", "release", "posestudio") + " bench render"
SWIFT_FIELDS = ("seconds_per_frame", "gmac_per_s", "peak_rss_mb")


class BenchError(Exception):
    pass


def parse_size(text: str) -> tuple[int, int]:
    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--size {text!r}: expected HxW, e.g. 256x256") from None
    if h % 8 or w % 8 or h < 128 or w < 64:
        raise argparse.ArgumentTypeError(f"--size {text!r}: H and W must be multiples of 8, at least 128x64")
    return h, w


def make_files(folder: str, size: tuple[int, int], frames: int, window: int, seed: int) -> tuple[str, str]:
    weights_path = os.path.join(folder, "weights.safetensors")
    inputs_path = os.path.join(folder, "inputs.safetensors")
    h, w = size
    write_safetensors(weights_path, random_weights(seed),
                      {"model": "BDMM generator, full width, random well-scaled weights", "seed": seed})
    inputs = window_inputs(synthetic_video(h, w, frames, seed), window)
    sizes = [inputs[f"w{k}.BP"].shape[1] for k in window_indices(inputs)]
    write_safetensors(inputs_path, inputs, {"seed": seed, "H": h, "W": w,
                                            "windows": ",".join(str(n) for n in sizes)})
    return weights_path, inputs_path


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
    macs = video_macs(gen.sd, h, w, sizes)
    return {"seconds_per_frame": seconds, "all": times, "gmac_per_frame": macs / frames / 1e9,
            "gmac_per_s": macs / frames / 1e9 / seconds, "frames": frames, "size": (h, w), "windows": sizes,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
            "out_std": float(frames_out.std()), "out_saturated": float((frames_out.abs() > 0.99).float().mean())}


def run_swift(cmd: str, weights_path: str, inputs_path: str, threads: int) -> dict:
    argv = shlex.split(cmd) + ["--weights", weights_path, "--inputs", inputs_path, "--threads", str(threads), "--json"]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True)
    except OSError as e:
        raise BenchError(f"swift benchmark: cannot run {argv[0]!r} ({e.strerror}); build it with "
                         "`swift build -c release --product posestudio` or pass --swift-cmd") from e
    if proc.returncode != 0:
        raise BenchError(f"swift benchmark: `{shlex.join(argv)}` exited {proc.returncode}:\n{proc.stderr.strip()}")
    for line in reversed(proc.stdout.strip().splitlines()):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            missing = [f for f in SWIFT_FIELDS if not isinstance(obj.get(f), (int, float))]
            if missing:
                raise BenchError(f"swift benchmark: JSON output lacks numeric field(s) {', '.join(missing)}: {line}")
            if obj["seconds_per_frame"] <= 0:
                raise BenchError(f"swift benchmark: seconds_per_frame must be positive: {line}")
            return obj
    raise BenchError(f"swift benchmark: no JSON object on stdout of `{shlex.join(argv)}`:\n{proc.stdout.strip()}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--size", type=parse_size, default=(256, 256), help="HxW (default 256x256)")
    ap.add_argument("--frames", type=int, default=12)
    ap.add_argument("--window", type=int, default=6)
    ap.add_argument("--runs", type=int, default=3, help="timed torch runs after one warm-up (median reported)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="alternate torch and Swift this many times; medians over all rounds (noisy machines)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--swift-cmd", default=os.environ.get("BENCH_SWIFT_CMD", DEFAULT_SWIFT),
                    help="command prefix of the Swift benchmark (env BENCH_SWIFT_CMD)")
    ap.add_argument("--keep", metavar="DIR", help="write the weights and inputs into DIR and keep them")
    args = ap.parse_args()
    if args.threads < 1 or args.frames < 1 or args.window < 1 or args.runs < 1 or args.rounds < 1:
        ap.error("--threads, --frames, --window, --runs and --rounds must be positive")

    load_before = os.getloadavg()[0]
    folder = args.keep or tempfile.mkdtemp(prefix="bench-render-")
    os.makedirs(folder, exist_ok=True)
    try:
        h, w = args.size
        print(f"bench-render: {args.frames} frames at {h}x{w} in windows of {args.window}, {args.threads} threads, "
              f"torch {torch.__version__}; files in {folder}", flush=True)
        weights_path, inputs_path = make_files(folder, args.size, args.frames, args.window, args.seed)
        torch_rounds, swift_rounds = [], []
        for r in range(args.rounds):
            t = time_torch(weights_path, inputs_path, args.threads, args.runs)
            print(f"torch{'' if args.rounds == 1 else f' round {r + 1}'}: {t['seconds_per_frame']:.3f} s/frame "
                  f"(median of {args.runs}: " + ", ".join(f"{v:.3f}" for v in t["all"]) + f"), "
                  f"{t['gmac_per_frame']:.2f} GMAC/frame, {t['gmac_per_s']:.1f} GMAC/s, "
                  f"peak RSS {t['peak_rss_mb']:.0f} MB (output std {t['out_std']:.2f}, "
                  f"{100 * t['out_saturated']:.1f}% saturated)", flush=True)
            s = run_swift(args.swift_cmd, weights_path, inputs_path, args.threads)
            print(f"swift{'' if args.rounds == 1 else f' round {r + 1}'}: {s['seconds_per_frame']:.3f} s/frame, "
                  f"{s['gmac_per_s']:.1f} GMAC/s, peak RSS {s['peak_rss_mb']:.0f} MB", flush=True)
            torch_rounds.append(t)
            swift_rounds.append(s)
        torch_spf = statistics.median(v for t in torch_rounds for v in t["all"])
        swift_spf = statistics.median(s["seconds_per_frame"] for s in swift_rounds)
        gmac = torch_rounds[0]["gmac_per_frame"]
        print(f"load average (1 min) before {load_before:.2f}, after {os.getloadavg()[0]:.2f} "
              f"(other work on the machine skews both figures)")
        print(f"torch {torch_spf:.3f} s/frame ({gmac / torch_spf:.1f} GMAC/s at {gmac:.2f} GMAC/frame), "
              f"swift {swift_spf:.3f} s/frame ({gmac / swift_spf:.1f} GMAC/s), {args.threads} threads, "
              f"{h}x{w}, {torch_rounds[0]['frames']} frames")
        print(f"ratio torch/swift = {torch_spf / swift_spf:.2f}")
        return 0
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
