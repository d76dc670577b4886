"""Analytic multiply-accumulate count of what bdmm_reference executes (spec §9 conventions: convolutions,
transposed convs, the 4x4 blur, the deformable GEMM, plus the small EqualLinear style modulations), from the
state_dict shapes, the frame size and the window sizes. The deepest warp-encoder block is not run, so it is
not counted."""

from __future__ import annotations


def _conv(sd: dict, key: str, h_out: int, w_out: int) -> int:
    cout, cin, kh, kw = sd[key].shape
    return cout * cin * kh * kw * h_out * w_out


def _encoder_net(sd: dict, prefix: str, h: int, w: int, blocks: int) -> int:
    total = 0
    names = [f"{prefix}.block0"] + [f"{prefix}.encoder{i}" for i in range(blocks - 1)]
    for b in names:
        h, w = h // 2, w // 2
        total += _conv(sd, f"{b}.model.2.weight", h, w) + _conv(sd, f"{b}.model.5.weight", h, w)
    return total


def _count_blocks(sd: dict, prefix: str) -> int:
    n = 1
    while f"{prefix}.encoder{n - 1}.model.2.weight" in sd:
        n += 1
    return n


def _res(sd: dict, p: str, h: int, w: int) -> int:
    total = _conv(sd, f"{p}.model.2.weight", h, w) + _conv(sd, f"{p}.model.5.weight", h, w)
    if f"{p}.shortcut.0.weight" in sd:
        total += _conv(sd, f"{p}.shortcut.0.weight", h, w)
    return total


def _modulation(sd: dict, p: str) -> int:
    cin, style = sd[f"{p}.modulation.weight"].shape
    return cin * style


def _modconv(sd: dict, p: str, h: int, w: int, upsample: bool) -> int:
    """h, w = input size. Upsampling: transposed conv over the input pixels + blur on the 2h x 2w output."""
    _, cout, cin, kh, kw = sd[f"{p}.weight"].shape
    total = _modulation(sd, p) + cout * cin * kh * kw * h * w
    if upsample:
        total += cout * 16 * (2 * h) * (2 * w)
    return total


def _dmm(sd: dict, p: str, h: int, w: int) -> int:
    _, c, _, _, _ = sd[f"{p}.conv.weight"].shape
    return (_conv(sd, f"{p}.flow_conv.0.weight", h, w) + _conv(sd, f"{p}.offset_conv.weight", h, w)
            + _conv(sd, f"{p}.mask_conv.weight", h, w) + _modulation(sd, f"{p}.conv") + c * c * 9 * h * w)


def frame_macs(sd: dict, h: int, w: int) -> int:
    """MACs recurring for every output frame."""
    warp_blocks = _count_blocks(sd, "warp_encoder") - 1          # deepest skipped
    total = _encoder_net(sd, "warp_encoder", h, w, warp_blocks)
    total += _encoder_net(sd, "x_encoder", h, w, _count_blocks(sd, "x_encoder"))
    total += _res(sd, "x_rcnn1", h // 8, w // 8) + _res(sd, "x_rcnn2", h // 8, w // 8)
    for d in ("for", "back"):
        total += _res(sd, f"{d}_rcnn64", h // 4, w // 4) + _res(sd, f"{d}_rcnn128", h // 2, w // 2)
        total += _dmm(sd, f"{d}conv1", h // 4, w // 4) + _dmm(sd, f"{d}conv2", h // 2, w // 2)
    total += _modconv(sd, "conv1up.conv", h // 8, w // 8, True)
    total += _modconv(sd, "directconv1.conv", h // 4, w // 4, False)
    total += _modconv(sd, "conv2up.conv", h // 4, w // 4, True)
    total += _modconv(sd, "directconv2.conv", h // 2, w // 2, False)
    total += _modconv(sd, "conv3up.conv", h // 2, w // 2, True) + _modconv(sd, "directconv3.conv", h, w, False)
    total += _modconv(sd, "decoder256.conv", h, w, False)
    return total


def window_macs(sd: dict, h: int, w: int, first_window: bool) -> int:
    """MACs paid once per window: the style encoder, the post-frame warp, the pre-frame warp in a video's
    first window (later windows use the carried forward state)."""
    warp = _encoder_net(sd, "warp_encoder", h, w, _count_blocks(sd, "warp_encoder") - 1)
    return _encoder_net(sd, "x_ref", h, w, _count_blocks(sd, "x_ref")) + warp * (2 if first_window else 1)


def video_macs(sd: dict, h: int, w: int, window_sizes: list[int]) -> int:
    return sum(window_macs(sd, h, w, k == 0) + n * frame_macs(sd, h, w) for k, n in enumerate(window_sizes))
