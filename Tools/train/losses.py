"""The training losses, all computable without downloaded weights, and the discriminator they need. Owns:

- recon_weights: per-pixel weight, `person_weight` on the person (the silhouette dilated by `dilation` px,
  generous enough for hair and loose clothes the fitted body misses) and 1 on the background;
- weighted_l1 and ssim_loss (1 − SSIM with the same weights; SSIM as in image_metrics, data range 2 for
  pictures in [−1, 1]);
- PatchDiscriminator / MultiScaleDiscriminator: a small PatchGAN (three stride-2 4×4 convs 32/64/128 wide +
  a 1-channel 4×4 head, leaky ReLU 0.2, spectral norm) at full and half resolution, conditioned on the pose
  (the max over the 25 heatmaps as a 4th input channel); returns every intermediate feature map for feature
  matching;
- lsgan_d / lsgan_g (least squares, as pix2pixHD) and feature_matching (L1 between the discriminator's
  features on the fake and on the (detached) real picture, relative to the real features' mean magnitude,
  averaged over layers and scales);
- LossWeights: the weighting of the total generator loss.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from image_metrics import dilate, ssim_map


@dataclass
class LossWeights:
    l1: float = 10.0            # weighted L1 (person ×person_weight)
    ssim: float = 2.0           # (1 − weighted SSIM)
    gan: float = 1.0            # LSGAN generator term (after warm-up)
    fm: float = 10.0            # relative feature matching, λ = 10 as pix2pixHD's (after warm-up)
    person_weight: float = 5.0  # person pixels count this many times a background pixel
    warmup: int = 500           # steps of L1 + SSIM only before the discriminator and the GAN terms start

    def as_dict(self) -> dict:
        return asdict(self)


def person_dilation(height: int) -> int:
    """Dilation of the silhouette for the loss weights: 5 px at a 256-pixel-high crop, scaled with the height."""
    return max(1, round(5 * height / 256))


def recon_weights(mask: torch.Tensor, person_weight: float, dilation: int) -> torch.Tensor:
    """[N, 1, H, W]: person_weight on the dilated silhouette, 1 elsewhere."""
    return 1.0 + (person_weight - 1.0) * dilate(mask, dilation)


def weighted_l1(fake: torch.Tensor, real: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    return ((fake - real).abs() * weights).sum() / (weights.sum() * fake.shape[1])


def ssim_loss(fake: torch.Tensor, real: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    s = ssim_map(fake, real, data_range=2.0)
    return 1.0 - (s * weights).sum() / weights.sum()


def _sn(conv: nn.Module, use: bool) -> nn.Module:
    return nn.utils.parametrizations.spectral_norm(conv) if use else conv


class PatchDiscriminator(nn.Module):
    """in → 32 → 64 → 128 (each 4×4, stride 2) → 1 (4×4, stride 1), padding 1: patch scores at 1/8
    resolution with a 46-pixel receptive field (92 at the half-resolution scale); outputs [features…, scores]."""

    def __init__(self, in_ch: int = 4, width: int = 32, spectral: bool = True):
        super().__init__()
        chans = [in_ch, width, 2 * width, 4 * width]
        strides = [2, 2, 2]
        self.body = nn.ModuleList(
            _sn(nn.Conv2d(chans[i], chans[i + 1], 4, stride=strides[i], padding=1), spectral) for i in range(3))
        self.head = _sn(nn.Conv2d(chans[3], 1, 4, stride=1, padding=1), spectral)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        feats = []
        for conv in self.body:
            x = F.leaky_relu(conv(x), 0.2)
            feats.append(x)
        feats.append(self.head(x))
        return feats


class MultiScaleDiscriminator(nn.Module):
    """PatchDiscriminators at full and ½, ¼, … resolution (3×3 average pooling, stride 2, between scales)."""

    def __init__(self, scales: int = 2, in_ch: int = 4, width: int = 32, spectral: bool = True):
        super().__init__()
        self.nets = nn.ModuleList(PatchDiscriminator(in_ch, width, spectral) for _ in range(scales))

    @staticmethod
    def condition(image: torch.Tensor, bp: torch.Tensor) -> torch.Tensor:
        """The discriminator's input: the picture and the pose (max over the 25 heatmaps) as a 4th channel."""
        return torch.cat((image, bp.amax(1, keepdim=True)), 1)

    def forward(self, x: torch.Tensor) -> list[list[torch.Tensor]]:
        outs = []
        for i, net in enumerate(self.nets):
            if i:
                x = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
            outs.append(net(x))
        return outs


def lsgan_d(real_outs: list, fake_outs: list) -> torch.Tensor:
    loss = 0.0
    for r, f in zip(real_outs, fake_outs):
        loss = loss + 0.5 * (((r[-1] - 1.0) ** 2).mean() + (f[-1] ** 2).mean())
    return loss / len(real_outs)


def lsgan_g(fake_outs: list) -> torch.Tensor:
    return sum(((f[-1] - 1.0) ** 2).mean() for f in fake_outs) / len(fake_outs)


def feature_matching(real_outs: list, fake_outs: list) -> torch.Tensor:
    """Mean over scales and layers of L1(fake features, real features) ÷ mean |real features| (both from the
    same discriminator weights, the real side detached). The division makes the term independent of the
    feature scale, which spectral norm keeps small (~0.05): unnormalised, λ = 10 would make it negligible."""
    total, count = 0.0, 0
    for r, f in zip(real_outs, fake_outs):
        for rf, ff in zip(r[:-1], f[:-1]):
            rf = rf.detach()
            total = total + (ff - rf).abs().mean() / (rf.abs().mean() + 1e-8)
            count += 1
    return total / count
