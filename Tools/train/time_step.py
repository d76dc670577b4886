#!/usr/bin/env python3
"""Seconds per training step at a given width, size and clip length, on a synthetic dataset written to a
temp folder (synthetic_dataset.py): the median over --steps steps (after one untimed step) with L1 + SSIM
only (warm-up) and with the GAN terms on. Prints the load average before and after (the machine is shared).

    python3 Tools/train/time_step.py [--ngf 16] [--size 256x128] [--window-clips 1 2] [--steps 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from data import Dataset, Sampler  # noqa: E402
from losses import LossWeights  # noqa: E402
from synthetic_dataset import write_dataset  # noqa: E402
from trainer import Config, Trainer  # noqa: E402


def loadavg() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ngf", type=int, default=16)
    ap.add_argument("--size", default="256x128")
    ap.add_argument("--window-clips", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    h, w = (int(v) for v in a.size.lower().split("x"))
    print(f"load average before: {loadavg()}")
    with tempfile.TemporaryDirectory() as d:
        write_dataset(d, h, w, 0, 6 * max(a.window_clips) + 8, plate=True)
        ds = Dataset(d)
        for k in a.window_clips:
            for phase, warmup in (("L1+SSIM", 10 ** 9), ("L1+SSIM+GAN+FM", 0)):
                tr = Trainer(Config(ngf=a.ngf, height=h, width=w, window_clips=k,
                                    weights=LossWeights(warmup=warmup)), a.device)
                sampler = Sampler([ds], k, 0)
                times = []
                for step in range(a.steps + 1):
                    b = ds.batch(sampler.draw(step)[1], tr.device)
                    t0 = time.perf_counter()
                    tr.train_step(b)
                    if tr.device.type == "cuda":
                        torch.cuda.synchronize()
                    if step:
                        times.append(time.perf_counter() - t0)
                print(f"ngf {a.ngf} {h}x{w}, {k}-window clips ({6 * k} frames), {phase}: "
                      f"{statistics.median(times):.2f} s/step (median of {len(times)}; "
                      f"min {min(times):.2f}, max {max(times):.2f})", flush=True)
    print(f"load average after: {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
