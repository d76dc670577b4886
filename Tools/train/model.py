"""The trainable generator: the official BDMM architecture at a chosen width, as the differentiable
functions of Tools/torch_reference/bdmm_reference.py over a dict of leaf tensors with the official key
names. Owns: the from-scratch initialisation of every key of layout.layout(ngf, 2ngf, 4ngf, 8ngf), which keys
are trained (all but the fixed 4×4 FIR kernels and the never-run deepest warp_encoder block), the forward of a
clip of consecutive windows with carried state, and the float16 safetensors export posestudio loads.

Initialisation (from scratch):
  instance norm weight 1, bias 0; plain convs kaiming-normal (gain √(2/(1+a²)), a = 0.1 for the encoder and
  residual blocks' leaky ReLU(0.1), a = 0 for the DMM flow_conv before its ReLU, gain 1 for the linear 1×1
  shortcuts), their biases 0; DMM offset_conv and mask_conv all zero (the deformable conv starts as a plain
  conv: offsets 0, masks 2·sigmoid(0) = 1); modulated conv weights N(0, 1) and modulation (EqualLinear) weights
  N(0, 1) — the reference scales both by 1/√fan_in at run time (StyleGAN2 equalized learning rate) —,
  modulation biases 1, styled-conv/DMM/ToRGB biases and activate biases 0; FIR kernels
  [1,3,3,1]⊗[1,3,3,1]/64·4 (StyleGAN2's upsample kernel), never trained.
"""

from __future__ import annotations

import math
import os
import sys
from collections import OrderedDict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "torch_reference"))
from bdmm_reference import BDMMGenerator, Carry  # noqa: E402
from layout import layout, widths_of  # noqa: E402
from st_io import write_safetensors  # noqa: E402

FIR = torch.outer(torch.tensor([1.0, 3.0, 3.0, 1.0]), torch.tensor([1.0, 3.0, 3.0, 1.0])) / 64.0 * 4.0


def widths(ngf: int) -> tuple[int, int, int, int]:
    return ngf, 2 * ngf, 4 * ngf, 8 * ngf


def is_fixed(name: str) -> bool:
    """FIR kernels: constants of the architecture, not trained."""
    return name.endswith(("blur.kernel", "upsample.kernel"))


def is_unused(name: str, sd_names) -> bool:
    """The deepest warp_encoder block: in the state_dict, never run (its output is unused), gets no gradient."""
    deepest = max((int(n.split(".")[1][len("encoder"):]) for n in sd_names
                   if n.startswith("warp_encoder.encoder")), default=None)
    return deepest is not None and name.startswith(f"warp_encoder.encoder{deepest}.")


def init_state_dict(ngf: int, seed: int = 0) -> "OrderedDict[str, torch.Tensor]":
    """A from-scratch generator of the official layout at width ngf (module docstring for the rules)."""
    g = torch.Generator().manual_seed(seed)
    out: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    for name, shape in layout(*widths(ngf)).items():
        leaf = name.rsplit(".", 1)[-1]
        module = name.rsplit(".", 1)[0]
        if is_fixed(name):
            t = FIR.clone()
        elif module.endswith((".model.0", ".model.3")):                 # instance norm
            t = torch.ones(shape) if leaf == "weight" else torch.zeros(shape)
        elif ".modulation." in name:
            t = torch.randn(shape, generator=g) if leaf == "weight" else torch.ones(shape)
        elif leaf == "weight" and len(shape) == 5:                      # modulated conv
            t = torch.randn(shape, generator=g)
        elif ".offset_conv." in name or ".mask_conv." in name:
            t = torch.zeros(shape)
        elif leaf == "weight" and len(shape) == 4:                      # plain conv
            fan_in = math.prod(shape[1:])
            if ".shortcut." in name:
                gain = 1.0
            elif ".flow_conv." in name:
                gain = math.sqrt(2.0)
            else:
                gain = math.sqrt(2.0 / (1.0 + 0.1 ** 2))
            t = torch.randn(shape, generator=g) * (gain / math.sqrt(fan_in))
        elif leaf == "bias":
            t = torch.zeros(shape)
        else:
            raise ValueError(f"no initialisation rule for {name} {shape}")
        out[name] = t.to(torch.float32).contiguous()
    return out


class TrainableGenerator:
    """The official-layout state_dict as leaf tensors (trainable ones with requires_grad) and the reference's
    functional generator over exactly those tensors (no copies: gradients reach them)."""

    def __init__(self, state_dict: "dict[str, torch.Tensor]", device: str | torch.device = "cpu"):
        names = list(state_dict)
        self.tensors: "OrderedDict[str, torch.Tensor]" = OrderedDict()
        for k, v in state_dict.items():
            t = v.detach().to(device=device, dtype=torch.float32).clone().contiguous()
            if not (is_fixed(k) or is_unused(k, names)):
                t = torch.nn.Parameter(t)
            self.tensors[k] = t
        self.ref = BDMMGenerator(self.tensors)
        assert all(self.ref.sd[k] is t for k, t in self.tensors.items()), "the reference copied a weight"
        self.ngf = widths_of(self.tensors)[0]

    def parameters(self) -> list[torch.nn.Parameter]:
        return [t for t in self.tensors.values() if isinstance(t, torch.nn.Parameter)]

    def named_parameters(self) -> list[tuple[str, torch.nn.Parameter]]:
        return [(k, t) for k, t in self.tensors.items() if isinstance(t, torch.nn.Parameter)]

    def state_dict(self) -> "OrderedDict[str, torch.Tensor]":
        return OrderedDict((k, t.detach().cpu().clone()) for k, t in self.tensors.items())

    def load_state_dict(self, sd: "dict[str, torch.Tensor]") -> None:
        if list(sd) != list(self.tensors):
            raise KeyError("generator state_dict keys differ from the model's")
        with torch.no_grad():
            for k, t in self.tensors.items():
                t.copy_(sd[k])

    def forward_clip(self, p_ref: torch.Tensor, windows: list, detach_carry: bool = False) -> torch.Tensor:
        """Consecutive windows of one clip, state carried from each window to the next as at inference.
        windows: [(bp [1,N,25,H,W], flow_frames [1,N,H,W,2], flow_pre [1,H,W,2], flow_post [1,H,W,2]), …].
        Returns every window's frames, [ΣN, 3, H, W] in (−1, 1)."""
        carry, outs = None, []
        for bp, flow_frames, flow_pre, flow_post in windows:
            r, carry = self.ref.run_window(p_ref, bp, flow_frames, flow_pre, flow_post, carry, collect=False)
            outs.append(r["out"][0])
            if detach_carry:
                carry = Carry(*(t.detach() for t in (carry.last_frame, carry.uv_state, carry.warp64, carry.warp128)))
        return torch.cat(outs, 0)

    def rounded_f16(self) -> "TrainableGenerator":
        """A copy whose weights went through float16, as posestudio gets them from the exported file."""
        return TrainableGenerator(OrderedDict((k, t.detach().half().float()) for k, t in self.tensors.items()),
                                  device=next(iter(self.tensors.values())).device)


def save_generator(path: str, gen: TrainableGenerator, metadata: dict | None = None) -> None:
    """The generator only, official key names and order, float16 safetensors, written atomically."""
    write_safetensors(path, gen.state_dict(), metadata, float_dtype="F16")
    os.chmod(path, 0o644)
