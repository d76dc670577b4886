#!/usr/bin/env python3
"""noise_stats.py - the "Measured noise" statistics of a BODY_25 JSON directory.

Owns: the definitions of the "Measured noise" section of
Projects/pose2sim-demo/README.md (step, residual, jump, spike, left/right swap
event, confidence), computed for one directory of OpenPose BODY_25 JSON files
(one person per frame, frames in file name order). Prints the headline numbers
and the per-joint table as Markdown. Standard library only; any python3 works.

Usage:
    noise_stats.py KEYPOINT_DIR [--label cam02]
"""

import argparse
import glob
import json
import math
import os
import statistics

NAMES = ["Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
         "MidHip", "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye",
         "REar", "LEar", "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel"]
SMALL_TOES = {20, 23}  # copies of the big toes: left out of all totals
COUNTED = [j for j in range(25) if j not in SMALL_TOES]
# (left, right, pair name) for the swap test
PAIRS = [(5, 2, "shoulders"), (6, 3, "elbows"), (7, 4, "wrists"), (12, 9, "hips"),
         (13, 10, "knees"), (14, 11, "ankles"), (16, 15, "eyes"), (18, 17, "ears"),
         (19, 22, "big toes"), (21, 24, "heels")]
JUMP_PX = 30.0
SPIKE_PX = 30.0


def load(directory):
    """frames[t] = list of 25 (x, y, c), or None when the frame has no detection."""
    frames = []
    for path in sorted(glob.glob(os.path.join(directory, "*_keypoints.json"))):
        with open(path) as f:
            people = json.load(f)["people"]
        k = people[0]["pose_keypoints_2d"] if people else [0] * 75
        if all(v == 0 for v in k):
            frames.append(None)
        else:
            frames.append([(k[3 * j], k[3 * j + 1], k[3 * j + 2]) for j in range(25)])
    return frames


def dist(a, b):
    return math.hypot(a[0] - b[0], a[1] - b[1])


def fmt_int(n):
    return f"{n:,}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("directory")
    ap.add_argument("--label", default=None)
    args = ap.parse_args(argv)
    label = args.label or os.path.basename(os.path.normpath(args.directory))

    F = load(args.directory)
    n = len(F)
    missing = [t for t in range(n) if F[t] is None]

    # steps: consecutive detected frames
    steps = {j: [] for j in range(25)}          # j -> [(t, step)] step from t-1 to t
    for t in range(1, n):
        if F[t] is None or F[t - 1] is None:
            continue
        for j in range(25):
            steps[j].append((t, dist(F[t][j], F[t - 1][j])))
    # residuals: distance to the midpoint of the neighbours
    resid = {j: [] for j in range(25)}
    for t in range(1, n - 1):
        if F[t - 1] is None or F[t] is None or F[t + 1] is None:
            continue
        for j in range(25):
            a, b, p = F[t - 1][j], F[t + 1][j], F[t][j]
            resid[j].append(dist(p, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)))
    # spikes: more than SPIKE_PX from the per-coordinate median of frames t-2..t+2
    spikes = []
    for t in range(2, n - 2):
        window = F[t - 2:t + 3]
        if any(w is None for w in window):
            continue
        for j in COUNTED:
            mx = statistics.median(w[j][0] for w in window)
            my = statistics.median(w[j][1] for w in window)
            d = dist(F[t][j], (mx, my))
            if d > SPIKE_PX:
                spikes.append((t, NAMES[j], d))
    # left/right swaps
    swaps, best = [], None
    for t in range(1, n):
        if F[t] is None or F[t - 1] is None:
            continue
        for l, r, name in PAIRS:
            L0, R0, L1, R1 = F[t - 1][l], F[t - 1][r], F[t][l], F[t][r]
            keep = dist(L1, L0) + dist(R1, R0)
            swap = dist(L1, R0) + dist(R1, L0)
            if keep <= 20 or dist(L1, R1) <= 15:
                continue
            ratio = swap / keep
            if best is None or ratio < best[0]:
                best = (ratio, name, t)
            if ratio < 0.5:
                swaps.append((t, name, ratio))

    conf = [(F[t][j][2], t, j) for t in range(n) if F[t] is not None for j in COUNTED]
    all_steps = [s for j in COUNTED for _, s in steps[j]]
    all_resid = [r for j in COUNTED for r in resid[j]]
    jumps = [(t, j, s) for j in COUNTED for t, s in steps[j] if s > JUMP_PX]
    low = sorted([c for c in conf if c[0] < 0.5], key=lambda c: (c[1], c[2]))

    print(f"## {label}\n")
    print(f"| statistic | {label} |")
    print("| --- | --- |")
    print(f"| frames with no detection | {len(missing)} of {n} (fraction {len(missing) / n:.2f})"
          + (f": {missing}" if missing else "") + " |")
    print(f"| median step, all joints | {statistics.median(all_steps):.1f} px |")
    print(f"| median residual (jitter), all joints | {statistics.median(all_resid):.1f} px |")
    cmin = min(conf)
    lows = ", ".join(f"{NAMES[j]} at frame {t}" for _, t, j in low[:8]) + (" …" if len(low) > 8 else "")
    print(f"| joint confidence | median {statistics.median(c[0] for c in conf):.3f}, minimum {cmin[0]:.3f} "
          f"({NAMES[cmin[2]]}, frame {cmin[1]}). {fmt_int(len(low))} of {fmt_int(len(conf))} joint samples "
          f"({100 * len(low) / len(conf):.2f} %) below 0.5" + (f": {lows}" if low else "") + " |")
    swap_txt = f"**{len(swaps)}**"
    if swaps:
        swap_txt += ": " + ", ".join(f"{name} at frame {t} (ratio {r:.2f})" for t, name, r in swaps)
    if best:
        swap_txt += f". The smallest swap/keep ratio seen was {best[0]:.2f} ({best[1]}, frame {best[2]}), and a swap needs < 0.5"
    print(f"| left/right swap events | {swap_txt} |")
    jf = sorted({t for t, _, _ in jumps})
    largest = max(jumps, key=lambda x: x[2]) if jumps else None
    print(f"| jumps > 30 px | **{len(jumps)}** (joint, frame) pairs, in {len(jf)} frames"
          + (f". Largest step {largest[2]:.0f} px ({NAMES[largest[1]]}, frame {largest[0]})" if largest else "")
          + " |")
    print(f"| spikes > 30 px from the 5-frame median | {len(spikes)} |")

    print("\nJumps (frame: joint step px):")
    for t in jf:
        print(f"  {t}: " + ", ".join(f"{NAMES[j]} {s:.0f}" for tt, j, s in jumps if tt == t))
    print("Spikes (frame, joint, px from median):", ", ".join(f"{t} {nm} {d:.0f}" for t, nm, d in spikes))

    print(f"\n| # | joint | median step px | median residual px | jumps > 30 px | frac. conf < 0.5 |")
    print("|---|---|---|---|---|---|")
    for j in range(25):
        name = NAMES[j]
        if j == 20:
            name += " (= LBigToe)"
        if j == 23:
            name += " (= RBigToe)"
        js = [s for _, s in steps[j]]
        nj = sum(1 for s in js if s > JUMP_PX)
        cj = [F[t][j][2] for t in range(n) if F[t] is not None]
        fl = sum(1 for c in cj if c < 0.5) / len(cj) if cj else 0.0
        print(f"| {j} | {name} | {statistics.median(js):.1f} | {statistics.median(resid[j]):.1f} | {nj} | {fl:.2f} |")


if __name__ == "__main__":
    main()
