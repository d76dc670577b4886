#!/usr/bin/env python3
"""A tiny synthetic dataset in the layout `posestudio dataset` writes (README.md, "Dataset layout"), for the
trainer's tests and timing. The generator inputs come from Tools/torch_reference/synthetic.py (random
low-frequency source image, drifting BODY_25 Gaussian heatmaps, smooth mesh-flow grids with −2 off the body);
the target of frame t is the source warped by frame t's flow on the body, over a fixed striped plate, so there
is something to learn; mask = where the flow is on the body.

    python3 Tools/train/synthetic_dataset.py --out DIR [--size 256x128] [--frames 0:24] [--plate] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "torch_reference"))
from bdmm_reference import window_plan  # noqa: E402
from st_io import write_safetensors  # noqa: E402
from synthetic import synthetic_video  # noqa: E402


def _u8(x: torch.Tensor) -> torch.Tensor:
    return torch.round((x + 1.0) * 127.5).clamp(0, 255).to(torch.uint8)


def write_dataset(out: str, h: int, w: int, first: int, end: int, plate: bool = True, seed: int = 0,
                  project: str = "synthetic.bdmm") -> None:
    video = synthetic_video(h, w, end, seed)
    os.makedirs(os.path.join(out, "frames"), exist_ok=True)
    p_ref = video["P_ref"]
    ys = torch.linspace(-1, 1, h).view(h, 1)
    xs = torch.linspace(-1, 1, w).view(1, w)
    bg = torch.stack((0.4 * torch.sin(6 * xs + 2 * ys), 0.3 * torch.cos(4 * ys) + 0 * xs,
                      -0.2 + 0.2 * torch.sin(9 * ys) * torch.cos(3 * xs)))       # [3, H, W] in [−1, 1]
    write_safetensors(os.path.join(out, "source.safetensors"), {"P_ref": p_ref})
    for t in range(first, end):
        flow = video["flows"][t]
        on = (flow[..., 0] > -1.5)
        warped = F.grid_sample(p_ref, flow.unsqueeze(0), mode="bilinear", padding_mode="zeros",
                               align_corners=False)[0]
        target = torch.where(on.unsqueeze(0), warped, bg)
        tensors = {"BP": video["heatmaps"][t], "flow": flow, "target": _u8(target), "mask": on.to(torch.uint8)}
        if plate:
            tensors["plate"] = _u8(bg)
        write_safetensors(os.path.join(out, "frames", f"{t:06d}.safetensors"), tensors)
    windows = [{"frames": [first + i for i in p["frames"]], "pre": first + p["pre"], "post": first + p["post"]}
               for p in window_plan(end - first)]
    info = {"format": "posestudio-dataset", "version": 1, "project": project, "width": w, "height": h,
            "fps": 60.0, "frames": [first, end], "windows": windows, "plate": plate}
    with open(os.path.join(out, "dataset.json"), "w") as f:
        json.dump(info, f, indent=1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", default="256x128", help="HxW")
    ap.add_argument("--frames", default="0:24", help="A:B, half-open")
    ap.add_argument("--plate", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--project", default="synthetic.bdmm")
    a = ap.parse_args()
    h, w = (int(v) for v in a.size.lower().split("x"))
    first, end = (int(v) for v in a.frames.split(":"))
    write_dataset(a.out, h, w, first, end, a.plate, a.seed, a.project)
    print(f"wrote {a.out}: {end - first} frames {h}x{w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
