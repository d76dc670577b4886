"""Training data in the layout `posestudio dataset` writes (README.md, "Dataset layout"). Owns: reading and
checking a dataset folder (dataset.json, source.safetensors, frames/NNNNNN.safetensors) with a bounded
in-memory frame cache; the window rules for a clip of K consecutive windows inside a frame range (frames
repeat at the range end, pre = the clip's first frame for its first window and t−1 after, post = t+6 or
the range's last frame); the
held-out clip (the dataset's own inference windows); and the sampler that picks (dataset, start frame) for a
training step from (seed, step) alone, so a resumed run sees the same data in the same order."""

from __future__ import annotations

import json
import os
import sys
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "torch_reference"))
from st_io import read_safetensors  # noqa: E402

WINDOW = 6
FORMAT = "posestudio-dataset"


class DatasetError(Exception):
    """A dataset folder that does not have the expected layout; the message names the file."""


@dataclass
class Batch:
    """One clip on a device: generator inputs per window, and per output frame the target, mask, pose, plate."""
    p_ref: torch.Tensor          # [1, 3, H, W]
    windows: list                # [(bp [1,6,25,H,W], flow_frames [1,6,H,W,2], flow_pre [1,H,W,2], flow_post)]
    frames: list                 # sequence frame index of each output frame (6K)
    target: torch.Tensor         # [6K, 3, H, W] in [−1, 1]
    mask: torch.Tensor           # [6K, 1, H, W] 0/1
    bp: torch.Tensor             # [6K, 25, H, W]
    plate: torch.Tensor | None   # [6K, 3, H, W] in [−1, 1], or None


def parse_train_arg(arg: str) -> tuple[str, int | None, int | None]:
    """DIR or DIR:A:B (half-open frame range A..B)."""
    parts = arg.rsplit(":", 2)
    if len(parts) == 3 and parts[1].lstrip("-").isdigit() and parts[2].lstrip("-").isdigit():
        return parts[0], int(parts[1]), int(parts[2])
    return arg, None, None


def clip_plan(start: int, k: int, lo: int, hi: int) -> list[dict]:
    """K consecutive windows from `start` inside the frame range [lo, hi), as inference cuts a video that
    starts at `start`: frames min(t, hi−1); pre = the window's own first frame for the clip's first window
    (no carried state, like a video's first window), t−1 for the others (the generator uses the carried state
    there, not pre); post = t+6, or hi−1 past the range end."""
    last = hi - 1
    plan = []
    for i in range(k):
        t = start + WINDOW * i
        plan.append({"frames": [min(j, last) for j in range(t, t + WINDOW)],
                     "pre": min(t, last) if i == 0 else min(t - 1, last),
                     "post": min(t + WINDOW, last)})
    return plan


class Dataset:
    def __init__(self, folder: str, lo: int | None = None, hi: int | None = None, cache_mb: float = 4096):
        self.folder = folder
        path = os.path.join(folder, "dataset.json")
        try:
            with open(path) as f:
                self.info = json.load(f)
        except OSError as e:
            raise DatasetError(f"{path}: cannot read ({e.strerror})") from e
        except json.JSONDecodeError as e:
            raise DatasetError(f"{path}: not JSON ({e})") from e
        if self.info.get("format") != FORMAT:
            raise DatasetError(f"{path}: format is {self.info.get('format')!r}, expected {FORMAT!r}")
        if self.info.get("version") != 1:
            raise DatasetError(f"{path}: version {self.info.get('version')!r} is not supported (expected 1)")
        try:
            self.height, self.width = int(self.info["height"]), int(self.info["width"])
            self.first, self.end = (int(v) for v in self.info["frames"])
            self.windows = list(self.info["windows"])
        except (KeyError, TypeError, ValueError) as e:
            raise DatasetError(f"{path}: missing or malformed field ({e})") from e
        self.has_plate = bool(self.info.get("plate", False))
        self.no_body = {int(t) for t in self.info.get("no_body", [])}   # frames without a body: not measured
        self.project = self.info.get("project", "")
        self.lo = self.first if lo is None else lo
        self.hi = self.end if hi is None else hi
        if not (self.first <= self.lo < self.hi <= self.end):
            raise DatasetError(f"{folder}: frame range {self.lo}:{self.hi} is not inside the dataset's "
                               f"frames {self.first}:{self.end}")
        missing = [t for t in range(self.first, self.end)
                   if not os.path.exists(os.path.join(folder, "frames", f"{t:06d}.safetensors"))]
        if missing:
            raise DatasetError(f"{folder}: {len(missing)} frame files missing, the first frames/{missing[0]:06d}"
                               f".safetensors (dataset.json lists frames {self.first}:{self.end})")
        src, _ = self._read(os.path.join(folder, "source.safetensors"))
        self.p_ref = self._need(src, "P_ref", (1, 3, self.height, self.width), "source.safetensors")
        self.cache: "OrderedDict[int, dict]" = OrderedDict()
        self.cache_bytes = 0
        self.cache_limit = cache_mb * 1e6

    @property
    def name(self) -> str:
        return os.path.basename(os.path.normpath(self.folder))

    def __len__(self) -> int:
        return self.hi - self.lo

    @staticmethod
    def _read(path: str):
        try:
            return read_safetensors(path)
        except Exception as e:
            raise DatasetError(f"{path}: {e}") from e

    @staticmethod
    def _need(tensors: dict, key: str, shape: tuple, file: str) -> torch.Tensor:
        if key not in tensors:
            raise DatasetError(f"{file}: no tensor {key!r}")
        t = tensors[key]
        if tuple(t.shape) != shape:
            raise DatasetError(f"{file}: {key} has shape {list(t.shape)}, expected {list(shape)}")
        return t

    def frame(self, t: int) -> dict:
        """Frame t's tensors: BP [25,H,W] f32, flow [H,W,2] f32, target [3,H,W] u8, mask [H,W] u8, plate u8."""
        if t in self.cache:
            self.cache.move_to_end(t)
            return self.cache[t]
        if not (self.first <= t < self.end):
            raise DatasetError(f"{self.folder}: frame {t} is outside the dataset's frames {self.first}:{self.end}")
        name = f"frames/{t:06d}.safetensors"
        raw, _ = self._read(os.path.join(self.folder, name))
        h, w = self.height, self.width
        fr = {"BP": self._need(raw, "BP", (25, h, w), name), "flow": self._need(raw, "flow", (h, w, 2), name),
              "target": self._need(raw, "target", (3, h, w), name), "mask": self._need(raw, "mask", (h, w), name)}
        if self.has_plate:
            fr["plate"] = self._need(raw, "plate", (3, h, w), name)
        for key in ("target", "mask", "plate"):
            if key in fr and fr[key].dtype != torch.uint8:
                raise DatasetError(f"{name}: {key} is not U8")
        size = sum(v.numel() * v.element_size() for v in fr.values())
        self.cache[t] = fr
        self.cache_bytes += size
        while self.cache_bytes > self.cache_limit and len(self.cache) > 1:
            _, old = self.cache.popitem(last=False)
            self.cache_bytes -= sum(v.numel() * v.element_size() for v in old.values())
        return fr

    # ------------------------------------------------------------ clips

    def clip_starts(self, k: int) -> int:
        """How many start frames a K-window clip has in the range (every clip lies inside it)."""
        return max(1, len(self) - WINDOW * k + 1)

    def training_plan(self, start_index: int, k: int) -> list[dict]:
        return clip_plan(self.lo + start_index, k, self.lo, self.hi)

    def heldout_plan(self) -> list[dict]:
        """The dataset's own inference windows (as in dataset.json)."""
        return [{"frames": [int(t) for t in w["frames"]], "pre": int(w["pre"]), "post": int(w["post"])}
                for w in self.windows]

    def batch(self, plan: list[dict], device) -> Batch:
        def bp(t):
            return self.frame(t)["BP"]

        def flow(t):
            return self.frame(t)["flow"]

        windows = []
        for w in plan:
            windows.append((torch.stack([bp(t) for t in w["frames"]]).unsqueeze(0).to(device),
                            torch.stack([flow(t) for t in w["frames"]]).unsqueeze(0).to(device),
                            flow(w["pre"]).unsqueeze(0).to(device), flow(w["post"]).unsqueeze(0).to(device)))
        frames = [t for w in plan for t in w["frames"]]

        def stack(key):
            return torch.stack([self.frame(t)[key] for t in frames]).to(device)

        to_pm1 = lambda u8: u8.float() / 127.5 - 1.0  # noqa: E731
        return Batch(p_ref=self.p_ref.to(device), windows=windows, frames=frames,
                     target=to_pm1(stack("target")), mask=(stack("mask") > 0).float().unsqueeze(1),
                     bp=torch.stack([bp(t) for t in frames]).to(device),
                     plate=to_pm1(stack("plate")) if self.has_plate else None)


def check_heldout_apart(train: list[Dataset], heldout: Dataset) -> None:
    """A training range of the held-out project must not share a frame with the held-out clip (its windows,
    pre and post frames all lie in the held-out dataset's frames)."""
    used = {t for w in heldout.heldout_plan() for t in w["frames"] + [w["pre"], w["post"]]}
    for ds in train:
        if ds.project == heldout.project and (ds.p_ref.shape == heldout.p_ref.shape) \
                and torch.equal(ds.p_ref, heldout.p_ref):
            overlap = sorted(used & set(range(ds.lo, ds.hi)))
            if overlap:
                raise DatasetError(
                    f"{ds.folder}: training frames {ds.lo}:{ds.hi} include held-out frames "
                    f"{overlap[0]}..{overlap[-1]} of {heldout.folder} (give the range as DIR:A:B)")


class Sampler:
    """(dataset, start frame) for a step, drawn from (seed, step) only: datasets in proportion to their
    number of clip starts, the start uniform over them (any offset, not only multiples of 6)."""

    def __init__(self, datasets: list[Dataset], k: int, seed: int):
        self.datasets, self.k, self.seed = datasets, k, seed
        self.counts = np.array([ds.clip_starts(k) for ds in datasets], dtype=np.int64)

    def draw(self, step: int) -> tuple[int, list[dict]]:
        rng = np.random.default_rng([self.seed, step])
        flat = int(rng.integers(int(self.counts.sum())))
        i = int(np.searchsorted(np.cumsum(self.counts), flat, side="right"))
        start = flat - int(self.counts[:i].sum())
        return i, self.datasets[i].training_plan(start, self.k)
