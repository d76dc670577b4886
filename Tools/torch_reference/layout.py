"""The generator's state_dict layout (spec §7): key names, order and shapes as functions of the four widths
the official code hard-codes (64/128/256/512), the widths read back from a state_dict, and the check that
names every missing, unexpected or wrongly-shaped tensor."""

from __future__ import annotations

from collections import OrderedDict


def _encoder_block(p: str, cin: int, cout: int) -> list:
    return [(f"{p}.model.0.weight", (cin,)), (f"{p}.model.0.bias", (cin,)),
            (f"{p}.model.2.weight", (cout, cin, 4, 4)), (f"{p}.model.2.bias", (cout,)),
            (f"{p}.model.3.weight", (cout,)), (f"{p}.model.3.bias", (cout,)),
            (f"{p}.model.5.weight", (cout, cout, 3, 3)), (f"{p}.model.5.bias", (cout,))]


def _pose_source_net(p: str, cin: int, widths: list[int]) -> list:
    keys = _encoder_block(f"{p}.block0", cin, widths[0])
    for i in range(1, len(widths)):
        keys += _encoder_block(f"{p}.encoder{i - 1}", widths[i - 1], widths[i])
    return keys


def _res_block(p: str, cin: int, cout: int) -> list:
    return [(f"{p}.model.0.weight", (cin,)), (f"{p}.model.0.bias", (cin,)),
            (f"{p}.model.2.weight", (cin, cin, 3, 3)), (f"{p}.model.2.bias", (cin,)),
            (f"{p}.model.3.weight", (cin,)), (f"{p}.model.3.bias", (cin,)),
            (f"{p}.model.5.weight", (cout, cin, 3, 3)), (f"{p}.model.5.bias", (cout,)),
            (f"{p}.shortcut.0.weight", (cout, cin, 1, 1)), (f"{p}.shortcut.0.bias", (cout,))]


def _styled_conv(p: str, cin: int, cout: int, style: int, upsample: bool) -> list:
    keys = [(f"{p}.bias", (1, cout, 1, 1)), (f"{p}.conv.weight", (1, cout, cin, 3, 3))]
    if upsample:
        keys.append((f"{p}.conv.blur.kernel", (4, 4)))
    return keys + [(f"{p}.conv.modulation.weight", (cin, style)), (f"{p}.conv.modulation.bias", (cin,)),
                   (f"{p}.activate.bias", (cout,))]


def _dmm(p: str, c: int, style: int) -> list:
    return [(f"{p}.bias", (1, c, 1, 1)), (f"{p}.upsample.kernel", (4, 4)), (f"{p}.conv.weight", (1, c, c, 3, 3)),
            (f"{p}.conv.modulation.weight", (c, style)), (f"{p}.conv.modulation.bias", (c,)),
            (f"{p}.activate.bias", (c,)),
            (f"{p}.flow_conv.0.weight", (c, 2 * c, 3, 3)), (f"{p}.flow_conv.0.bias", (c,)),
            (f"{p}.offset_conv.weight", (18, c, 3, 3)), (f"{p}.offset_conv.bias", (18,)),
            (f"{p}.mask_conv.weight", (9, c, 3, 3)), (f"{p}.mask_conv.bias", (9,))]


def layout(c64: int, c128: int, c256: int, c512: int) -> "OrderedDict[str, tuple]":
    """Key -> shape of the generator state_dict in the official order, for the four widths the official
    code hard-codes as 64, 128, 256 and 512 (512 is also the style dimension)."""
    keys = _pose_source_net("x_ref", 3, [c64, c128, c256, c512, c512, c512])
    keys += _pose_source_net("x_encoder", 28, [c64, c128, c256])
    keys += _pose_source_net("warp_encoder", 3, [c64, c128, c256])
    keys += _res_block("x_rcnn1", 2 * c256, c256) + _res_block("x_rcnn2", c256, c256)
    keys += _res_block("for_rcnn64", 2 * c128, c128) + _res_block("back_rcnn64", 2 * c128, c128)
    keys += _res_block("for_rcnn128", 2 * c64, c64) + _res_block("back_rcnn128", 2 * c64, c64)
    keys += _styled_conv("conv1up", c256, c128, c512, True) + _styled_conv("directconv1", c128, c128, c512, False)
    keys += _dmm("forconv1", c128, c512) + _dmm("backconv1", c128, c512)
    keys += _styled_conv("conv2up", c128, c64, c512, True) + _styled_conv("directconv2", c64, c64, c512, False)
    keys += _dmm("forconv2", c64, c512) + _dmm("backconv2", c64, c512)
    keys += _styled_conv("conv3up", c64, c64, c512, True) + _styled_conv("directconv3", c64, c64, c512, False)
    keys += [("decoder256.bias", (1, 3, 1, 1)), ("decoder256.conv.weight", (1, 3, c64, 1, 1)),
             ("decoder256.conv.modulation.weight", (c64, c512)), ("decoder256.conv.modulation.bias", (c64,))]
    return OrderedDict(keys)




def official_shapes(div: int = 1) -> "OrderedDict[str, tuple]":
    """div = 1: the authors' checkpoint; div = 16: the fixtures' width-reduced copy."""
    return layout(*(w // div for w in (64, 128, 256, 512)))


def widths_of(sd: dict) -> tuple[int, int, int, int]:
    """The four widths, read from the state_dict (x_ref block0 / encoder0 / encoder1 / encoder2 outputs)."""
    keys = [f"x_ref.{b}.model.2.weight" for b in ("block0", "encoder0", "encoder1", "encoder2")]
    missing = [k for k in keys if k not in sd]
    if missing:
        raise KeyError(missing[0])
    return tuple(int(sd[k].shape[0]) for k in keys)


def layout_problems(sd: dict) -> list[str]:
    """Every missing, unexpected or wrongly-shaped tensor of `sd` against the layout of its own widths."""
    try:
        want = layout(*widths_of(sd))
    except KeyError as e:
        return [f"missing tensor {e.args[0]!r} (needed to read the layer widths)"]
    problems = [f"missing tensor {k!r} (shape {list(s)})" for k, s in want.items() if k not in sd]
    problems += [f"unexpected tensor {k!r}" for k in sd if k not in want]
    problems += [f"tensor {k!r} has shape {list(sd[k].shape)}, expected {list(s)}"
                 for k, s in want.items() if k in sd and tuple(sd[k].shape) != tuple(s)]
    return problems
