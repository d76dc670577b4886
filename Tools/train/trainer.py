"""One training run's state and its steps, without the command line. Owns: the generator
(model.TrainableGenerator) and the discriminator (losses.MultiScaleDiscriminator), their Adam optimizers, one
training step on a clip (L1 + SSIM during warm-up; then also the discriminator update and the LSGAN + feature
matching terms), the held-out evaluation (the held-out dataset's inference windows with carried state, weights
rounded through float16 as posestudio loads them), and the checkpoint dictionary (save/restore, bit-for-bit
as far as torch allows).

The discriminator sees the person composited over the background (image_metrics.composite with the plate
when the dataset has one, else over zeros) for both the real and the generated frame: what is shown at
inference, and nothing of the background the generator cannot know (the crop moves with the person)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
import torch

from data import Batch, Dataset
from image_metrics import composite, fidelity, to_u8
from losses import (LossWeights, MultiScaleDiscriminator, feature_matching, lsgan_d, lsgan_g, person_dilation,
                    recon_weights, ssim_loss, weighted_l1)
from model import TrainableGenerator, init_state_dict

LOSS_NAMES = ("total", "l1", "ssim", "gan_g", "fm", "d")


@dataclass
class Config:
    ngf: int = 16
    height: int = 256
    width: int = 128
    lr: float = 2e-4
    betas: tuple = (0.5, 0.999)
    seed: int = 0
    window_clips: int = 2
    detach_carry: bool = False
    d_width: int = 32
    d_scales: int = 2
    weights: LossWeights = field(default_factory=LossWeights)


class Trainer:
    def __init__(self, cfg: Config, device: str | torch.device = "cpu"):
        self.cfg, self.device = cfg, torch.device(device)
        torch.manual_seed(cfg.seed)
        self.gen = TrainableGenerator(init_state_dict(cfg.ngf, cfg.seed), self.device)
        self.disc = MultiScaleDiscriminator(cfg.d_scales, in_ch=4, width=cfg.d_width).to(self.device)
        self.opt_g = torch.optim.Adam(self.gen.parameters(), lr=cfg.lr, betas=cfg.betas)
        self.opt_d = torch.optim.Adam(self.disc.parameters(), lr=cfg.lr, betas=cfg.betas)
        self.step = 0

    # ------------------------------------------------------------ losses

    def recon_losses(self, fake: torch.Tensor, b: Batch) -> dict:
        w = self.cfg.weights
        pw = recon_weights(b.mask, w.person_weight, person_dilation(fake.shape[-2]))
        return {"l1": weighted_l1(fake, b.target, pw), "ssim": ssim_loss(fake, b.target, pw)}

    def _d_inputs(self, fake: torch.Tensor, b: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        bg = b.plate if b.plate is not None else torch.zeros_like(b.target)
        real = MultiScaleDiscriminator.condition(composite(b.target, bg, b.mask), b.bp)
        fake = MultiScaleDiscriminator.condition(composite(fake, bg, b.mask), b.bp)
        return real, fake

    def gan_active(self, step: int | None = None) -> bool:
        return (self.step if step is None else step) >= self.cfg.weights.warmup

    # ------------------------------------------------------------ one step

    def train_step(self, b: Batch) -> dict:
        """One optimisation step of the generator (and, after warm-up, of the discriminator) on a clip.
        Returns the losses (floats) of this step, measured before the update."""
        w = self.cfg.weights
        fake = self.gen.forward_clip(b.p_ref, b.windows, self.cfg.detach_carry)
        losses = self.recon_losses(fake, b)
        total = w.l1 * losses["l1"] + w.ssim * losses["ssim"]
        gan = self.gan_active()
        if gan:
            real_in, fake_in = self._d_inputs(fake, b)
            real_outs = self.disc(real_in)
            fake_outs = self.disc(fake_in)
            losses["gan_g"] = lsgan_g(fake_outs)
            losses["fm"] = feature_matching(real_outs, fake_outs)
            total = total + w.gan * losses["gan_g"] + w.fm * losses["fm"]
        losses["total"] = total
        self.opt_g.zero_grad(set_to_none=True)
        total.backward()
        self.opt_g.step()
        if gan:
            # discriminator: real vs the generated frames (detached), with the same weights the G terms used
            self.opt_d.zero_grad(set_to_none=True)
            d_loss = lsgan_d(real_outs, self.disc(fake_in.detach()))   # real_outs' graph is still whole
            d_loss.backward()
            self.opt_d.step()
            losses["d"] = d_loss
        self.step += 1
        return {k: float(v.detach()) for k, v in losses.items()}

    # ------------------------------------------------------------ held-out

    @torch.no_grad()
    def render(self, ds: Dataset, plan: list[dict], f16: bool = True) -> tuple[torch.Tensor, Batch, list[int]]:
        """Renders a clip as inference does; returns (all outputs, batch, the index of the first output of
        each frame with a body — the padded repeats and frames listed in "no_body" are not measured)."""
        gen = self.gen.rounded_f16() if f16 else self.gen
        b = ds.batch(plan, self.device)
        out = gen.forward_clip(b.p_ref, b.windows)
        keep, seen = [], set()
        for i, t in enumerate(b.frames):
            if t not in seen and t not in ds.no_body:
                seen.add(t)
                keep.append(i)
        return out, b, keep

    def evaluate(self, ds: Dataset) -> tuple[dict, torch.Tensor]:
        """Held-out measures (image_metrics.fidelity) over the dataset's frames, rendered as one clip with its
        inference windows. Also returns a preview strip (target | render) of 3 frames, uint8 [3, H, 6W]."""
        out, b, keep = self.render(ds, ds.heldout_plan())
        if not keep:
            raise ValueError(f"{ds.folder}: no held-out frame with a body to measure")
        idx = torch.tensor(keep, device=out.device)
        render, target = to_u8(out[idx]), to_u8(b.target[idx])
        plate = to_u8(b.plate[idx]) if b.plate is not None else None
        metrics = fidelity(render.cpu(), target.cpu(), b.mask[idx].cpu(), None if plate is None else plate.cpu())
        picks = [keep[0], keep[len(keep) // 2], keep[-1]]
        tiles = [torch.cat((to_u8(b.target[i]), to_u8(out[i])), 2) for i in picks]
        preview = torch.cat(tiles, 2).to(torch.uint8).cpu()
        return metrics, preview

    # ------------------------------------------------------------ checkpoint

    def state(self, extra: dict | None = None) -> dict:
        return {"format": "posestudio-train-checkpoint", "version": 1, "step": self.step,
                "config": {**{k: v for k, v in vars(self.cfg).items() if k != "weights"},
                           "weights": self.cfg.weights.as_dict()},
                "generator": self.gen.state_dict(), "discriminator": self.disc.state_dict(),
                "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(),
                "rng": {"torch": torch.get_rng_state(), "python": random.getstate(),
                        "numpy": np.random.get_state(),
                        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []},
                **(extra or {})}

    def restore(self, ck: dict) -> None:
        self.gen.load_state_dict(ck["generator"])
        self.disc.load_state_dict(ck["discriminator"])
        self.opt_g.load_state_dict(ck["opt_g"])
        self.opt_d.load_state_dict(ck["opt_d"])
        self.step = int(ck["step"])
        rng = ck["rng"]
        torch.set_rng_state(rng["torch"])
        random.setstate(rng["python"])
        np.random.set_state(rng["numpy"])
        if rng.get("cuda") and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(rng["cuda"])


def config_from_checkpoint(ck: dict) -> Config:
    c = dict(ck["config"])
    weights = LossWeights(**c.pop("weights"))
    c["betas"] = tuple(c["betas"])
    return Config(**c, weights=weights)
