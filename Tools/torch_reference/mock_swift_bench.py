#!/usr/bin/env python3
"""Stand-in for `posestudio bench render` with the same command-line contract, for testing bench.py before
the Swift side exists (`bench.py --swift-cmd "python3 Tools/torch_reference/mock_swift_bench.py"`).
It really measures: it runs the torch reference on the given files and prints
{"seconds_per_frame": …, "gmac_per_s": …, "peak_rss_mb": …} (with --json) like the Swift benchmark."""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import time_torch  # noqa: E402
from st_io import TensorFileError  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    try:
        t = time_torch(args.weights, args.inputs, args.threads, args.runs)
    except (TensorFileError, KeyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    figures = {k: round(t[k], 4) for k in ("seconds_per_frame", "gmac_per_s", "peak_rss_mb")}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{figures['seconds_per_frame']:.3f} s/frame, {figures['gmac_per_s']:.1f} GMAC/s, "
              f"peak RSS {figures['peak_rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
