#!/usr/bin/env python3
"""Self-tests of the torch reference against slow, obvious references written from the spec formulas:
deformable conv (torchvision border rules, scalar loops), stride-2 transposed conv + 4x4 blur, instance norm;
plus the MAC count against torch's FlopCounterMode, the §7 key layout against the fixture, the §1.5 window
rules, and the error paths of the tensor-file readers. Plain Python, no pytest:

    python3 Tools/torch_reference/selftest.py        # ends with "N passed, M failed"
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import traceback
import zipfile

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cost  # noqa: E402
from bdmm_reference import BDMMGenerator, WeightError, window_plan  # noqa: E402
from st_io import TensorFileError, load_weights, read_safetensors, write_safetensors  # noqa: E402
from layout import official_shapes  # noqa: E402
from synthetic import FIR, random_weights  # noqa: E402

FIXTURES = os.path.join(HERE, "..", "..", "Tests", "Fixtures")
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def close(a: torch.Tensor, b: torch.Tensor, tol: float, what: str) -> None:
    assert a.shape == b.shape, f"{what}: shape {tuple(a.shape)} != {tuple(b.shape)}"
    err = float((a.double() - b.double()).abs().max()) if a.numel() else 0.0
    assert err <= tol, f"{what}: max |Δ| {err:.3e} > {tol:.1e}"


# ---------------------------------------------------------------- slow references (float64, loops)

def slow_bilinear(x: torch.Tensor, c: int, py: float, px: float) -> float:
    """torchvision deform_conv2d CPU sampling: 0 outside (-1, H) x (-1, W); missing neighbours contribute 0."""
    h, w = x.shape[2], x.shape[3]
    if py <= -1 or py >= h or px <= -1 or px >= w:
        return 0.0
    y0, x0 = math.floor(py), math.floor(px)
    ly, lx = py - y0, px - x0
    total = 0.0
    for yy, xx, wt in ((y0, x0, (1 - ly) * (1 - lx)), (y0, x0 + 1, (1 - ly) * lx),
                       (y0 + 1, x0, ly * (1 - lx)), (y0 + 1, x0 + 1, ly * lx)):
        if 0 <= yy < h and 0 <= xx < w:
            total += wt * float(x[0, c, yy, xx])
    return total


def slow_deform(x, offset, mask, weight):
    _, c, h, w = x.shape
    cout = weight.shape[0]
    out = torch.zeros(1, cout, h, w, dtype=torch.float64)
    for y in range(h):
        for xx in range(w):
            cols = torch.zeros(c, 9, dtype=torch.float64)
            for i in range(3):
                for j in range(3):
                    k = 3 * i + j
                    py = y - 1 + i + float(offset[0, 2 * k, y, xx])
                    px = xx - 1 + j + float(offset[0, 2 * k + 1, y, xx])
                    for ch in range(c):
                        cols[ch, k] = slow_bilinear(x, ch, py, px) * float(mask[0, k, y, xx])
            out[0, :, y, xx] = (weight.double().reshape(cout, c * 9) @ cols.reshape(c * 9))
    return out


def slow_upsample_blur(x, wm, kernel):
    """t[o](2y+a, 2v+b) += Σ_c w'[o,c,a,b]·in[c](y,v); zero-pad by 1; out(y,x) = Σ K[u,v]·t_pad(y+u, x+v)."""
    _, cin, h, w = x.shape
    cout = wm.shape[0]
    t = torch.zeros(cout, 2 * h + 1, 2 * w + 1, dtype=torch.float64)
    for y in range(h):
        for v in range(w):
            for a in range(3):
                for b in range(3):
                    t[:, 2 * y + a, 2 * v + b] += wm[:, :, a, b].double() @ x[0, :, y, v].double()
    tp = F.pad(t, (1, 1, 1, 1))
    out = torch.zeros(1, cout, 2 * h, 2 * w, dtype=torch.float64)
    for u in range(4):
        for v in range(4):
            out[0] += float(kernel[u, v]) * tp[:, u:u + 2 * h, v:v + 2 * w]
    return out


# ---------------------------------------------------------------- ops

@test
def deform_matches_slow_reference():
    g = torch.Generator().manual_seed(5)
    for (c, cout, h, w, scale) in ((3, 4, 5, 6, 2.5), (2, 3, 2, 2, 1.5), (4, 2, 7, 3, 4.0), (2, 2, 4, 4, 0.0)):
        x = torch.randn(1, c, h, w, generator=g)
        off = torch.randn(1, 18, h, w, generator=g) * scale
        if scale == 0.0:   # integer offsets, some landing exactly on the border lines
            off = torch.randint(-2, 3, (1, 18, h, w), generator=g).float()
        mask = torch.rand(1, 9, h, w, generator=g) * 2
        wt = torch.randn(cout, c, 3, 3, generator=g)
        got = BDMMGenerator.deform_conv3x3(x, off, mask, wt)
        close(got, slow_deform(x, off, mask, wt), 2e-5, f"deform {c}->{cout} @{h}x{w} offsets×{scale}")


@test
def deform_zero_offsets_unit_mask_is_conv():
    g = torch.Generator().manual_seed(6)
    x = torch.randn(1, 5, 9, 7, generator=g)
    wt = torch.randn(6, 5, 3, 3, generator=g)
    got = BDMMGenerator.deform_conv3x3(x, torch.zeros(1, 18, 9, 7), torch.ones(1, 9, 9, 7), wt)
    close(got, F.conv2d(x, wt, padding=1), 1e-5, "deform(0 offsets, mask 1) vs conv2d")


@test
def upsample_and_blur_match_slow_reference():
    g = torch.Generator().manual_seed(7)
    sd = {"up.weight": torch.randn(1, 4, 3, 3, 3, generator=g), "up.blur.kernel": FIR.clone(),
          "up.modulation.weight": torch.randn(3, 8, generator=g), "up.modulation.bias": torch.ones(3)}
    gen = BDMMGenerator.__new__(BDMMGenerator)
    gen.sd = sd
    style = torch.randn(1, 8, generator=g)
    for (h, w) in ((1, 1), (3, 2), (4, 5)):
        x = torch.randn(1, 3, h, w, generator=g)
        got = gen.modulated_conv(x, "up", style, demodulate=True, upsample=True)
        wm = gen.modulated_weight("up", style, demodulate=True)
        close(got, slow_upsample_blur(x, wm, FIR), 1e-5, f"upsample+blur @{h}x{w}")
        assert got.shape[2:] == (2 * h, 2 * w)
    # demodulated rows have unit norm; the scale is 1/sqrt(cin·k·k)
    wm = gen.modulated_weight("up", style, demodulate=True)
    close(wm.pow(2).sum(dim=(1, 2, 3)), torch.ones(4), 1e-5, "demodulated norms")
    s = F.linear(style, sd["up.modulation.weight"] / math.sqrt(8), sd["up.modulation.bias"])[0]
    plain = gen.modulated_weight("up", style, demodulate=False)
    close(plain, sd["up.weight"][0] / math.sqrt(27) * s.view(1, 3, 1, 1), 1e-6, "modulation")


@test
def instance_norm_matches_formula():
    g = torch.Generator().manual_seed(8)
    x = torch.randn(1, 3, 2, 1, generator=g) * 0.01     # tiny maps, where eps matters (spec §2)
    gen = BDMMGenerator.__new__(BDMMGenerator)
    gen.sd = {"n.weight": torch.tensor([1.1, 0.9, 1.0]), "n.bias": torch.tensor([0.1, -0.2, 0.0])}
    xd = x.double()
    mean = xd.mean(dim=(2, 3), keepdim=True)
    var = ((xd - mean) ** 2).mean(dim=(2, 3), keepdim=True)
    want = (xd - mean) / torch.sqrt(var + 1e-5) * gen.sd["n.weight"].double().view(1, 3, 1, 1) \
        + gen.sd["n.bias"].double().view(1, 3, 1, 1)
    close(gen.instance_norm(x, "n"), want, 1e-5, "instance norm")


# ---------------------------------------------------------------- layout, cost, windows

@test
def official_layout_matches_fixture_and_spec():
    sd, _ = read_safetensors(os.path.join(FIXTURES, "bdmm", "generator_state_dict.safetensors"))
    assert list(official_shapes(16).items()) == [(k, tuple(v.shape)) for k, v in sd.items()], "fixture layout"
    full = official_shapes(1)
    params = sum(math.prod(s) for k, s in full.items() if not k.endswith("kernel"))
    buffers = sum(math.prod(s) for k, s in full.items() if k.endswith("kernel"))
    assert (len(full), params, buffers) == (241, 31_540_083, 112), (len(full), params, buffers)


@test
def random_weights_follow_recipe():
    w = random_weights(0, div=16)
    assert torch.equal(w["conv1up.conv.blur.kernel"], FIR) and float(FIR.sum()) == 4.0
    assert abs(float(w["x_rcnn1.model.0.weight"].mean()) - 1.0) < 0.1
    bound = math.sqrt(3.0 / (16 * 9))
    assert float(w["x_rcnn2.model.2.weight"].abs().max()) <= bound
    assert torch.equal(random_weights(0, div=16)["decoder256.conv.weight"], w["decoder256.conv.weight"])
    BDMMGenerator(w)   # passes the generator's own checks


@test
def mac_count_matches_flop_counter():
    from torch.utils.flop_counter import FlopCounterMode
    folder = os.path.join(FIXTURES, "bdmm-2windows")
    inputs, _ = read_safetensors(os.path.join(folder, "inputs.safetensors"))
    gen = BDMMGenerator(load_weights(os.path.join(folder, "generator_state_dict.safetensors")))
    counter = FlopCounterMode(display=False)
    with counter:
        gen.run_video(inputs, collect=False)
    assert counter.get_total_flops() == 2 * cost.video_macs(gen.sd, 128, 64, [2, 2]), "MACs vs FlopCounterMode"
    # spec §9: 39.31 GMAC/frame recurring, minus the skipped warp_encoder.encoder1 (1.14)
    shapes = {k: torch.empty(s, device="meta") for k, s in official_shapes(1).items()}
    per_frame = cost.frame_macs(shapes, 256, 256) / 1e9
    assert abs(per_frame - (39.31 - 1.14)) < 0.02, per_frame


@test
def window_rules():
    assert window_plan(4, 2) == [{"frames": [0, 1], "pre": 0, "post": 2}, {"frames": [2, 3], "pre": 1, "post": 3}]
    plan = window_plan(14)
    assert [p["frames"][0] for p in plan] == [0, 6, 12]
    assert plan[0]["pre"] == 0 and plan[1]["pre"] == 5 and plan[1]["post"] == 12
    assert plan[2]["frames"] == [12, 13, 13, 13, 13, 13] and plan[2]["post"] == 13


# ---------------------------------------------------------------- readers and weight errors

@test
def safetensors_round_trip_and_errors():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "t.safetensors")
        src = {"a": torch.arange(6, dtype=torch.float32).view(2, 3), "b": torch.tensor([1.5])}
        write_safetensors(path, src, {"k": 1})
        got, meta = read_safetensors(path)
        assert meta == {"k": "1"} and all(torch.equal(got[k], v) for k, v in src.items())
        assert [f for f in os.listdir(d)] == ["t.safetensors"], "temp file left behind"
        mixed = os.path.join(d, "m.safetensors")   # U8 kept as uint8, floats written as F16 on request
        write_safetensors(mixed, {"img": torch.tensor([[0, 7, 255]], dtype=torch.uint8),
                                  "w": torch.tensor([1.0, -0.5, 1e-3])}, float_dtype="F16")
        got, _ = read_safetensors(mixed)
        assert got["img"].dtype == torch.uint8 and got["img"].tolist() == [[0, 7, 255]], got["img"]
        assert got["w"].dtype == torch.float32 and torch.equal(got["w"], torch.tensor([1.0, -0.5, 1e-3]).half().float())
        os.unlink(mixed)
        blob = open(path, "rb").read()
        cases = {"truncated.safetensors": blob[:-4], "short.safetensors": blob[:5],
                 "random.safetensors": os.urandom(64), "header.safetensors": (10**9).to_bytes(8, "little") + blob[8:]}
        for name, data in cases.items():
            p = os.path.join(d, name)
            open(p, "wb").write(data)
            try:
                read_safetensors(p)
            except TensorFileError as e:
                assert name in str(e), str(e)
            else:
                raise AssertionError(f"{name} was accepted")
        for name, data in {"random.pth": os.urandom(256), "empty.pth": None}.items():
            p = os.path.join(d, name)
            if data is None:
                zipfile.ZipFile(p, "w").close()
            else:
                open(p, "wb").write(data)
            try:
                load_weights(p)
            except TensorFileError as e:
                assert name in str(e), str(e)
            else:
                raise AssertionError(f"{name} was accepted")


@test
def weight_errors_name_the_tensor():
    w = random_weights(1, div=16)
    missing = dict(w)
    del missing["forconv2.mask_conv.weight"]
    wrong = dict(w)
    wrong["directconv1.conv.modulation.weight"] = torch.zeros(8, 31)
    extra = dict(w)
    extra["module.decoder256.bias"] = torch.zeros(1, 3, 1, 1)
    for sd, key in ((missing, "forconv2.mask_conv.weight"), (wrong, "directconv1.conv.modulation.weight"),
                    (extra, "module.decoder256.bias")):
        try:
            BDMMGenerator(sd)
        except WeightError as e:
            assert key in str(e), str(e)
        else:
            raise AssertionError(f"{key}: accepted")


@test
def skipping_the_deepest_warp_block_changes_nothing():
    gen = BDMMGenerator(random_weights(2, div=16))
    x = torch.rand(1, 3, 128, 64) * 2 - 1
    full = gen.pose_source_net(x, "warp_encoder")
    skipped = gen.pose_source_net(x, "warp_encoder", skip_deepest=True)
    assert skipped[0] is None and torch.equal(full[1], skipped[1]) and torch.equal(full[2], skipped[2])


def main() -> int:
    passed = failed = 0
    for fn in TESTS:
        try:
            fn()
            print(f"ok   {fn.__name__}")
            passed += 1
        except Exception:
            print(f"FAIL {fn.__name__}\n{traceback.format_exc()}")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
