"""Picture measures shared by the trainer's losses, its held-out metrics and (by definition, re-implemented in
Swift) `posestudio bench fidelity`. Owns, in one place:

- feather_mask / composite: the person over the background plate. The silhouette mask (1 = body) is dilated
  by 2 px (max over the 5×5 square around each pixel) and feathered with a 5×5 box blur whose window is clipped
  at the image border (mean over the in-bounds pixels only); composite = m·render + (1 − m)·plate.
- ssim_map: SSIM with an 11×11 Gaussian window (σ = 1.5, weights normalised to sum 1), K1 = 0.01, K2 = 0.03,
  per RGB channel, the map averaged over the channels. At the image border the window is clipped and its
  weights re-normalised over the in-bounds pixels (so the map has the image's size; separable, so the same
  as clipping each 1-D pass). ssim: the map's mean over the pixels considered, per frame, then the mean over
  the frames.
- psnr: peak 255; MSE over the pixels considered × 3 channels per frame; the frames' MSEs averaged, then
  converted (10·log10(255² / mean MSE)).
- sharpness: gradient magnitude of luma Y = 0.299 R + 0.587 G + 0.114 B by central differences
  √(((Y[y,x+1] − Y[y,x−1])/2)² + ((Y[y+1,x] − Y[y−1,x])/2)²) at the interior pixels of the silhouette,
  its mean per frame, then over the frames; the ratio render ÷ target of those means.
- to_u8: a generator output in (−1, 1) as the 0…255 picture an export would hold (round((x + 1)·127.5)).

Images are float tensors [N, 3, H, W]; masks [N, 1, H, W] (or [N, H, W]) with values 0/1. These are the
formulas of Sources/Rendering/Matte.swift and Fidelity.swift (`posestudio bench fidelity`).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

SSIM_SIZE = 11
SSIM_SIGMA = 1.5
K1, K2 = 0.01, 0.03


def _as_mask(mask: torch.Tensor) -> torch.Tensor:
    m = mask.float()
    return m.unsqueeze(1) if m.dim() == 3 else m


def dilate(mask: torch.Tensor, radius: int) -> torch.Tensor:
    """Max over the (2r+1)×(2r+1) square around each pixel (pixels outside the image do not count)."""
    m = _as_mask(mask)
    if radius <= 0:
        return m
    return F.max_pool2d(m, 2 * radius + 1, stride=1, padding=radius)


def box_blur(x: torch.Tensor, size: int = 5) -> torch.Tensor:
    """Mean over the size×size window, clipped at the border (only in-bounds pixels are averaged)."""
    return F.avg_pool2d(x, size, stride=1, padding=size // 2, count_include_pad=False)


def feather_mask(mask: torch.Tensor) -> torch.Tensor:
    """The compositing alpha: silhouette dilated by 2 px, then a 5×5 box blur. [N, 1, H, W] in [0, 1]."""
    return box_blur(dilate(mask, 2), 5)


def composite(render: torch.Tensor, plate: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The person over the plate: feather_mask(mask)·render + (1 − feather_mask(mask))·plate."""
    a = feather_mask(mask)
    return a * render + (1.0 - a) * plate


def to_u8(x: torch.Tensor) -> torch.Tensor:
    """Generator output in (−1, 1) → the 0…255 values an exported frame holds (as float)."""
    return torch.round(((x.float() + 1.0) * 127.5).clamp(0.0, 255.0))


def _gaussian_1d(size: int = SSIM_SIZE, sigma: float = SSIM_SIGMA, device=None) -> torch.Tensor:
    r = torch.arange(size, dtype=torch.float32, device=device) - (size - 1) / 2.0
    g = torch.exp(-(r * r) / (2.0 * sigma * sigma))
    return g / g.sum()


def _window_mean(x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Separable Gaussian mean of each channel, the window clipped at the border and re-normalised."""
    n, c, h, w = x.shape
    k = g.numel()
    kx = g.view(1, 1, 1, k).expand(c, 1, 1, k)
    ky = g.view(1, 1, k, 1).expand(c, 1, k, 1)
    ones = torch.ones((1, 1, h, w), dtype=x.dtype, device=x.device)
    num = F.conv2d(F.conv2d(x, kx, padding=(0, k // 2), groups=c), ky, padding=(k // 2, 0), groups=c)
    den = F.conv2d(F.conv2d(ones, g.view(1, 1, 1, k), padding=(0, k // 2)), g.view(1, 1, k, 1), padding=(k // 2, 0))
    return num / den


def ssim_map(x: torch.Tensor, y: torch.Tensor, data_range: float = 255.0) -> torch.Tensor:
    """SSIM map [N, 1, H, W] of two [N, 3, H, W] images (averaged over the channels); differentiable."""
    g = _gaussian_1d(device=x.device).to(x.dtype)
    c1 = (K1 * data_range) ** 2
    c2 = (K2 * data_range) ** 2
    n, c = x.shape[:2]
    stats = _window_mean(torch.cat((x, y, x * x, y * y, x * y), 1), g)
    mx, my, mxx, myy, mxy = stats.split(c, 1)
    vx = mxx - mx * mx
    vy = myy - my * my
    cov = mxy - mx * my
    s = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return s.mean(1, keepdim=True)


def frame_mse(x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Per-frame MSE over the pixels considered (mask = 1, or all) and the 3 channels. [N]."""
    d = (x.float() - y.float()) ** 2
    if mask is None:
        return d.mean(dim=(1, 2, 3))
    m = _as_mask(mask)
    return (d * m).sum(dim=(1, 2, 3)) / (m.sum(dim=(1, 2, 3)) * x.shape[1]).clamp_min(1.0)


def psnr(x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor | None = None) -> float:
    """PSNR (peak 255) of 0…255 images: the frames' MSEs averaged, then converted."""
    mse = float(frame_mse(x, y, mask).mean())
    return float("inf") if mse == 0.0 else 10.0 * math.log10(255.0 ** 2 / mse)


def ssim(x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor | None = None) -> float:
    """SSIM of 0…255 images: the map's mean over the pixels considered per frame (0 for a frame without
    any), then the mean over the frames."""
    s = ssim_map(x.float(), y.float(), 255.0)
    if mask is None:
        return float(s.mean(dim=(1, 2, 3)).mean())
    m = _as_mask(mask)
    return float(((s * m).sum(dim=(1, 2, 3)) / m.sum(dim=(1, 2, 3)).clamp_min(1.0)).mean())


def luma(x: torch.Tensor) -> torch.Tensor:
    return 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]


def gradient_magnitude(x: torch.Tensor) -> torch.Tensor:
    """[N, 1, H-2, W-2]: central-difference gradient magnitude of luma at the interior pixels."""
    y = luma(x.float())
    gx = (y[:, :, 1:-1, 2:] - y[:, :, 1:-1, :-2]) / 2.0
    gy = (y[:, :, 2:, 1:-1] - y[:, :, :-2, 1:-1]) / 2.0
    return torch.sqrt(gx * gx + gy * gy)


def sharpness(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """[N]: mean luma gradient magnitude over each frame's interior silhouette pixels (0 without any)."""
    m = _as_mask(mask)[:, :, 1:-1, 1:-1]
    return (gradient_magnitude(x) * m).sum(dim=(1, 2, 3)) / m.sum(dim=(1, 2, 3)).clamp_min(1.0)


def sharpness_ratio(render: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> float:
    """The render's per-frame sharpness averaged over the frames ÷ the same for the target."""
    t = float(sharpness(target, mask).mean())
    return float("nan") if t == 0.0 else float(sharpness(render, mask).mean()) / t


def fidelity(render: torch.Tensor, target: torch.Tensor, mask: torch.Tensor,
             plate: torch.Tensor | None = None) -> dict:
    """Held-out measures of 0…255 renders against 0…255 targets: inside the silhouette (the raw render), over
    the whole crop (the render composited over the plate when there is one, else the raw render), sharpness."""
    crop = composite(render, plate, mask) if plate is not None else render
    crop = torch.round(crop) if plate is not None else crop
    return {"psnr_mask": psnr(render, target, mask), "ssim_mask": ssim(render, target, mask),
            "psnr_crop": psnr(crop, target), "ssim_crop": ssim(crop, target),
            "sharpness": sharpness_ratio(render, target, mask), "composited": int(plate is not None),
            "frames": int(render.shape[0])}
