"""Shared pieces of the forecaster tools: the camera's flat-ground projection, a Python port of the
Swift tracker (Sources/Tracking: per-coordinate constant-velocity Kalman, IoU + ground-distance
cost with gating, Hungarian assignment in a cascade (confirmed/coasting first), birth suppression
inside confirmed boxes, tentative/confirmed/coasting/lost life cycle, same default constants), and the forecaster's feature/target layout (the contract with Sources/Tracking/Forecaster).
"""
import json
import math
import os

import cv2
import numpy as np
from scipy.optimize import linear_sum_assignment

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CALIB = os.path.join(ROOT, "fixtures", "calibration", "udacity_1280x720.json")

# ---- forecaster contract (mirrored in Sources/Tracking/ForecastFeatures.swift) ----------------
HISTORY = 10                      # states fed to the GRU (oldest first); shorter histories left-padded
FEATURES = 8                      # per state, see features()
HORIZONS_S = [0.2 * k for k in range(1, 11)]   # forecast times: 0.2 .. 2.0 s
FEATURE_SCALE = np.array([1 / 50, 1 / 10, 1 / 5, 1 / 1, 1 / 10, 1 / 2, 1 / 1280, 1 / 720], np.float32)
OUTPUT_SCALE = np.array([5.0, 1.0], np.float32)  # model output (residual over CV) × this = metres


def features(hist):
    """hist: list of (x, y, vx, vy, w, h) oldest→newest (len <= HISTORY) → [HISTORY, FEATURES] float32.
    Per state: x, y, x - x_now, y - y_now, vx, vy, box w, box h, each times FEATURE_SCALE."""
    h = list(hist)[-HISTORY:]
    h = [h[0]] * (HISTORY - len(h)) + h
    xn, yn = h[-1][0], h[-1][1]
    f = np.array([[x, y, x - xn, y - yn, vx, vy, w, bh] for (x, y, vx, vy, w, bh) in h], np.float32)
    return f * FEATURE_SCALE


def cv_forecast(state):
    """Constant-velocity baseline (and the GRU's base): displacement v * t at each horizon → [T, 2]."""
    _, _, vx, vy, _, _ = state
    return np.array([[vx * t, vy * t] for t in HORIZONS_S], np.float32)


# ---- camera ------------------------------------------------------------------------------------
class GroundCamera:
    def __init__(self, path=CALIB):
        c = json.load(open(path))
        self.K = np.array([[c["fx"], 0, c["cx"]], [0, c["fy"], c["cy"]], [0, 0, 1]])
        self.D = np.array(c["distortion"])
        self.h, self.p = c["mount_height_m"], c["pitch_rad"]
        self.width, self.height = c["width"], c["height"]

    def ground(self, px, py):
        """Frame pixel → (x forward, y left) on the road, or None above the horizon."""
        u, v = cv2.undistortPoints(np.array([[[px, py]]], np.float64), self.K, self.D, None, None, None,
                                   (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 50, 1e-14)).ravel()
        s, c = math.sin(self.p), math.cos(self.p)
        den = s + v * c
        if den < 1e-3:
            return None
        t = self.h / den
        return t * (c - v * s), -t * u


# ---- tracker port ------------------------------------------------------------------------------
class KalmanCV:
    def __init__(self, pos, pvar, vvar):
        self.x, self.v, self.pp, self.pv, self.vv = pos, 0.0, pvar, 0.0, vvar

    def predict(self, dt, q):
        self.x += self.v * dt
        self.pp, self.pv, self.vv = (self.pp + 2 * dt * self.pv + dt * dt * self.vv + q * dt ** 3 / 3,
                                     self.pv + dt * self.vv + q * dt * dt / 2, self.vv + q * dt)

    def update(self, z, r):
        s = self.pp + r
        kp, kv = self.pp / s, self.pv / s
        y = z - self.x
        self.x += kp * y
        self.v += kv * y
        self.pp, self.pv, self.vv = (1 - kp) * self.pp, (1 - kp) * self.pv, self.vv - kv * self.pv


CFG = dict(min_score=0.25, confirm_hits=3, coast_frames=5, max_misses=25, min_iou=0.1, ground_gate=1.5,
           ground_gate_per_range=0.08, gate_growth=0.1, ground_weight=0.5, tentative_penalty=0.05,
           box_q=4000.0, box_r=16.0, box_v0=200.0 ** 2, ground_q=8.0, ground_v0=15.0 ** 2, max_range=150.0,
           max_outside=0.5, birth_ioa=0.8)


def ground_r(x):
    sx, sy = 0.3 + 0.06 * x, 0.15 + 0.01 * x
    return sx * sx, sy * sy


def iou(a, b):
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / u if u > 0 else 0.0


class Track:
    def __init__(self, tid, box, cls, g):
        c = CFG
        self.id, self.cls, self.status, self.hits, self.misses = tid, cls, "tentative", 1, 0
        cx, cy, w, h = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, box[2] - box[0], box[3] - box[1]
        self.f = [KalmanCV(v, c["box_r"], c["box_v0"]) for v in (cx, cy, w, h)]
        self.g = None
        self.set_ground(g)

    def set_ground(self, g):
        if g is None:
            return
        rx, ry = ground_r(g[0])
        self.g = [KalmanCV(g[0], rx, CFG["ground_v0"]), KalmanCV(g[1], ry, CFG["ground_v0"])]

    def box(self):
        cx, cy, w, h = (f.x for f in self.f)
        w, h = max(1, w), max(1, h)
        return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    def ground(self):
        return None if self.g is None else (self.g[0].x, self.g[1].x)

    def state(self):
        """(x, y, vx, vy, w, h) or None without ground."""
        if self.g is None:
            return None
        b = self.box()
        return (self.g[0].x, self.g[1].x, self.g[0].v, self.g[1].v, b[2] - b[0], b[3] - b[1])


class Tracker:
    def __init__(self, cam):
        self.cam, self.tracks, self.next_id, self.last_t = cam, [], 1, None

    def ground_of(self, box):
        g = self.cam.ground((box[0] + box[2]) / 2, box[3])
        if g is None or g[0] <= 0 or math.hypot(*g) > CFG["max_range"]:
            return None
        return g

    def update(self, boxes, classes, scores, t):
        """Returns [(track, measured_ground or None)] for tracks matched this frame."""
        c = CFG
        dt = 0.04 if self.last_t is None or t <= self.last_t else min(t - self.last_t, 0.5)
        self.last_t = t
        for tr in self.tracks:
            for f in tr.f:
                f.predict(dt, c["box_q"])
            if tr.g:
                for f in tr.g:
                    f.predict(dt, c["ground_q"])
        keep = [i for i in range(len(boxes)) if scores[i] >= c["min_score"]]
        boxes, classes = [boxes[i] for i in keep], [classes[i] for i in keep]
        dg = [self.ground_of(b) for b in boxes]
        nT, nD = len(self.tracks), len(boxes)
        big = 1e6
        cost = np.full((nT, nD), big)
        for ti, tr in enumerate(self.tracks):
            pb, pg = tr.box(), tr.ground()
            for di in range(nD):
                if tr.cls != classes[di]:
                    continue
                o = iou(pb, boxes[di])
                dist, gate = None, 0.0
                if pg is not None and dg[di] is not None:
                    dist = math.hypot(pg[0] - dg[di][0], pg[1] - dg[di][1])
                    gate = c["ground_gate"] + c["ground_gate_per_range"] * math.hypot(*dg[di]) + c["gate_growth"] * tr.misses
                if o >= c["min_iou"] or (dist is not None and dist <= gate):
                    k = 1 - o + (c["ground_weight"] * min(dist / gate, 1) if dist is not None else c["ground_weight"])
                    if tr.status == "tentative":
                        k += c["tentative_penalty"]
                    cost[ti, di] = k
        # cascade: confirmed/coasting tracks first, then tentative/lost on what is left
        match = {}
        confirmed = lambda tr: tr.status in ("confirmed", "coasting")
        for stage in ([i for i, tr in enumerate(self.tracks) if confirmed(tr)],
                      [i for i, tr in enumerate(self.tracks) if not confirmed(tr)]):
            cols = [d for d in range(nD) if d not in set(match.values())]
            if not stage or not cols:
                continue
            sub = cost[np.ix_(stage, cols)]
            rows, cc = linear_sum_assignment(sub)
            for r, k in zip(rows, cc):
                if sub[r, k] < big / 2:
                    match[stage[r]] = cols[k]
        matched_d = set(match.values())
        out, survivors = [], []
        for ti, tr in enumerate(self.tracks):
            if ti in match:
                di = match[ti]
                b = boxes[di]
                for f, z in zip(tr.f, ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1])):
                    f.update(z, c["box_r"])
                g = dg[di]
                if g is not None:
                    if tr.g is None:
                        tr.set_ground(g)
                    else:
                        rx, ry = ground_r(g[0])
                        tr.g[0].update(g[0], rx)
                        tr.g[1].update(g[1], ry)
                tr.hits += 1
                tr.misses = 0
                if tr.status == "tentative" and tr.hits >= c["confirm_hits"]:
                    tr.status = "confirmed"
                elif tr.status in ("coasting", "lost"):
                    tr.status = "confirmed"
                survivors.append(tr)
                out.append((tr, g))
            else:
                tr.misses += 1
                b = tr.box()
                area = (b[2] - b[0]) * (b[3] - b[1])
                ib = (max(0, b[0]), max(0, b[1]), min(self.cam.width, b[2]), min(self.cam.height, b[3]))
                inside = max(0, ib[2] - ib[0]) * max(0, ib[3] - ib[1])
                leaving = area <= 0 or 1 - inside / area > c["max_outside"]
                if tr.status == "tentative" or tr.misses > c["max_misses"] or leaving:
                    continue
                tr.status = "coasting" if tr.misses <= c["coast_frames"] else "lost"
                survivors.append(tr)
        # births, except detections mostly inside a box matched to a confirmed track (duplicates)
        held = [boxes[d] for t, d in match.items() if confirmed(self.tracks[t])]

        def inside(b):
            area = (b[2] - b[0]) * (b[3] - b[1])
            return area > 0 and any(max(0, min(b[2], h[2]) - max(b[0], h[0])) * max(0, min(b[3], h[3]) - max(b[1], h[1]))
                                    >= c["birth_ioa"] * area for h in held)
        for di in range(nD):
            if di not in matched_d and not inside(boxes[di]):
                survivors.append(Track(self.next_id, boxes[di], classes[di], dg[di]))
                self.next_id += 1
        self.tracks = survivors
        return out
