#!/usr/bin/env python3
"""`make bench-render`: races the torch reference against the Swift generator on the same files.

Generates full-width random well-scaled weights (official key names and shapes, spec §7) and inputs for
--frames frames at --size as windows of --window (fixture key layout: P_ref, w0.BP, w0.flow_frames,
w0.flow_pre, w0.flow_post, w1.…), saves both as safetensors in a temp dir, then times, each in its own process
on those files with the same thread count:

    python3 torch_bench.py --weights W.safetensors --inputs I.safetensors --threads T --runs R --json
    <swift-cmd>            --weights W.safetensors --inputs I.safetensors --threads T --json

(default swift-cmd: `.build/release/posestudio bench render`; override with --swift-cmd or the environment
variable BENCH_SWIFT_CMD). With --check-outputs it first runs `torch_generate.py` and the Swift
`debug generator` on the same files and compares every tensor both write (parity tolerance). Both benchmarks
print {"seconds_per_frame": …, "gmac_per_s": …, "peak_rss_mb": …}.
The last line printed is `ratio torch/swift = R` (torch seconds per frame / Swift seconds per frame).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bdmm_reference import window_indices  # noqa: E402
from compare import compare_files  # noqa: E402
from st_io import TensorFileError, write_safetensors  # noqa: E402
from synthetic import random_weights, synthetic_video, window_inputs  # noqa: E402

POSESTUDIO = shlex.quote(os.path.normpath(os.path.join(HERE, "..", "..", ".build", "release", "posestudio")))
DEFAULT_SWIFT = POSESTUDIO + " bench render"
DEFAULT_SWIFT_GENERATE = POSESTUDIO + " debug generator"
FIELDS = ("seconds_per_frame", "gmac_per_s", "peak_rss_mb")


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


def run_checked(label: str, argv: list[str]) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True)
    except OSError as e:
        raise BenchError(f"{label}: cannot run {argv[0]!r} ({e.strerror}); for Swift, build it with "
                         "`swift build -c release --product posestudio` or pass the command explicitly") from e
    if proc.returncode != 0:
        raise BenchError(f"{label}: `{shlex.join(argv)}` exited {proc.returncode}:\n{proc.stderr.strip()}")
    return proc


def check_outputs(folder: str, files: list[str], swift_generate_cmd: str, threads: int) -> bool:
    """Full-width cross-check: every tensor the Swift `debug generator` writes that the torch reference also
    computes, within the parity tolerance."""
    torch_out, swift_out = os.path.join(folder, "torch_out.safetensors"), os.path.join(folder, "swift_out.safetensors")
    run_checked("torch generate", [sys.executable, os.path.join(HERE, "torch_generate.py"),
                                   "--weights", files[1], "--inputs", files[3], "--out", torch_out,
                                   "--threads", str(threads)])
    run_checked("swift generate", shlex.split(swift_generate_cmd) + ["--weights", files[1], "--inputs", files[3],
                                                                     "--out", swift_out])
    print("outputs, swift against torch on the benchmark files:", flush=True)
    try:
        passed, failed = compare_files(swift_out, torch_out)
    except TensorFileError as e:
        raise BenchError(f"swift generate: {e}") from e
    print(f"outputs: {passed} passed, {failed} failed", flush=True)
    return failed == 0


def run_json(label: str, argv: list[str]) -> dict:
    """Runs a benchmark command and returns the last JSON object of its stdout (checked for FIELDS)."""
    proc = run_checked(f"{label} benchmark", argv)
    for line in reversed(proc.stdout.strip().splitlines()):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            missing = [f for f in FIELDS if not isinstance(obj.get(f), (int, float))]
            if missing:
                raise BenchError(f"{label} benchmark: JSON output lacks numeric field(s) {', '.join(missing)}: {line}")
            if obj["seconds_per_frame"] <= 0:
                raise BenchError(f"{label} benchmark: seconds_per_frame must be positive: {line}")
            return obj
    raise BenchError(f"{label} benchmark: no JSON object on stdout of `{shlex.join(argv)}`:\n{proc.stdout.strip()}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--size", type=parse_size, default=(256, 256), help="HxW (default 256x256)")
    ap.add_argument("--frames", type=int, default=12)
    ap.add_argument("--window", type=int, default=6)
    ap.add_argument("--runs", type=int, default=3, help="timed torch passes after one warm-up (median reported)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="alternate torch and Swift this many times; medians over the rounds (noisy machines)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--swift-cmd", default=os.environ.get("BENCH_SWIFT_CMD", DEFAULT_SWIFT),
                    help="command prefix of the Swift benchmark (env BENCH_SWIFT_CMD)")
    ap.add_argument("--check-outputs", action="store_true",
                    help="first compare the Swift `debug generator` outputs with torch's on the same files")
    ap.add_argument("--swift-generate-cmd",
                    default=os.environ.get("BENCH_SWIFT_GENERATE_CMD", DEFAULT_SWIFT_GENERATE),
                    help="command prefix of the Swift generator run for --check-outputs (env BENCH_SWIFT_GENERATE_CMD)")
    ap.add_argument("--torch-only", action="store_true", help="time the torch reference only (no ratio)")
    ap.add_argument("--keep", metavar="DIR", help="write the weights and inputs into DIR and keep them")
    args = ap.parse_args()
    if min(args.threads, args.frames, args.window, args.runs, args.rounds) < 1:
        ap.error("--threads, --frames, --window, --runs and --rounds must be positive")

    load_before = os.getloadavg()[0]
    folder = args.keep or tempfile.mkdtemp(prefix="bench-render-")
    os.makedirs(folder, exist_ok=True)
    h, w = args.size
    try:
        print(f"bench-render: {args.frames} frames at {h}x{w} in windows of {args.window}, {args.threads} threads, "
              f"torch {torch.__version__}; files in {folder}", flush=True)
        weights_path, inputs_path = make_files(folder, args.size, args.frames, args.window, args.seed)
        files = ["--weights", weights_path, "--inputs", inputs_path, "--threads", str(args.threads)]
        torch_argv = [sys.executable, os.path.join(HERE, "torch_bench.py"), *files, "--runs", str(args.runs), "--json"]
        swift_argv = shlex.split(args.swift_cmd) + files + ["--json"]
        outputs_ok = True
        if args.check_outputs:
            outputs_ok = check_outputs(folder, files, args.swift_generate_cmd, args.threads)
        torch_spf, swift_spf = [], []
        for r in range(args.rounds):
            tag = "" if args.rounds == 1 else f" (round {r + 1})"
            t = run_json("torch", torch_argv)
            runs = t.get("runs_seconds_per_frame", [t["seconds_per_frame"]])
            torch_spf += runs
            print(f"torch{tag}: {t['seconds_per_frame']:.3f} s/frame (median of "
                  + ", ".join(f"{v:.3f}" for v in runs) + f"), {t['gmac_per_s']:.1f} GMAC/s at "
                  f"{t.get('gmac_per_frame', float('nan')):.2f} GMAC/frame, peak RSS {t['peak_rss_mb']:.0f} MB "
                  f"(output std {t.get('out_std', float('nan')):.2f}, "
                  f"{100 * t.get('out_saturated', float('nan')):.1f}% saturated)", flush=True)
            if args.torch_only:
                continue
            s = run_json("swift", swift_argv)
            swift_spf.append(s["seconds_per_frame"])
            print(f"swift{tag}: {s['seconds_per_frame']:.3f} s/frame, {s['gmac_per_s']:.1f} GMAC/s, "
                  f"peak RSS {s['peak_rss_mb']:.0f} MB", flush=True)
        print(f"load average (1 min) before {load_before:.2f}, after {os.getloadavg()[0]:.2f} "
              "(other work on this machine slows both engines)")
        tm = statistics.median(torch_spf)
        if args.torch_only:
            print(f"torch {tm:.3f} s/frame, {args.threads} threads, {h}x{w}")
            return 0 if outputs_ok else 1
        sm = statistics.median(swift_spf)
        print(f"torch {tm:.3f} s/frame, swift {sm:.3f} s/frame, {args.threads} threads, {h}x{w}, {args.frames} frames")
        if not outputs_ok:
            print("error: the Swift outputs differ from the torch reference's (see above)", file=sys.stderr)
        print(f"ratio torch/swift = {tm / sm:.2f}")
        return 0 if outputs_ok else 1
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
