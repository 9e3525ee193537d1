#!/usr/bin/env python3
"""Calibrate the Udacity camera's intrinsics and distortion from the chessboard photos.

Input: ../shared/data/udacity/calibration/*.jpg (1280x720, chessboard with 9x6 inner corners).
Output: fixtures/calibration/udacity_1280x720.json with fx, fy, cx, cy, distortion [k1 k2 p1 p2 k3]
(OpenCV model), the reprojection RMS in pixels, and which photos were used.

Then the mounting: pitch from the lane vanishing point on project_video (TwinLiteNet lane-line
mask), height assumed (typical sedan) and checked by the lane width it implies (see below).

Usage: python3 tools/calibrate_camera.py [--data ../shared/data/udacity/calibration]
"""
import argparse
import glob
import json
import os
import sys

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "udacity", "calibration"))
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures", "calibration", "udacity_1280x720.json"))
    ap.add_argument("--video", default=os.path.join(ROOT, "..", "shared", "data", "udacity", "videos", "project_video.mp4"))
    ap.add_argument("--lane-model", default=os.path.join(ROOT, "..", "shared", "models", "teachers", "twinlitenet.onnx"))
    ap.add_argument("--every", type=int, default=10, help="use every n-th video frame for the mounting")
    ap.add_argument("--reference-only", action="store_true",
                    help="only rewrite the Swift tests' reference points from the existing calibration JSON")
    ap.add_argument("--check-log", help="only measure the lane width on a drive log's frames (e.g. "
                    "fixtures/logs/udacity_project_clip) with the committed calibration; writes lane_width_check_log")
    ap.add_argument("--mask-fixture", help="only write TwinLiteNet masks of a few frames of a drive log "
                    "(e.g. fixtures/logs/udacity_project_clip) for the planner's real-frame test")
    ap.add_argument("--assumed-height", type=float, default=1.25,
                    help="camera height above the road (m): a typical sedan windscreen camera; checked by lane width")
    args = ap.parse_args()
    if args.reference_only:
        write_reference(args.out)
        return
    if args.mask_fixture:
        write_mask_fixture(args.mask_fixture, args.lane_model)
        return
    if args.check_log:
        check_log(args.out, args.check_log, args.lane_model)
        return

    cols, rows = 9, 6
    # Board points on z=0 in units of one square (the scale does not affect intrinsics).
    objp = np.zeros((rows * cols, 3), np.float32)
    objp[:, :2] = np.mgrid[0:cols, 0:rows].T.reshape(-1, 2)

    obj_points, img_points, used, skipped = [], [], [], []
    size = None
    for path in sorted(glob.glob(os.path.join(args.data, "*.jpg"))):
        img = cv2.imread(path)
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        # Some photos are 1281x721: calibrate at 1280x720 by cropping the extra pixel.
        gray = gray[:720, :1280]
        size = (gray.shape[1], gray.shape[0])
        ok, corners = cv2.findChessboardCorners(gray, (cols, rows), None)
        if not ok:
            skipped.append(os.path.basename(path))
            continue
        corners = cv2.cornerSubPix(gray, corners, (11, 11), (-1, -1),
                                   (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 1e-3))
        obj_points.append(objp)
        img_points.append(corners)
        used.append(os.path.basename(path))
    if len(used) < 5:
        sys.exit(f"only {len(used)} boards found; need >= 5")

    rms, K, dist, _, _ = cv2.calibrateCamera(obj_points, img_points, size, None, None)
    dist = dist.ravel().tolist()
    out = {}
    if os.path.exists(args.out):
        with open(args.out) as f:
            out = json.load(f)  # keep the mounting keys written by the mounting estimator
    out.update({
        "name": "udacity_front",
        "width": size[0], "height": size[1],
        "fx": float(K[0, 0]), "fy": float(K[1, 1]), "cx": float(K[0, 2]), "cy": float(K[1, 2]),
        "distortion": [float(v) for v in dist[:5]],
        "distortion_model": "opencv k1 k2 p1 p2 k3",
        "reprojection_rms_px": float(rms),
        "boards_used": used,
        "boards_skipped": skipped,
        "calibration_method": "cv2.findChessboardCorners (9x6 inner corners) + cornerSubPix + cv2.calibrateCamera, "
                              "images cropped to 1280x720",
    })
    m = estimate_mounting(out, args.video, args.every, args.assumed_height, args.lane_model)
    out.update({
        "mount_height_m": args.assumed_height,
        "pitch_rad": m["pitch_rad"],
        "mounting_method": "pitch: median lane vanishing point (TwinLiteNet lane-line mask, ego-lane lines fitted in "
                           "undistorted coordinates on straight frames of project_video); height: assumed typical "
                           "sedan value, checked by the lane width it implies (see lane_width_check)",
        "lane_width_check": {k: v for k, v in m.items() if k != "pitch_rad"},
    })
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    print(f"rms={rms:.4f}px fx={K[0,0]:.2f} fy={K[1,1]:.2f} cx={K[0,2]:.2f} cy={K[1,2]:.2f} "
          f"dist={np.round(dist, 4).tolist()} used={len(used)} skipped={skipped}", file=sys.stderr)
    print(f"pitch={m['pitch_rad']:.4f}rad ({np.degrees(m['pitch_rad']):.2f} deg) lane_width={m['lane_width_m']:.2f}m "
          f"(p10 {m['lane_width_p10_m']:.2f}, p90 {m['lane_width_p90_m']:.2f}) at h={args.assumed_height}m; "
          f"h for 3.7m={m['height_for_3_7m']:.3f}m; frames {m['frames_used']}/{m['frames_with_lanes']}", file=sys.stderr)
    write_reference(args.out)


def check_log(calib_path, log_dir, model):
    """Lane width on every frame of a drive log (all frames with two good line fits, curved or not)."""
    calib = json.load(open(calib_path))
    lines = [json.loads(l) for l in open(os.path.join(log_dir, "log.jsonl"))][1:]
    frames = ((i, cv2.imread(os.path.join(log_dir, l["file"]))) for i, l in enumerate(lines))
    fits = [p for p in lane_fits(calib, frames, model) if p["rms"] < 0.004]
    w = lane_widths(fits, calib["pitch_rad"], calib["mount_height_m"])
    res = dict(log=os.path.relpath(log_dir, ROOT), frames=len(lines), frames_with_both_lines=len(fits),
               lane_width_m=float(np.median(w)), lane_width_p10_m=float(np.percentile(w, 10)),
               lane_width_p90_m=float(np.percentile(w, 90)), mount_height_m=calib["mount_height_m"],
               pitch_rad=calib["pitch_rad"])
    calib["lane_width_check_log"] = res
    with open(calib_path, "w") as f:
        json.dump(calib, f, indent=1)
    print(json.dumps(res), file=sys.stderr)


def write_mask_fixture(log_dir, model, picks=(0, 25, 50, 75, 99)):
    """Tests/PlanningTests/Fixtures/clip_masks.json: TwinLiteNet masks (640x360; 0 background,
    1 drivable, 2 lane line, lane line drawn over drivable) of a few frames, run-length encoded per
    row as [label, length, label, length, ...]."""
    import onnxruntime as ort
    sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    lines = [json.loads(l) for l in open(os.path.join(log_dir, "log.jsonl"))][1:]
    out = {"source": os.path.relpath(log_dir, ROOT), "model": "TwinLiteNet (onnxruntime), argmax of da and ll",
           "width": 640, "height": 360, "frames": []}
    for i in picks:
        bgr = cv2.imread(os.path.join(log_dir, lines[i]["file"]))
        rgb = cv2.cvtColor(cv2.resize(bgr, (640, 360), interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2RGB)
        x = (rgb.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
        da, ll = sess.run(["da", "ll"], {"images": x})
        m = da[0].argmax(0).astype(np.uint8)
        m[ll[0].argmax(0) == 1] = 2
        rows = []
        for r in m:
            change = np.nonzero(np.diff(r))[0] + 1
            starts = np.concatenate([[0], change])
            ends = np.concatenate([change, [len(r)]])
            rows.append([int(v) for s, e in zip(starts, ends) for v in (r[s], e - s)])
        out["frames"].append({"index": i, "file": lines[i]["file"], "rle_rows": rows})
    path = os.path.join(ROOT, "Tests", "PlanningTests", "Fixtures", "clip_masks.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path)} bytes)", file=sys.stderr)


def write_reference(calib_path):
    """Reference points for the Swift Geometry tests (fixtures/calibration/udacity_reference_points.json):
    OpenCV's undistortPoints (iterative criteria) / projectPoints, and ground points by an independent ray-plane
    intersection with a rotation matrix, all from the committed calibration."""
    c = json.load(open(calib_path))
    K = np.array([[c["fx"], 0, c["cx"]], [0, c["fy"], c["cy"]], [0, 0, 1]])
    D = np.array(c["distortion"])
    pix = np.array([[x, y] for y in range(440, 720, 40) for x in range(0, 1281, 160)], np.float64)
    und = cv2.undistortPoints(pix.reshape(-1, 1, 2), K, D, None, None, None,
                                  (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 200, 1e-15)).reshape(-1, 2)
    h, p = c["mount_height_m"], c["pitch_rad"]
    # camera axes (columns: right, down, forward) in the vehicle frame (x fwd, y left, z up)
    R = np.array([[0, -np.sin(p), np.cos(p)], [-1, 0, 0], [0, -np.cos(p), -np.sin(p)]])
    ground = []
    for u, v in und:
        d = R @ np.array([u, v, 1.0])
        t = -h / d[2] if d[2] < 0 else np.nan
        ground.append([t * d[0], t * d[1]] if t == t else [None, None])
    # ground points -> pixels through the camera rotation and cv2.projectPoints
    gpts = np.array([[x, y, 0.0] for x in (5.0, 10.0, 20.0, 40.0) for y in (-6.0, -1.8, 0.0, 1.8, 6.0)])
    cam = (R.T @ (gpts - np.array([0, 0, h])).T).T
    proj, _ = cv2.projectPoints(cam.reshape(-1, 1, 3), np.zeros(3), np.zeros(3), K, D)
    ref = dict(calibration=os.path.basename(calib_path),
               pixels=pix.tolist(), undistorted_normalised=und.tolist(), ground_of_pixels=ground,
               ground_points=gpts[:, :2].tolist(), pixels_of_ground_points=proj.reshape(-1, 2).tolist(),
               tolerance_normalised=1e-9, tolerance_ground_m=1e-6, tolerance_pixels=1e-6)
    out = os.path.join(os.path.dirname(calib_path), "udacity_reference_points.json")
    with open(out, "w") as f:
        json.dump(ref, f, indent=0)
    print(f"wrote {out}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Mounting: pitch from the lane vanishing point, lane width as a check of the assumed height.
#
# Method (flat ground, camera roll and yaw neglected):
#  1. TwinLiteNet's lane-line mask on every `--every`-th frame of project_video (640x360, scaled
#     back to 1280x720).
#  2. For image rows 450..640 (8..40 m ahead; the hood starts near row 660), the ego lane's left
#     line is the lane-line run nearest left of the image centre, the right line the run nearest
#     right of it. Their pixels are undistorted to normalised coordinates (u, v), where straight
#     ground lines stay straight.
#  3. Fit u = a*v + b to each side (least squares, two rounds of trimming residuals > 3 sigma);
#     keep frames whose fits are good and whose lines are straight (a quadratic term adds little).
#  4. The two lines meet at the vanishing point v_h; for a flat road v_h = -tan(pitch), so
#     pitch = atan(-v_h) (positive = looking down). The median over frames is the estimate.
#  5. Lane width at distance X for height h: at a row v both lines are at the same X, and
#     width = h * |u_R - u_L| / (sin(pitch) + v cos(pitch)). Measured over X in 10..25 m per frame,
#     median over frames, for the assumed height; the height that would give 3.7 m is reported too.

def lane_line_mask(session, bgr):
    rgb = cv2.cvtColor(cv2.resize(bgr, (640, 360), interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2RGB)
    x = (rgb.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
    da, ll = session.run(["da", "ll"], {"images": x})
    return ll[0].argmax(0).astype(np.uint8)  # 360x640, 1 = lane line


def ego_lane_points(mask, rows, centre_x=640.0):
    """Per full-res row: x of the lane-line runs nearest left and right of centre_x (or None)."""
    left, right = [], []
    for y in rows:
        r = mask[y // 2]
        xs = np.nonzero(r)[0]
        if xs.size == 0:
            continue
        # runs of consecutive columns -> their centres, in full-res pixels
        splits = np.nonzero(np.diff(xs) > 2)[0] + 1
        centres = [2.0 * g.mean() + 0.5 for g in np.split(xs, splits)]
        ls = [c for c in centres if c < centre_x]
        rs = [c for c in centres if c >= centre_x]
        if ls:
            left.append((max(ls), y + 0.5))
        if rs:
            right.append((min(rs), y + 0.5))
    return np.array(left, np.float64), np.array(right, np.float64)


def fit_line(uv):
    """u = a*v + b with trimming; returns (a, b, rms residual, quadratic gain) or None."""
    if len(uv) < 15:
        return None
    keep = np.ones(len(uv), bool)
    for _ in range(3):
        A = np.stack([uv[keep, 1], np.ones(keep.sum())], 1)
        coef, *_ = np.linalg.lstsq(A, uv[keep, 0], rcond=None)
        res = uv[:, 0] - (coef[0] * uv[:, 1] + coef[1])
        s = res[keep].std() + 1e-9
        keep = np.abs(res) < 3 * s
        if keep.sum() < 15:
            return None
    rms = res[keep].std()
    A2 = np.stack([uv[keep, 1] ** 2, uv[keep, 1], np.ones(keep.sum())], 1)
    c2, *_ = np.linalg.lstsq(A2, uv[keep, 0], rcond=None)
    rms2 = (uv[keep, 0] - A2 @ c2).std()
    return coef[0], coef[1], rms, rms / max(rms2, 1e-12)


def video_frames(video, every):
    cap = cv2.VideoCapture(video)
    i = -1
    while True:
        ok, frame = cap.read()
        if not ok:
            return
        i += 1
        if i % every == 0:
            yield i, frame


def lane_fits(calib, frames, model):
    """Per frame: the ego lane's two lines fitted in undistorted coordinates (see the method above)."""
    import onnxruntime as ort
    K = np.array([[calib["fx"], 0, calib["cx"]], [0, calib["fy"], calib["cy"]], [0, 0, 1]])
    D = np.array(calib["distortion"])
    sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    rows = list(range(450, 640, 2))
    per_frame = []
    for i, frame in frames:
        mask = lane_line_mask(sess, frame)
        L, R = ego_lane_points(mask, rows)
        if len(L) < 15 or len(R) < 15:
            continue
        und = lambda p: cv2.undistortPoints(p.reshape(-1, 1, 2), K, D).reshape(-1, 2)
        fl, fr = fit_line(und(L)), fit_line(und(R))
        if fl is None or fr is None:
            continue
        (al, bl, rl, ql), (ar, br, rr, qr) = fl, fr
        if abs(al - ar) < 1e-6:
            continue
        vh = (br - bl) / (al - ar)
        per_frame.append(dict(frame=i, vh=vh, al=al, bl=bl, ar=ar, br=br, rms=max(rl, rr), curv=max(ql, qr)))
    return per_frame


def lane_widths(fits, pitch, h):
    """Median lane width (m) 10..25 m ahead for each frame's fitted lines."""
    sp, cp = np.sin(pitch), np.cos(pitch)
    out = []
    for p in fits:
        ws = []
        for X in np.arange(10.0, 25.01, 1.0):
            # row v where the ground is X ahead: X = h (cos - v sin) / (sin + v cos)
            v = (h * cp - X * sp) / (X * cp + h * sp)
            ul, ur = p["al"] * v + p["bl"], p["ar"] * v + p["br"]
            ws.append(h * abs(ur - ul) / (sp + v * cp))
        out.append(np.median(ws))
    return np.array(out)


def estimate_mounting(calib, video, every, assumed_height, model):
    per_frame = lane_fits(calib, video_frames(video, every), model)
    if not per_frame:
        raise SystemExit("no frame gave two lane lines")
    # straight, well-fitted frames: the quadratic fit is not much better than the line
    good = [p for p in per_frame if p["curv"] < 1.3 and p["rms"] < 0.004]
    if len(good) < 5:
        good = per_frame
    vh = np.array([p["vh"] for p in good])
    pitch = float(np.arctan(-np.median(vh)))
    w = lane_widths(good, pitch, assumed_height)
    w_med = float(np.median(w))
    return dict(
        pitch_rad=pitch,
        pitch_spread_rad=float(np.median(np.abs(np.arctan(-vh) - pitch))),
        frames_used=len(good), frames_with_lanes=len(per_frame),
        lane_width_m=w_med, lane_width_p10_m=float(np.percentile(w, 10)), lane_width_p90_m=float(np.percentile(w, 90)),
        height_for_3_7m=float(assumed_height * 3.7 / w_med),
    )


if __name__ == "__main__":
    main()
