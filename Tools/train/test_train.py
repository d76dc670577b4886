#!/usr/bin/env python3
"""Tests of the trainer (plain Python, no pytest; well under 2 minutes on 2 cores):

- the trainer's forward, in training mode with gradients, equals the BDMM fixtures (Tests/Fixtures/bdmm,
  bdmm-2windows — which posestudio's generator also matches) with the fixtures' tolerance
  |Δ| ≤ 1e-3 + 1e-4·|expected|, and gradients reach every trained tensor and flow through the carry;
- the from-scratch initialisation has the official layout and a usable output range; the float16 export
  reads back with the official names;
- one training step lowers the loss on a fixed batch (tiny width and size); a GAN-phase step runs;
- a resumed run is bit-for-bit the uninterrupted one;
- clip windows, the sampler, the held-out separation; the picture measures;
- the command line end to end (checkpoint, CSV, --resume, SIGTERM, refusals).

    python3 Tools/train/test_train.py        # ends with "N passed, M failed"; exit 1 on a failure
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "torch_reference")
FIXTURES = os.path.join(HERE, "..", "..", "Tests", "Fixtures")
sys.path.insert(0, HERE)
sys.path.insert(0, REF)
from bdmm_reference import BDMMGenerator, window_plan  # noqa: E402
from compare import compare  # noqa: E402
from data import Dataset, DatasetError, Sampler, check_heldout_apart, clip_plan  # noqa: E402
import image_metrics as im  # noqa: E402
from layout import layout  # noqa: E402
from losses import LossWeights  # noqa: E402
from model import FIR, TrainableGenerator, init_state_dict, save_generator  # noqa: E402
from st_io import load_weights, read_safetensors  # noqa: E402
from synthetic_dataset import write_dataset  # noqa: E402
from trainer import Config, Trainer  # noqa: E402

TESTS = []
TMP = tempfile.mkdtemp(prefix="posestudio-train-test-")


def test(fn):
    TESTS.append(fn)
    return fn


def tiny_dataset(name: str, first: int = 0, end: int = 20, plate: bool = True, project: str = "synthetic.bdmm"):
    path = os.path.join(TMP, name)
    if not os.path.exists(path):
        write_dataset(path, 128, 64, first, end, plate=plate, seed=3, project=project)
    return path


# ---------------------------------------------------------------- forward parity and gradients

@test
def forward_in_training_mode_matches_fixtures():
    for fx in ("bdmm", "bdmm-2windows"):
        folder = os.path.join(FIXTURES, fx)
        inputs, _ = read_safetensors(os.path.join(folder, "inputs.safetensors"))
        expected, _ = read_safetensors(os.path.join(folder, "expected.safetensors"))
        gen = TrainableGenerator(load_weights(os.path.join(folder, "generator_state_dict.safetensors")))
        assert torch.is_grad_enabled()
        carry, got, windows = None, {}, []
        k = 0
        while f"w{k}.BP" in inputs:
            win = tuple(inputs[f"w{k}.{n}"] for n in ("BP", "flow_frames", "flow_pre", "flow_post"))
            windows.append(win)
            r, carry = gen.ref.run_window(inputs["P_ref"], *win, carry, collect=True)
            got.update({f"w{k}.{n}": t for n, t in r.items()})
            k += 1
        assert got[f"w{k - 1}.out"].requires_grad, "no autograd graph"
        bad = [line for name, want in expected.items() for ok, line in [compare(name, got[name].detach(), want)]
               if not ok]
        assert not bad, f"{fx}: " + "; ".join(bad)
        worst = max(float((got[n].detach().double() - e.double()).abs().max()) for n, e in expected.items())
        clip = gen.forward_clip(inputs["P_ref"], windows)
        want = torch.cat([expected[f"w{i}.out"][0] for i in range(k)])
        ok, line = compare("forward_clip", clip.detach(), want)
        assert ok, line
        clip.square().mean().backward()
        missing = [n for n, p in gen.named_parameters() if p.grad is None or not bool(p.grad.abs().sum() > 0)]
        assert not missing, f"{fx}: no gradient for {missing[:5]}"
        frozen = [n for n, t in gen.tensors.items() if not isinstance(t, torch.nn.Parameter)]
        assert all(n.endswith("kernel") or n.startswith("warp_encoder.encoder1.") for n in frozen), frozen
        print(f"    {fx}: {len(expected)} tensors within tolerance (largest |Δ| {worst:.1e}), gradients reach all "
              f"{len(gen.parameters())} trained tensors ({len(frozen)} fixed)")


@test
def gradients_flow_through_the_carry():
    folder = os.path.join(FIXTURES, "bdmm-2windows")
    inputs, _ = read_safetensors(os.path.join(folder, "inputs.safetensors"))
    gen = TrainableGenerator(load_weights(os.path.join(folder, "generator_state_dict.safetensors")))
    for detach in (False, True):
        bp0 = inputs["w0.BP"].clone().requires_grad_(True)
        windows = [(bp0, inputs["w0.flow_frames"], inputs["w0.flow_pre"], inputs["w0.flow_post"]),
                   tuple(inputs[f"w1.{n}"] for n in ("BP", "flow_frames", "flow_pre", "flow_post"))]
        out = gen.forward_clip(inputs["P_ref"], windows, detach_carry=detach)
        n0 = windows[0][0].shape[1]
        out[n0:].sum().backward()       # the second window's frames only
        reached = bp0.grad is not None and bool(bp0.grad.abs().sum() > 0)
        assert reached != detach, f"detach_carry={detach}: window 0 inputs {'got' if reached else 'got no'} gradient"


# ---------------------------------------------------------------- initialisation and export

@test
def initialisation_and_float16_export():
    sd = init_state_dict(4, seed=1)
    assert [(k, tuple(v.shape)) for k, v in sd.items()] == list(layout(4, 8, 16, 32).items())
    assert torch.equal(sd["conv1up.conv.blur.kernel"], FIR) and float(FIR.sum()) == 4.0
    assert float(sd["conv1up.conv.modulation.bias"].min()) == 1.0 and float(sd["x_rcnn1.model.0.weight"].min()) == 1.0
    assert float(sd["forconv1.offset_conv.weight"].abs().max()) == 0.0
    gen = TrainableGenerator(sd)
    ds = Dataset(tiny_dataset("init"))
    b = ds.batch(clip_plan(0, 1, 0, 20), "cpu")
    with torch.no_grad():
        out = gen.forward_clip(b.p_ref, b.windows)
    sat = float((out.abs() > 0.99).float().mean())
    assert bool(torch.isfinite(out).all()) and float(out.std()) > 0.05 and sat < 0.2, (float(out.std()), sat)
    path = os.path.join(TMP, "g.safetensors")
    save_generator(path, gen, {"step": 0})
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
    header.pop("__metadata__")
    assert list(header) == list(sd) and {v["dtype"] for v in header.values()} == {"F16"}
    back = load_weights(path)
    BDMMGenerator(back)
    assert all(torch.equal(back[k], v.half().float()) for k, v in sd.items())


# ---------------------------------------------------------------- training steps

def tiny_trainer(warmup: int, k: int = 1, seed: int = 0) -> Trainer:
    return Trainer(Config(ngf=4, height=128, width=64, window_clips=k, seed=seed,
                          weights=LossWeights(warmup=warmup)))


@test
def one_step_lowers_the_loss():
    ds = Dataset(tiny_dataset("step"))
    b = ds.batch(clip_plan(3, 1, 0, 20), "cpu")
    tr = tiny_trainer(warmup=1000)
    w = tr.cfg.weights

    def recon():
        with torch.no_grad():
            ls = tr.recon_losses(tr.gen.forward_clip(b.p_ref, b.windows), b)
        return float(w.l1 * ls["l1"] + w.ssim * ls["ssim"])

    before = recon()
    reported = tr.train_step(b)
    after = recon()
    assert abs(reported["total"] - before) < 1e-4 * max(1.0, before), (reported["total"], before)
    assert after < before, f"loss {before:.5f} -> {after:.5f}"
    print(f"    L1+SSIM loss on a fixed batch: {before:.4f} -> {after:.4f} after one step")
    # a step with the GAN terms on updates the discriminator too, and keeps everything finite
    tr.cfg.weights.warmup = 0
    d_before = [p.detach().clone() for p in tr.disc.parameters()]
    losses = tr.train_step(b)
    assert set(losses) == {"total", "l1", "ssim", "gan_g", "fm", "d"} and all(map(math.isfinite, losses.values()))
    assert any(not torch.equal(a, p) for a, p in zip(d_before, tr.disc.parameters())), "discriminator unchanged"


@test
def resume_is_bit_for_bit():
    ds = Dataset(tiny_dataset("resume"))
    sampler = Sampler([ds], 1, seed=5)

    def run(tr, steps):
        for _ in range(steps):
            tr.train_step(ds.batch(sampler.draw(tr.step)[1], "cpu"))

    a = tiny_trainer(warmup=1, seed=5)
    run(a, 3)
    b = tiny_trainer(warmup=1, seed=5)
    run(b, 1)
    buf = io.BytesIO()
    torch.save(b.state({"wall_seconds": 1.0}), buf)
    del b
    c = tiny_trainer(warmup=1, seed=7)     # different init: everything must come from the checkpoint
    buf.seek(0)
    c.restore(torch.load(buf, weights_only=False))
    run(c, 2)
    assert a.step == c.step == 3
    for (k, t), (_, u) in zip(a.gen.tensors.items(), c.gen.tensors.items()):
        assert torch.equal(t, u), f"generator {k} differs after resume"
    for (k, t), (_, u) in zip(a.disc.state_dict().items(), c.disc.state_dict().items()):
        assert torch.equal(t, u), f"discriminator {k} differs after resume"


# ---------------------------------------------------------------- data rules

@test
def clip_windows_sampler_and_heldout_separation():
    assert clip_plan(10, 2, 0, 80) == [{"frames": [10, 11, 12, 13, 14, 15], "pre": 10, "post": 16},
                                      {"frames": [16, 17, 18, 19, 20, 21], "pre": 15, "post": 22}]
    assert clip_plan(74, 1, 0, 80) == [{"frames": [74, 75, 76, 77, 78, 79], "pre": 74, "post": 79}]
    assert clip_plan(0, 2, 0, 9)[1] == {"frames": [6, 7, 8, 8, 8, 8], "pre": 5, "post": 8}
    # training windows of a range never touch a frame outside it (post included), for every start
    full = tiny_dataset("full", 0, 40, project="demo.bdmm")
    ds = Dataset(full, 0, 30)
    sampler = Sampler([ds], 2, seed=0)
    starts = set()
    for step in range(400):
        _, plan = sampler.draw(step)
        used = {t for w in plan for t in w["frames"] + [w["pre"], w["post"]]}
        assert min(used) >= 0 and max(used) <= 29, plan
        starts.add(plan[0]["frames"][0])
    assert starts == set(range(0, 30 - 12 + 1)), sorted(starts)   # every offset, not only multiples of 6
    assert sampler.draw(17) == Sampler([Dataset(full, 0, 30)], 2, seed=0).draw(17)
    held = Dataset(tiny_dataset("held", 30, 40, project="demo.bdmm"))
    assert held.heldout_plan() == [{"frames": [30 + t for t in p["frames"]], "pre": 30 + p["pre"],
                                    "post": 30 + p["post"]} for p in window_plan(10)]
    check_heldout_apart([ds], held)
    try:
        check_heldout_apart([Dataset(full)], held)
    except DatasetError as e:
        assert "held-out" in str(e)
    else:
        raise AssertionError("overlapping training range accepted")


# ---------------------------------------------------------------- picture measures

@test
def picture_measures():
    g = torch.Generator().manual_seed(0)
    x = torch.rand((2, 3, 32, 24), generator=g) * 255
    mask = torch.zeros((2, 1, 32, 24))
    mask[:, :, 8:20, 6:14] = 1
    assert im.psnr(x, x) == math.inf and abs(im.ssim(x, x) - 1.0) < 1e-6
    y = x.clone()
    y[0] += 10.0                                                    # frame MSEs 100 and 0 → mean 50
    assert abs(im.psnr(y, x) - 10 * math.log10(255 ** 2 / 50)) < 1e-4
    assert abs(im.psnr(y, x, mask) - 10 * math.log10(255 ** 2 / 50)) < 1e-4
    # feather: dilate 2 px then a clipped 5x5 box mean
    one = torch.zeros((1, 1, 12, 12))
    one[0, 0, 6, 6] = 1
    a = im.feather_mask(one)
    assert float(a[0, 0, 6, 6]) == 1.0 and abs(float(a[0, 0, 6, 9]) - 0.4) < 1e-6 and float(a[0, 0, 6, 11]) == 0.0
    corner = torch.ones((1, 1, 6, 6))
    assert torch.allclose(im.feather_mask(corner), torch.ones_like(corner))   # clipped window: no dark rim
    assert torch.allclose(im.composite(x, torch.zeros_like(x), torch.ones_like(mask)), x)
    assert float(im.feather_mask(mask)[:, :, 8:20, 6:14].min()) == 1.0       # inside the silhouette: the render
    blurred = im.box_blur(x, 5)
    assert abs(im.sharpness_ratio(x, x, mask) - 1.0) < 1e-6 and im.sharpness_ratio(blurred, x, mask) < 0.7
    ramp = torch.arange(24.0).view(1, 1, 1, 24).expand(1, 3, 32, 24) * 2.0   # luma gradient 2 everywhere
    assert torch.allclose(im.sharpness(ramp, torch.ones((1, 1, 32, 24))), torch.tensor([2.0]))
    # SSIM: mean over each frame's pixels considered, then over frames (frames weigh the same)
    m2 = mask.clone()
    m2[1] = 0
    m2[1, :, 0, 0] = 1
    s_map = im.ssim_map(y, x)
    want = 0.5 * (float((s_map[0] * m2[0]).sum() / m2[0].sum()) + float(s_map[1, 0, 0, 0]))
    assert abs(im.ssim(y, x, m2) - want) < 1e-5
    # SSIM window: normalised Gaussian; a constant shift lowers SSIM only through the luminance term
    assert abs(float(im._gaussian_1d().sum()) - 1.0) < 1e-6
    assert im.ssim(blurred, x) < im.ssim(x + 1.0, x) < 1.0


# ---------------------------------------------------------------- the command line

def cli(*args, timeout=300):
    return subprocess.run([sys.executable, os.path.join(HERE, "train.py"), "--threads", "1", *args], capture_output=True,
                          text=True, timeout=timeout)


@test
def command_line_end_to_end():
    train = tiny_dataset("cli", 0, 40, project="demo.bdmm")
    held = tiny_dataset("cli-held", 30, 40, project="demo.bdmm")
    run = os.path.join(TMP, "run")
    base = ["--run", run, "--train", f"{train}:0:30", "--heldout", held, "--ngf", "4", "--warmup", "1",
            "--window-clips", "1"]
    r = cli(*base, "--steps", "2", "--resume")        # --resume without a checkpoint: a new run
    assert r.returncode == 0 and "starting a new run" in r.stdout, r.stdout + r.stderr
    for f in ("checkpoint.pt", "generator.safetensors", "metrics.csv", "train.log", "heldout.ppm"):
        assert os.path.exists(os.path.join(run, f)), f
    r = cli(*base, "--steps", "3")
    assert r.returncode == 2 and "--resume" in r.stderr, r.stderr
    r = cli(*base, "--steps", "3", "--resume")
    assert r.returncode == 0 and "resumed at step 2" in r.stdout, r.stdout + r.stderr
    rows = [ln.split(",") for ln in open(os.path.join(run, "metrics.csv")) if ln[0].isdigit()]
    assert [int(r[0]) for r in rows] == [0, 2, 3], rows
    header = [ln for ln in open(os.path.join(run, "metrics.csv")) if ln.startswith("step,")][0].strip().split(",")
    last = dict(zip(header, rows[-1]))
    assert float(last["heldout_psnr_mask"]) > 0 and last["heldout_frames"] == "10" and last["loss_d"] != ""
    BDMMGenerator(load_weights(os.path.join(run, "generator.safetensors")))
    assert torch.load(os.path.join(run, "checkpoint.pt"), weights_only=False)["step"] == 3
    # a used-up wall budget stops before any step
    r = cli(*base, "--steps", "10", "--hours", "0.0001", "--resume")
    assert r.returncode == 0 and "stopped: --hours" in r.stdout, r.stdout + r.stderr
    assert torch.load(os.path.join(run, "checkpoint.pt"), weights_only=False)["step"] == 3
    # the held-out frames inside a training range are refused
    r = cli("--run", os.path.join(TMP, "run-bad"), "--train", train, "--heldout", held, "--steps", "1")
    assert r.returncode == 2 and "held-out" in r.stderr, r.stderr
    # SIGTERM: a checkpoint, then a clean exit
    run2 = os.path.join(TMP, "run-term")
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "train.py"), "--threads", "1", "--run", run2, "--train",
                          f"{train}:0:30", "--heldout", held, "--ngf", "4", "--steps", "100000",
                          "--window-clips", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    log = os.path.join(run2, "train.log")
    while time.time() < deadline and not (os.path.exists(log) and "step 2 " in open(log).read()):
        time.sleep(0.2)
    p.send_signal(signal.SIGTERM)
    out, _ = p.communicate(timeout=120)
    assert p.returncode == 0 and "stopped: SIGTERM" in out, out
    assert torch.load(os.path.join(run2, "checkpoint.pt"), weights_only=False)["step"] >= 2


def main() -> int:
    torch.set_num_threads(1)   # tiny models: one thread is as fast, and much faster on a busy machine
    t0 = time.time()
    passed = failed = 0
    for fn in TESTS:
        t = time.time()
        try:
            fn()
        except Exception:
            failed += 1
            print(f"FAIL {fn.__name__}")
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {fn.__name__} ({time.time() - t:.1f} s)")
    shutil.rmtree(TMP, ignore_errors=True)
    print(f"{passed} passed, {failed} failed ({time.time() - t0:.0f} s)")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
