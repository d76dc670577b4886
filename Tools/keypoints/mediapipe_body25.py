#!/usr/bin/env python3
"""mediapipe_body25.py - 2D body keypoints of a video as OpenPose BODY_25 JSON.

Owns: the keypoint recipe of Projects/pose2sim-demo/README.md ("How the
keypoints were produced"), as runnable code. It decodes every frame of one
video with OpenCV (BGR -> RGB), runs the legacy MediaPipe solution
mediapipe.solutions.pose.Pose (mediapipe 0.10.14, static_image_mode=False,
model_complexity=1, smooth_landmarks=False, enable_segmentation=False,
confidences 0.5) over the frames in order, maps BlazePose's 33 landmarks to
BODY_25 and writes one compact OpenPose JSON file per frame:

    OUT_DIR/<prefix>_<frame:012d>_keypoints.json

Frames without a detection are written as one person with 75 zeros.
Optionally writes one decoded frame (full resolution RGB) as a PNG.

It does not filter, smooth or threshold anything: the point is to keep the
detector's raw noise. Run it with the venv described in Tools/keypoints/README.md.

Usage:
    mediapipe_body25.py VIDEO OUT_DIR [--prefix cam02] [--png frame0.png] [--png-frame 0]
"""

import argparse
import json
import os
import sys

import cv2
import mediapipe as mp

# BODY_25 index -> BlazePose landmark index, or a pair whose midpoint is taken
# (confidence = minimum visibility of the pair). See the mapping table in
# Projects/pose2sim-demo/README.md. BlazePose has no small toes: 20 and 23
# are copies of the big toes (31 and 32).
BODY25_FROM_BLAZEPOSE = [
    0,         # 0  Nose
    (11, 12),  # 1  Neck = mid shoulders
    12, 14, 16,  # 2-4 RShoulder, RElbow, RWrist
    11, 13, 15,  # 5-7 LShoulder, LElbow, LWrist
    (23, 24),  # 8  MidHip = mid hips
    24, 26, 28,  # 9-11 RHip, RKnee, RAnkle
    23, 25, 27,  # 12-14 LHip, LKnee, LAnkle
    5, 2,      # 15-16 REye, LEye
    8, 7,      # 17-18 REar, LEar
    31, 31, 29,  # 19-21 LBigToe, LSmallToe (copy), LHeel
    32, 32, 30,  # 22-24 RBigToe, RSmallToe (copy), RHeel
]


def _num(v, digits):
    """Round; a value that is exactly zero after rounding is written as 0."""
    r = round(v, digits)
    return 0 if r == 0 else r


def body25(landmarks, width, height):
    """75 numbers x0,y0,c0,...,x24,y24,c24 in pixels of the original frame."""
    out = []
    for src in BODY25_FROM_BLAZEPOSE:
        if isinstance(src, tuple):
            a, b = landmarks[src[0]], landmarks[src[1]]
            x = (a.x + b.x) / 2 * width
            y = (a.y + b.y) / 2 * height
            c = min(a.visibility, b.visibility)
        else:
            l = landmarks[src]
            x, y, c = l.x * width, l.y * height, l.visibility
        out += [_num(x, 3), _num(y, 3), _num(c, 6)]
    return out


def openpose_json(keypoints):
    person = {
        "person_id": [-1],
        "pose_keypoints_2d": keypoints,
        "face_keypoints_2d": [],
        "hand_left_keypoints_2d": [],
        "hand_right_keypoints_2d": [],
        "pose_keypoints_3d": [],
        "face_keypoints_3d": [],
        "hand_left_keypoints_3d": [],
        "hand_right_keypoints_3d": [],
    }
    return json.dumps({"version": 1.3, "people": [person]}, separators=(",", ":"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("video")
    ap.add_argument("out_dir")
    ap.add_argument("--prefix", help="file name prefix (default: video file name without extension)")
    ap.add_argument("--png", help="write one decoded frame (full resolution RGB) to this PNG")
    ap.add_argument("--png-frame", type=int, default=0, help="frame index for --png (default 0)")
    args = ap.parse_args(argv)

    prefix = args.prefix or os.path.splitext(os.path.basename(args.video))[0]
    os.makedirs(args.out_dir, exist_ok=True)

    cap = cv2.VideoCapture(args.video, cv2.CAP_FFMPEG)
    if not cap.isOpened():
        sys.exit(f"cannot open {args.video}")

    n = missing = 0
    with mp.solutions.pose.Pose(
        static_image_mode=False,
        model_complexity=1,
        smooth_landmarks=False,
        enable_segmentation=False,
        min_detection_confidence=0.5,
        min_tracking_confidence=0.5,
    ) as pose:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            height, width = rgb.shape[:2]
            if args.png and n == args.png_frame:
                # cv2.imwrite expects BGR; the PNG then holds the RGB frame the detector saw.
                cv2.imwrite(args.png, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
            result = pose.process(rgb)
            if result.pose_landmarks is None:
                keypoints = [0] * 75
                missing += 1
            else:
                keypoints = body25(result.pose_landmarks.landmark, width, height)
            path = os.path.join(args.out_dir, f"{prefix}_{n:012d}_keypoints.json")
            with open(path, "w") as f:
                f.write(openpose_json(keypoints))
            n += 1
    cap.release()
    if n == 0:
        sys.exit(f"{args.video}: no frame could be decoded")
    if args.png and args.png_frame >= n:
        sys.exit(f"--png-frame {args.png_frame} is past the last frame ({n - 1}); no PNG written")
    print(f"{args.video}: {n} frames ({width}x{height}), {missing} without detection -> {args.out_dir}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
