"""An independent PyTorch (CPU, float32) implementation of the BDMM generator, written from
`docs/bdmm-generator-spec.md` only (not from the authors' code). Owns: the building blocks (§2), the DMM
block with a grid_sample-based modulated deformable conv (§4), bidirectional propagation and the decoder
(§5), the style/structural/warp encoders (§6), windows with carried state (§1.5). Layer widths come from the
state_dict shapes, so width-reduced fixtures and the full model go through the same code.

Usage as a library:
    gen = BDMMGenerator(st_io.load_weights("latest_net_G.pth"))
    results = gen.run_video(inputs)   # inputs: P_ref, w0.BP, w0.flow_frames, w0.flow_pre, w0.flow_post, w1.…
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from layout import layout_problems

SQRT2 = math.sqrt(2.0)
IN_EPS = 1e-5        # §2: must be exactly 1e-5
DEMOD_EPS = 1e-8     # §2: StyleGAN2 demodulation epsilon
WINDOW = 6           # §1.1: n_frames_pre_load_test


class WeightError(Exception):
    """A state_dict that does not fit the generator (missing, unexpected or wrongly-shaped tensor)."""


@dataclass
class Carry:
    """State carried from one window to the next of the same video (§1.5). The backward branch is never carried."""
    last_frame: torch.Tensor   # P_pre: the last generated frame (1, 3, H, W)
    uv_state: torch.Tensor     # structural state after the last frame (1, C, H/8, W/8)
    warp64: torch.Tensor       # forward-propagation state at 1/4 scale
    warp128: torch.Tensor      # forward-propagation state at 1/2 scale


def window_plan(num_frames: int, window: int = WINDOW) -> list[dict]:
    """§1.5 for a video of `num_frames` frames: pad at the end by repeating the last frame up to a multiple of
    `window`, cut into non-overlapping windows; per window the frame indices (into the unpadded video) of its
    frames, its "pre" frame and its "post" frame. First window: pre = frame 0; other windows: pre = t-1.
    post = t+window, except for the final window, where it is the last (padded) frame. A single-window video
    (an index error in the official code, §1.5) uses the final-window rule."""
    if num_frames < 1:
        raise ValueError("a video needs at least one frame")
    padded = -(-num_frames // window) * window
    last = num_frames - 1
    plan = []
    for t in range(0, padded, window):
        final = t + window >= padded
        plan.append({
            "frames": [min(j, last) for j in range(t, t + window)],
            "pre": 0 if t == 0 else min(t - 1, last),
            "post": min(padded - 1, last) if final else min(t + window, last),
        })
    return plan


class BDMMGenerator:
    """The generator as functions over a state_dict (official key names)."""

    def __init__(self, state_dict: "dict[str, torch.Tensor]"):
        self.sd = {k: v.to(torch.float32).contiguous() for k, v in state_dict.items()}
        self._check()

    # ---------------------------------------------------------------- weights

    def w(self, key: str) -> torch.Tensor:
        try:
            return self.sd[key]
        except KeyError:
            raise WeightError(f"missing tensor {key!r}") from None

    def has(self, key: str) -> bool:
        return key in self.sd

    def _encoder_blocks(self, prefix: str) -> list[str]:
        blocks = [f"{prefix}.block0"]
        i = 0
        while self.has(f"{prefix}.encoder{i}.model.2.weight"):
            blocks.append(f"{prefix}.encoder{i}")
            i += 1
        return blocks

    def _check(self) -> None:
        """The state_dict must have the official layout for its own widths (read from its shapes): every
        missing, unexpected or wrongly-shaped tensor is named before any compute."""
        problems = layout_problems(self.sd)
        if problems:
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise WeightError("; ".join(problems[:5]) + more)

    # ---------------------------------------------------------------- §2 building blocks

    def instance_norm(self, x: torch.Tensor, p: str) -> torch.Tensor:
        return F.instance_norm(x, weight=self.w(p + ".weight"), bias=self.w(p + ".bias"), eps=IN_EPS)

    def conv(self, x: torch.Tensor, p: str, stride: int = 1, padding: int | None = None) -> torch.Tensor:
        weight = self.w(p + ".weight")
        pad = weight.shape[-1] // 2 if padding is None else padding
        return F.conv2d(x, weight, self.w(p + ".bias"), stride=stride, padding=pad)

    def encoder_block(self, x: torch.Tensor, p: str) -> torch.Tensor:
        """IN -> lrelu(0.1) -> conv 4/2/1 -> IN -> lrelu(0.1) -> conv 3/1/1."""
        h = F.leaky_relu(self.instance_norm(x, p + ".model.0"), 0.1)
        h = self.conv(h, p + ".model.2", stride=2, padding=1)
        h = F.leaky_relu(self.instance_norm(h, p + ".model.3"), 0.1)
        return self.conv(h, p + ".model.5", stride=1, padding=1)

    def pose_source_net(self, x: torch.Tensor, prefix: str, skip_deepest: bool = False) -> list:
        """Block outputs in reverse order (index 0 = deepest). With skip_deepest the last block is not run
        and index 0 is None (its result is unused, §9)."""
        blocks = self._encoder_blocks(prefix)
        outs: list = []
        for b in (blocks[:-1] if skip_deepest else blocks):
            x = self.encoder_block(x, b)
            outs.append(x)
        if skip_deepest:
            outs.append(None)
        return outs[::-1]

    def res_block(self, x: torch.Tensor, p: str) -> torch.Tensor:
        h = F.leaky_relu(self.instance_norm(x, p + ".model.0"), 0.1)
        h = self.conv(h, p + ".model.2", padding=1)
        h = F.leaky_relu(self.instance_norm(h, p + ".model.3"), 0.1)
        h = self.conv(h, p + ".model.5", padding=1)
        shortcut = self.conv(x, p + ".shortcut.0", padding=0) if self.has(p + ".shortcut.0.weight") else x
        return h + shortcut

    def equal_linear(self, style: torch.Tensor, p: str) -> torch.Tensor:
        weight = self.w(p + ".weight")
        return F.linear(style, weight / math.sqrt(weight.shape[1]), self.w(p + ".bias"))

    def modulated_weight(self, p: str, style: torch.Tensor, demodulate: bool) -> torch.Tensor:
        """w'[o,i] = W[o,i] / sqrt(cin k k) * s[i], optionally demodulated per output channel."""
        weight = self.w(p + ".weight")[0]                     # (cout, cin, k, k)
        cout, cin, kh, kw = weight.shape
        s = self.equal_linear(style, p + ".modulation")[0]    # (cin,)
        if s.shape[0] != cin:
            raise WeightError(f"{p}.modulation.weight: {s.shape[0]} outputs for a conv with {cin} input channels")
        wm = weight * (1.0 / math.sqrt(cin * kh * kw)) * s.view(1, cin, 1, 1)
        if demodulate:
            wm = wm * torch.rsqrt(wm.pow(2).sum(dim=(1, 2, 3)) + DEMOD_EPS).view(cout, 1, 1, 1)
        return wm

    @staticmethod
    def blur(t: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        """upfirdn2d with up = down = 1, pad (1, 1): zero-pad by 1, then per-channel 4x4 FIR (kernel flipped
        then correlated, i.e. a true convolution; the stored kernel is symmetric and used as loaded)."""
        c = t.shape[1]
        k = torch.flip(kernel, [0, 1]).view(1, 1, 4, 4).expand(c, 1, 4, 4)
        return F.conv2d(t, k, padding=1, groups=c)

    def modulated_conv(self, x: torch.Tensor, p: str, style: torch.Tensor, demodulate: bool,
                       upsample: bool) -> torch.Tensor:
        wm = self.modulated_weight(p, style, demodulate)
        if upsample:
            # stride-2 transposed conv, no padding: (2H+1)x(2W+1), then the blur brings it to 2H x 2W
            t = F.conv_transpose2d(x, wm.transpose(0, 1), stride=2, padding=0)
            return self.blur(t, self.w(p + ".blur.kernel"))
        return F.conv2d(x, wm, padding=wm.shape[-1] // 2)

    def fused_lrelu(self, x: torch.Tensor, p: str) -> torch.Tensor:
        """FusedLeakyReLU: lrelu(x + activate.bias, 0.2) * sqrt(2)."""
        return F.leaky_relu(x + self.w(p + ".activate.bias").view(1, -1, 1, 1), 0.2) * SQRT2

    def styled_conv(self, x: torch.Tensor, p: str, style: torch.Tensor, demodulate: bool = True,
                    upsample: bool = False) -> torch.Tensor:
        out = self.modulated_conv(x, p + ".conv", style, demodulate, upsample) + self.w(p + ".bias")
        return self.fused_lrelu(out, p)

    def to_rgb(self, x: torch.Tensor, p: str, style: torch.Tensor) -> torch.Tensor:
        return self.modulated_conv(x, p + ".conv", style, demodulate=False, upsample=False) + self.w(p + ".bias")

    # ---------------------------------------------------------------- §4 DMM block

    @staticmethod
    def deform_conv3x3(x: torch.Tensor, offset: torch.Tensor, mask: torch.Tensor,
                       weight: torch.Tensor) -> torch.Tensor:
        """Modulated deformable 3x3 conv (stride 1, padding 1, one offset group, no bias), torchvision
        semantics, through grid_sample(align_corners=True, zeros): tap k = 3i + j samples
        (y - 1 + i + off[2k], x - 1 + j + off[2k+1]) bilinearly, times mask[k]; then one GEMM."""
        _, c, h, w = x.shape
        if h < 2 or w < 2:
            raise ValueError(f"deformable conv needs a map of at least 2x2, got {h}x{w}")
        taps = torch.arange(9, dtype=x.dtype, device=x.device)
        ti = (taps // 3).view(9, 1, 1)
        tj = (taps % 3).view(9, 1, 1)
        ys = torch.arange(h, dtype=x.dtype, device=x.device).view(1, h, 1)
        xs = torch.arange(w, dtype=x.dtype, device=x.device).view(1, 1, w)
        py = ys - 1 + ti + offset[0, 0::2]                    # (9, h, w) rows
        px = xs - 1 + tj + offset[0, 1::2]                    # (9, h, w) columns
        grid = torch.stack((px * (2.0 / (w - 1)) - 1.0, py * (2.0 / (h - 1)) - 1.0), dim=-1)
        cols = F.grid_sample(x, grid.view(1, 9 * h, w, 2), mode="bilinear", padding_mode="zeros",
                             align_corners=True)              # (1, c, 9h, w)
        cols = cols.view(c, 9, h * w) * mask.view(1, 9, h * w)
        out = weight.reshape(weight.shape[0], c * 9) @ cols.view(c * 9, h * w)
        return out.view(1, weight.shape[0], h, w)

    def dmm(self, x_in: torch.Tensor, flow_fea: torch.Tensor, p: str, style: torch.Tensor):
        """DMM(x_in, style, flow_fea): returns (output, offsets, mask)."""
        h = F.relu(self.conv(flow_fea, p + ".flow_conv.0", padding=1))
        offset = self.conv(h, p + ".offset_conv", padding=1)
        mask = 2.0 * torch.sigmoid(self.conv(h, p + ".mask_conv", padding=1))
        wm = self.modulated_weight(p + ".conv", style, demodulate=True)
        out = self.deform_conv3x3(x_in, offset, mask, wm) + self.w(p + ".bias")
        return self.fused_lrelu(out, p), offset, mask

    # ---------------------------------------------------------------- §5/§6 the generator

    def style(self, p_ref: torch.Tensor) -> torch.Tensor:
        return self.pose_source_net(p_ref, "x_ref")[0].mean(dim=(2, 3))

    def warp_features(self, warped: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """warp_encoder [1] (1/4 scale) and [2] (1/2 scale); the deepest block is skipped."""
        feats = self.pose_source_net(warped, "warp_encoder", skip_deepest=True)
        return feats[1], feats[2]

    @staticmethod
    def warp(p_ref: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
        return F.grid_sample(p_ref, grid, mode="bilinear", padding_mode="zeros", align_corners=False)

    def run_window(self, p_ref: torch.Tensor, bp: torch.Tensor, flow_frames: torch.Tensor,
                   flow_pre: torch.Tensor, flow_post: torch.Tensor, carry: Carry | None = None,
                   collect: bool = True) -> tuple[dict, Carry]:
        """One window of N frames. bp (1, N, 25, H, W); flow_frames (1, N, H, W, 2); flow_pre/post (1, H, W, 2).
        Returns (named results as in the fixture's expected file, without the window prefix; carry)."""
        n = bp.shape[1]
        style = self.style(p_ref)
        warped = [self.warp(p_ref, flow_frames[:, i]) for i in range(n)]
        enc = [self.warp_features(wi) for wi in warped]

        # forward propagation: carried state, else the encoded pre-frame warp
        if carry is not None:
            f64, f128 = carry.warp64, carry.warp128
        else:
            f64, f128 = self.warp_features(self.warp(p_ref, flow_pre))
        fwd = []
        for i in range(n):
            f64 = self.res_block(torch.cat((enc[i][0], f64), 1), "for_rcnn64")
            f128 = self.res_block(torch.cat((enc[i][1], f128), 1), "for_rcnn128")
            fwd.append((f64, f128))

        # backward propagation: always from the post-frame warp
        b64, b128 = self.warp_features(self.warp(p_ref, flow_post))
        bwd: list = [None] * n
        for i in reversed(range(n)):
            b64 = self.res_block(torch.cat((enc[i][0], b64), 1), "back_rcnn64")
            b128 = self.res_block(torch.cat((enc[i][1], b128), 1), "back_rcnn128")
            bwd[i] = (b64, b128)

        prev = carry.last_frame if carry is not None else p_ref
        state = carry.uv_state if carry is not None else None
        outs, rgbs, structs = [], [], []
        off0 = mask0 = None
        for i in range(n):
            u = self.pose_source_net(torch.cat((bp[:, i], prev), 1), "x_encoder")[0]
            s_prev = state if state is not None else u
            state = self.res_block(self.res_block(torch.cat((s_prev, u), 1), "x_rcnn1"), "x_rcnn2")

            x = self.styled_conv(state, "conv1up", style, demodulate=True, upsample=True)
            fo, off, mask = self.dmm(fwd[i][0], torch.cat((x, fwd[i][0]), 1), "forconv1", style)
            bo, _, _ = self.dmm(bwd[i][0], torch.cat((x, bwd[i][0]), 1), "backconv1", style)
            x = self.styled_conv(x, "directconv1", style, demodulate=False) + fo + bo
            if i == 0:
                off0, mask0 = off, mask

            x = self.styled_conv(x, "conv2up", style, demodulate=True, upsample=True)
            fo, _, _ = self.dmm(fwd[i][1], torch.cat((x, fwd[i][1]), 1), "forconv2", style)
            bo, _, _ = self.dmm(bwd[i][1], torch.cat((x, bwd[i][1]), 1), "backconv2", style)
            x = self.styled_conv(x, "directconv2", style, demodulate=False) + fo + bo

            x = self.styled_conv(x, "conv3up", style, demodulate=True, upsample=True)
            x = self.styled_conv(x, "directconv3", style, demodulate=False)
            rgb = self.to_rgb(x, "decoder256", style)
            prev = torch.tanh(rgb)
            outs.append(prev)
            if collect:
                rgbs.append(rgb)
                structs.append(state)

        new_carry = Carry(last_frame=prev, uv_state=state, warp64=fwd[-1][0], warp128=fwd[-1][1])
        if not collect:
            return {"out": torch.stack(outs, 1)}, new_carry
        results = {
            "out": torch.stack(outs, 1),
            "rgb_pre_tanh": torch.stack(rgbs, 1),
            "style": style,
            "warped_frames": torch.stack(warped, 1),
            "fwd64": torch.stack([f[0] for f in fwd], 1),
            "fwd128": torch.stack([f[1] for f in fwd], 1),
            "bwd64": torch.stack([b[0] for b in bwd], 1),
            "bwd128": torch.stack([b[1] for b in bwd], 1),
            "struct": torch.stack(structs, 1),
            "f0.forconv1.offset": off0,
            "f0.forconv1.mask": mask0,
            "carry.last_frame": new_carry.last_frame,
            "carry.uv_state": new_carry.uv_state,
            "carry.warp64": new_carry.warp64,
            "carry.warp128": new_carry.warp128,
        }
        return results, new_carry

    def run_video(self, inputs: "dict[str, torch.Tensor]", collect: bool = True) -> dict:
        """Every window `wK` of an inputs dict (P_ref, wK.BP, wK.flow_frames, wK.flow_pre, wK.flow_post for
        K = 0, 1, …), state carried from window K to K+1. Returns results named `wK.<name>`."""
        ks = window_indices(inputs)
        check_inputs(inputs, ks)
        p_ref = inputs["P_ref"]
        results: dict = {}
        carry = None
        with torch.no_grad():
            for k in ks:
                r, carry = self.run_window(
                    p_ref, _need(inputs, f"w{k}.BP"), _need(inputs, f"w{k}.flow_frames"),
                    _need(inputs, f"w{k}.flow_pre"), _need(inputs, f"w{k}.flow_post"), carry, collect)
                results.update({f"w{k}.{name}": t for name, t in r.items()})
        return results


def window_indices(inputs: dict) -> list[int]:
    """The window numbers K present in an inputs dict; they must be 0, 1, … without gaps."""
    ks = sorted({int(m.group(1)) for key in inputs if (m := re.match(r"w(\d+)\.", key))})
    if not ks:
        raise KeyError("inputs: no window (expected keys w0.BP, w0.flow_frames, w0.flow_pre, w0.flow_post)")
    if ks != list(range(len(ks))):
        raise KeyError(f"inputs: windows {ks} are not numbered 0, 1, … without gaps")
    return ks


def check_inputs(inputs: dict, ks: list[int]) -> None:
    """Shapes of every input tensor, each error naming the key: P_ref (1, 3, H, W) with H, W multiples of 8;
    wK.BP (1, N, 25, H, W); wK.flow_frames (1, N, H, W, 2); wK.flow_pre / wK.flow_post (1, H, W, 2)."""
    p_ref = _need(inputs, "P_ref")
    if p_ref.dim() != 4 or tuple(p_ref.shape[:2]) != (1, 3) or p_ref.shape[2] % 8 or p_ref.shape[3] % 8:
        raise ValueError(f"inputs: P_ref has shape {list(p_ref.shape)}, expected [1, 3, H, W] with H, W multiples of 8")
    h, w = p_ref.shape[2:]
    for k in ks:
        bp = _need(inputs, f"w{k}.BP")
        n = bp.shape[1] if bp.dim() == 5 else -1
        want = {f"w{k}.BP": (1, n, 25, h, w), f"w{k}.flow_frames": (1, n, h, w, 2),
                f"w{k}.flow_pre": (1, h, w, 2), f"w{k}.flow_post": (1, h, w, 2)}
        for key, shape in want.items():
            got = tuple(_need(inputs, key).shape)
            if got != shape or n < 1:
                raise ValueError(f"inputs: {key} has shape {list(got)}, expected {list(shape)}")


def _need(inputs: dict, key: str) -> torch.Tensor:
    if key not in inputs:
        raise KeyError(f"inputs: missing tensor {key!r}")
    return inputs[key]
