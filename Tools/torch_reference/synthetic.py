"""Synthetic benchmark data for the BDMM generator: random well-scaled weights in the official state_dict
layout (layout.py; full width or with every width divided by `div`) drawn with
the fixture README's recipe, and synthetic inputs (source image, drifting Gaussian pose heatmaps, smooth flow
grids with -2 background) cut into windows with the pre/post rules of spec §1.5."""

from __future__ import annotations

import math
from collections import OrderedDict

import torch
import torch.nn.functional as F

from bdmm_reference import window_plan
from layout import official_shapes

# ---------------------------------------------------------------- weights (fixture README recipe)

FIR = torch.outer(torch.tensor([1.0, 3.0, 3.0, 1.0]), torch.tensor([1.0, 3.0, 3.0, 1.0])) / 16.0


def _is_instance_norm(name: str) -> bool:
    return name.rsplit(".", 1)[0].endswith((".model.0", ".model.3"))


def random_weights(seed: int = 0, div: int = 1) -> "OrderedDict[str, torch.Tensor]":
    """Random but well-scaled weights in state_dict order: IN gamma ~ N(1, 0.1²), beta ~ N(0, 0.1²); plain conv
    weights U(±sqrt(3/fan_in)), biases N(0, 0.1²); DMM offset/mask convs N(0, 1/fan_in), biases N(0, 0.5²);
    modulation weights N(0, 1), biases N(1, 0.1²); modulated conv weights N(0, 1), ToRGB N(0, 0.25²); other
    biases N(0, 0.1²); FIR buffers [1,3,3,1]⊗[1,3,3,1]/16."""
    g = torch.Generator().manual_seed(seed)
    out: "OrderedDict[str, torch.Tensor]" = OrderedDict()

    def normal(shape, mean, std):
        return torch.randn(shape, generator=g) * std + mean

    for name, shape in official_shapes(div).items():
        leaf = name.rsplit(".", 1)[-1]
        if name.endswith(("blur.kernel", "upsample.kernel")):
            t = FIR.clone()
        elif _is_instance_norm(name):
            t = normal(shape, 1.0 if leaf == "weight" else 0.0, 0.1)
        elif ".modulation." in name:
            t = normal(shape, 0.0, 1.0) if leaf == "weight" else normal(shape, 1.0, 0.1)
        elif name.endswith("conv.weight") and len(shape) == 5:
            t = normal(shape, 0.0, 0.25 if name.startswith("decoder256") else 1.0)
        elif ".offset_conv." in name or ".mask_conv." in name:
            fan_in = math.prod(shape[1:]) if leaf == "weight" else 1
            t = normal(shape, 0.0, 1.0 / math.sqrt(fan_in)) if leaf == "weight" else normal(shape, 0.0, 0.5)
        elif leaf == "weight" and len(shape) == 4:
            bound = math.sqrt(3.0 / math.prod(shape[1:]))
            t = (torch.rand(shape, generator=g) * 2.0 - 1.0) * bound
        elif leaf == "bias":
            t = normal(shape, 0.0, 0.1)
        else:
            raise ValueError(f"no drawing rule for {name} {shape}")
        out[name] = t.to(torch.float32).contiguous()
    return out


# ---------------------------------------------------------------- inputs

def _identity_grid(h: int, w: int) -> torch.Tensor:
    """align_corners=False identity: pixel centre c -> (2c + 1)/size - 1; last axis (x, y)."""
    ys = (2.0 * torch.arange(h, dtype=torch.float64) + 1.0) / h - 1.0
    xs = (2.0 * torch.arange(w, dtype=torch.float64) + 1.0) / w - 1.0
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack((gx, gy), dim=-1)


def synthetic_video(h: int, w: int, frames: int, seed: int = 0) -> dict:
    """Source image (1,3,H,W) in [-1,1]; per-frame BODY_25 heatmaps (frames,25,H,W); flow grids (frames,H,W,2)."""
    g = torch.Generator().manual_seed(seed)
    low = torch.rand((1, 3, max(h // 32, 2), max(w // 32, 2)), generator=g) * 1.6 - 0.8
    p_ref = F.interpolate(low, size=(h, w), mode="bilinear", align_corners=False)
    p_ref = (p_ref + 0.1 * torch.randn((1, 3, h, w), generator=g)).clamp(-1.0, 1.0)

    base = torch.rand((25, 2), generator=g, dtype=torch.float64) * torch.tensor([h * 0.6, w * 0.6]) \
        + torch.tensor([h * 0.2, w * 0.2])
    velocity = (torch.rand((25, 2), generator=g, dtype=torch.float64) - 0.5) * 4.0
    rows = torch.arange(h, dtype=torch.float64).view(1, h, 1)
    cols = torch.arange(w, dtype=torch.float64).view(1, 1, w)
    identity = _identity_grid(h, w)
    ny, nx = identity[..., 1], identity[..., 0]
    heatmaps, flows = [], []
    for t in range(frames):
        kp = base + velocity * t                                            # (row, col) per joint
        hm = torch.exp(-((rows - kp[:, 0].view(25, 1, 1)) ** 2 + (cols - kp[:, 1].view(25, 1, 1)) ** 2)
                       / (2.0 * 6.0 ** 2))
        hm[3] = 0.0                                                         # a "missing" joint
        heatmaps.append(hm.to(torch.float32))
        cy, cx = 0.05 * math.sin(0.3 * t), 0.04 * math.cos(0.2 * t)         # the body drifts a little
        inside = ((ny - cy) / 0.8) ** 2 + ((nx - cx) / 0.45) ** 2 <= 1.0
        dx = 0.06 * torch.sin(math.pi * (1.5 * ny + 0.15 * t)) + cx
        dy = 0.05 * torch.cos(math.pi * (1.2 * nx + 0.1 * t)) + cy
        flow = identity + torch.stack((dx, dy), dim=-1)
        flow[~inside] = -2.0
        flows.append(flow.to(torch.float32))
    return {"P_ref": p_ref.contiguous(), "heatmaps": torch.stack(heatmaps), "flows": torch.stack(flows)}


def window_inputs(video: dict, window: int) -> "OrderedDict[str, torch.Tensor]":
    """Inputs in the fixture layout (P_ref, wK.BP, wK.flow_frames, wK.flow_pre, wK.flow_post), the video cut
    into windows of `window` frames with the pre/post rules of spec §1.5."""
    hm, fl = video["heatmaps"], video["flows"]
    out: "OrderedDict[str, torch.Tensor]" = OrderedDict(P_ref=video["P_ref"])
    for k, plan in enumerate(window_plan(hm.shape[0], window)):
        idx = torch.tensor(plan["frames"])
        out[f"w{k}.BP"] = hm[idx].unsqueeze(0).contiguous()
        out[f"w{k}.flow_frames"] = fl[idx].unsqueeze(0).contiguous()
        out[f"w{k}.flow_pre"] = fl[plan["pre"]].unsqueeze(0).contiguous()
        out[f"w{k}.flow_post"] = fl[plan["post"]].unsqueeze(0).contiguous()
    return out
