#!/usr/bin/env python3
"""Trains a BDMM generator of the official architecture (at width --ngf) on posestudio datasets. Owns the
command line, the run folder and the loop: sampling clips, steps, timed checkpoints with held-out metrics,
--resume, --steps/--hours budgets, SIGINT/SIGTERM. See README.md beside this file.

    python3 Tools/train/train.py --run RUNDIR --train DIR[:A:B] [--train DIR2 ...] --heldout DIR \\
       [--ngf 16] [--size HxW] [--steps N] [--hours H] [--threads 2] [--checkpoint-minutes 10] [--resume] \\
       [--seed 0] [--device auto|cpu|cuda] [--lr 2e-4] [--window-clips 2]
       [--warmup 500] [--l1-weight 10] [--ssim-weight 2] [--gan-weight 1] [--fm-weight 10] [--person-weight 5]
       [--detach-carry] [--cache-mb 4096]

RUNDIR gets: checkpoint.pt (everything to resume), generator.safetensors (float16, official key names — what
posestudio loads), metrics.csv (a row per checkpoint), heldout.ppm (target | render of 3 held-out frames at
the last checkpoint) and train.log.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import tempfile
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from data import Dataset, DatasetError, Sampler, check_heldout_apart, parse_train_arg  # noqa: E402
from losses import LossWeights  # noqa: E402
from model import save_generator  # noqa: E402
from trainer import LOSS_NAMES, Config, Trainer, config_from_checkpoint  # noqa: E402

METRIC_NAMES = ("psnr_mask", "ssim_mask", "psnr_crop", "ssim_crop", "sharpness")
CSV_COLUMNS = (["step", "wall_seconds", "seconds_per_step"] + [f"loss_{n}" for n in LOSS_NAMES]
               + [f"heldout_{n}" for n in METRIC_NAMES] + ["heldout_frames", "heldout_composited"])
CSV_COMMENT = """\
# posestudio trainer metrics: one row per checkpoint. loss_* = training losses averaged over the steps since
# the previous row (loss_gan_g, loss_fm, loss_d empty before the GAN terms start). heldout_* on the held-out
# dataset rendered as one clip with its inference windows (float16-rounded weights), renders rounded to 0..255:
# *_mask = inside the silhouette (mask = 1) of the raw render; *_crop = the whole crop, the render composited
# over the plate (heldout_composited = 1; the mask dilated 2 px, 5x5 box feather) or the raw render when the
# dataset has no plate (0). PSNR: peak 255, per-frame MSE over the pixels considered x 3 channels, the frames'
# MSEs averaged, then converted. SSIM: 11x11 Gaussian sigma 1.5 (clipped at the border), K1 0.01, K2 0.03, L 255,
# per channel, the map averaged over channels, then over the pixels considered per frame, then over the frames.
# sharpness = mean luma gradient magnitude (central differences) inside the silhouette per frame, averaged over
# the frames, render / target. Frames without a body ("no_body") are not measured. As posestudio bench fidelity.
"""


class Stop:
    """SIGINT/SIGTERM: finish the current step, write a checkpoint, exit. A second signal exits at once."""

    def __init__(self):
        self.reason = None
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._handler)

    def _handler(self, signum, frame):
        if self.reason is not None:
            raise KeyboardInterrupt
        self.reason = signal.Signals(signum).name


class Log:
    def __init__(self, path: str):
        self.f = open(path, "a", buffering=1)

    def __call__(self, msg: str) -> None:
        line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} {msg}"
        print(line, flush=True)
        self.f.write(line + "\n")


def atomic_torch_save(obj, path: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pt", dir=os.path.dirname(os.path.abspath(path)))
    os.close(fd)
    try:
        torch.save(obj, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_ppm(path: str, img: torch.Tensor) -> None:
    """uint8 [3, H, W] → binary PPM (no image library needed), atomically."""
    _, h, w = img.shape
    data = f"P6\n{w} {h}\n255\n".encode() + img.permute(1, 2, 0).contiguous().numpy().tobytes()
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def trim_csv(path: str, step: int) -> None:
    """On resume: drop rows written after the checkpoint being resumed (a run killed between the two)."""
    if not os.path.exists(path):
        return
    lines = open(path).read().splitlines(keepends=True)
    keep = [ln for ln in lines if ln.startswith("#") or ln.startswith("step,")
            or (ln.split(",", 1)[0].isdigit() and int(ln.split(",", 1)[0]) <= step)]
    if keep != lines:
        with open(path + ".tmp", "w") as f:
            f.writelines(keep)
        os.replace(path + ".tmp", path)


def append_csv(path: str, row: dict) -> None:
    new = not os.path.exists(path)
    with open(path, "a") as f:
        if new:
            f.write(CSV_COMMENT)
            f.write(",".join(CSV_COLUMNS) + "\n")
        f.write(",".join(fmt(row.get(c)) for c in CSV_COLUMNS) + "\n")


def parse_size(s: str) -> tuple[int, int]:
    try:
        h, w = (int(v) for v in s.lower().split("x"))
    except ValueError:
        raise SystemExit(f"error: --size {s!r} is not HxW") from None
    return h, w


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="run folder (created)")
    ap.add_argument("--train", action="append", required=True, metavar="DIR[:A:B]",
                    help="a dataset folder, optionally restricted to frames A..B-1; repeatable")
    ap.add_argument("--heldout", required=True, metavar="DIR", help="held-out dataset (rendered as one clip)")
    ap.add_argument("--ngf", type=int, default=16, help="generator width (official: 64)")
    ap.add_argument("--size", help="HxW; taken from the datasets (they must agree), checked when given")
    ap.add_argument("--steps", type=int, help="stop at this step count (total, across resumes)")
    ap.add_argument("--hours", type=float, help="stop at a checkpoint when this wall time (total) is used")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--checkpoint-minutes", type=float, default=10.0)
    ap.add_argument("--resume", action="store_true",
                    help="continue from RUNDIR/checkpoint.pt (a new run when there is none yet)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--window-clips", type=int, default=2, help="windows of 6 frames per training clip")
    ap.add_argument("--warmup", type=int, default=LossWeights.warmup, help="steps before the GAN terms start")
    ap.add_argument("--l1-weight", type=float, default=LossWeights.l1)
    ap.add_argument("--ssim-weight", type=float, default=LossWeights.ssim)
    ap.add_argument("--gan-weight", type=float, default=LossWeights.gan)
    ap.add_argument("--fm-weight", type=float, default=LossWeights.fm)
    ap.add_argument("--person-weight", type=float, default=LossWeights.person_weight,
                    help="weight of a person pixel against a background pixel in L1 and SSIM")
    ap.add_argument("--detach-carry", action="store_true",
                    help="cut the gradient between a clip's windows (default: it flows through the carry)")
    ap.add_argument("--cache-mb", type=float, default=4096, help="in-memory frame cache per dataset")
    return ap


def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    torch.set_num_threads(a.threads)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if a.device == "auto" else a.device
    if device == "cuda" and not torch.cuda.is_available():
        print("error: --device cuda but torch sees no CUDA device", file=sys.stderr)
        return 2
    os.makedirs(a.run, exist_ok=True)
    ck_path = os.path.join(a.run, "checkpoint.pt")
    gen_path = os.path.join(a.run, "generator.safetensors")
    csv_path = os.path.join(a.run, "metrics.csv")
    if os.path.exists(ck_path) and not a.resume:
        print(f"error: {ck_path} exists: pass --resume to continue it, or use another --run folder", file=sys.stderr)
        return 2
    log = Log(os.path.join(a.run, "train.log"))
    if a.resume and not os.path.exists(ck_path):
        log(f"--resume: no {ck_path} yet, starting a new run")
        a.resume = False

    try:
        train_sets = [Dataset(d, lo, hi, a.cache_mb) for d, lo, hi in map(parse_train_arg, a.train)]
        heldout = Dataset(a.heldout, cache_mb=a.cache_mb)
        sizes = {(ds.height, ds.width) for ds in train_sets + [heldout]}
        if len(sizes) != 1:
            raise DatasetError(f"the datasets have different sizes: {sorted(sizes)}")
        (h, w), = sizes
        if a.size and parse_size(a.size) != (h, w):
            raise DatasetError(f"--size {a.size} but the datasets are {h}x{w}")
        check_heldout_apart(train_sets, heldout)
    except DatasetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    ck = None
    if a.resume:
        ck = torch.load(ck_path, map_location="cpu", weights_only=False)
        cfg = config_from_checkpoint(ck)
        if (cfg.height, cfg.width) != (h, w):
            print(f"error: the checkpoint was trained at {cfg.height}x{cfg.width}, the datasets are {h}x{w}",
                  file=sys.stderr)
            return 2
        mine = {"ngf": a.ngf, "seed": a.seed, "lr": a.lr, "window_clips": a.window_clips, "warmup": a.warmup,
                "l1_weight": a.l1_weight, "ssim_weight": a.ssim_weight, "gan_weight": a.gan_weight,
                "fm_weight": a.fm_weight, "person_weight": a.person_weight, "detach_carry": a.detach_carry}
        theirs = {"ngf": cfg.ngf, "seed": cfg.seed, "lr": cfg.lr, "window_clips": cfg.window_clips,
                  "warmup": cfg.weights.warmup, "l1_weight": cfg.weights.l1, "ssim_weight": cfg.weights.ssim,
                  "gan_weight": cfg.weights.gan, "fm_weight": cfg.weights.fm,
                  "person_weight": cfg.weights.person_weight, "detach_carry": cfg.detach_carry}
        defaults = build_parser()
        for key, value in mine.items():
            if value != theirs[key] and value != defaults.get_default(key):
                log(f"note: --{key.replace('_', '-')} {value} ignored, the checkpoint's {theirs[key]} is kept")
    else:
        cfg = Config(ngf=a.ngf, height=h, width=w, lr=a.lr, seed=a.seed, window_clips=a.window_clips,
                     detach_carry=a.detach_carry,
                     weights=LossWeights(l1=a.l1_weight, ssim=a.ssim_weight, gan=a.gan_weight, fm=a.fm_weight,
                                         person_weight=a.person_weight, warmup=a.warmup))
    trainer = Trainer(cfg, device)
    wall_before = 0.0
    if ck is not None:
        trainer.restore(ck)
        wall_before = float(ck["wall_seconds"])
        trim_csv(csv_path, trainer.step)
    resumed = ck is not None
    del ck
    sampler = Sampler(train_sets, cfg.window_clips, cfg.seed)
    n_params = sum(p.numel() for p in trainer.gen.parameters())
    log(f"{'resumed at step ' + str(trainer.step) if a.resume else 'new run'}: ngf {cfg.ngf} "
        f"({n_params:,} trained generator parameters), {h}x{w}, clips of {cfg.window_clips} windows, "
        f"device {device}, {a.threads} threads, losses {cfg.weights.as_dict()}, "
        f"{'detached' if cfg.detach_carry else 'gradient through the'} carry, train " + ", ".join(
            f"{ds.name}[{ds.lo}:{ds.hi}]" for ds in train_sets) + f", held out {heldout.name}"
        f"[{heldout.first}:{heldout.end}], wall so far {wall_before:.0f} s")

    stop = Stop()
    session_start = time.monotonic()
    wall = lambda: wall_before + time.monotonic() - session_start  # noqa: E731
    sums = {n: 0.0 for n in LOSS_NAMES}
    counts = {n: 0 for n in LOSS_NAMES}
    steps_since, step_time_since = 0, 0.0
    last_ck = time.monotonic()
    est_step, est_ck = None, 10.0

    def checkpoint(reason: str) -> None:
        nonlocal sums, counts, steps_since, step_time_since, last_ck, est_ck
        t0 = time.monotonic()
        metrics, preview = trainer.evaluate(heldout)
        wall_now = wall()
        meta = {"producer": "posestudio Tools/train", "step": trainer.step, "ngf": cfg.ngf, "height": h,
                "width": w, "wall_seconds": f"{wall_now:.0f}", "heldout_psnr_mask": f"{metrics['psnr_mask']:.3f}"}
        save_generator(gen_path, trainer.gen, meta)
        atomic_torch_save(trainer.state({"wall_seconds": wall_now}), ck_path)
        row = {"step": trainer.step, "wall_seconds": round(wall_now, 1),
               "seconds_per_step": step_time_since / steps_since if steps_since else None,
               **{f"loss_{n}": (sums[n] / counts[n] if counts[n] else None) for n in LOSS_NAMES},
               **{f"heldout_{n}": metrics[n] for n in METRIC_NAMES},
               "heldout_frames": metrics["frames"], "heldout_composited": metrics["composited"]}
        append_csv(csv_path, row)
        write_ppm(os.path.join(a.run, "heldout.ppm"), preview)
        log(f"checkpoint ({reason}) step {trainer.step}, wall {wall_now / 60:.1f} min: held out PSNR "
            f"{metrics['psnr_mask']:.2f} dB / SSIM {metrics['ssim_mask']:.3f} in the silhouette, PSNR "
            f"{metrics['psnr_crop']:.2f} / SSIM {metrics['ssim_crop']:.3f} over the crop, sharpness "
            f"{metrics['sharpness']:.2f}")
        sums = {n: 0.0 for n in LOSS_NAMES}
        counts = {n: 0 for n in LOSS_NAMES}
        steps_since, step_time_since = 0, 0.0
        last_ck = time.monotonic()
        est_ck = time.monotonic() - t0

    if a.steps is None and a.hours is None:
        log("no --steps or --hours: training until interrupted (Ctrl-C writes a checkpoint)")
    if not resumed:
        checkpoint("start")   # the untrained model's held-out scores: the curve's first point
    reason = None
    while True:
        if a.steps is not None and trainer.step >= a.steps:
            reason = f"--steps {a.steps} reached"
        elif a.hours is not None and wall() + (est_step or 0.0) + est_ck >= a.hours * 3600.0:
            reason = f"--hours {a.hours:g} used"
        elif stop.reason:
            reason = stop.reason
        if reason:
            break
        t0 = time.monotonic()
        i, plan = sampler.draw(trainer.step)
        batch = train_sets[i].batch(plan, trainer.device)
        losses = trainer.train_step(batch)
        if not math.isfinite(losses["total"]):
            log(f"step {trainer.step}: loss is {losses['total']} — stopping without a checkpoint "
                f"(the last good one is {ck_path})")
            return 1
        dt = time.monotonic() - t0
        est_step = dt if est_step is None else 0.9 * est_step + 0.1 * dt
        for n, v in losses.items():
            sums[n] += v
            counts[n] += 1
        steps_since += 1
        step_time_since += dt
        if trainer.step % 50 == 0 or trainer.step <= 3:
            log(f"step {trainer.step} ({train_sets[i].name} from frame {plan[0]['frames'][0]}): "
                + " ".join(f"{n} {v:.4f}" for n, v in losses.items()) + f", {dt:.2f} s/step")
        if time.monotonic() - last_ck >= a.checkpoint_minutes * 60.0:
            checkpoint("timed")
    if steps_since or not os.path.exists(ck_path):
        checkpoint(reason)
    log(f"stopped: {reason}; {gen_path} holds step {trainer.step}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
