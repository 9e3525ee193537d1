"""Shared helpers for the DrivePipe student-model tools: paths, teachers, YOLO decoding, frame reading."""
import glob
import json
import os

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SHARED = os.environ.get("DRIVEPIPE_SHARED", os.path.abspath(os.path.join(REPO, "..", "shared")))
VIDEOS = os.path.join(SHARED, "data", "udacity", "videos")
TEACHERS = os.path.join(SHARED, "models", "teachers")
CACHE = os.path.join(HERE, "cache")
RUNS = os.path.join(HERE, "runs")

TRAIN_DRIVES = ["project_video", "challenge", "solidYellowLeft", "solidWhiteRight"]
VAL_DRIVE = "challenge_video"

# Student classes, in heatmap channel order (matches Messages.ObjectClass raw values).
CLASSES = ["vehicle", "pedestrian", "cyclist", "traffic_light"]
# COCO class index -> student class index.
COCO_MAP = {2: 0, 5: 0, 7: 0, 3: 0, 0: 1, 1: 2, 9: 3}

CACHE_W, CACHE_H = 640, 360  # cached frames and teacher masks (TwinLiteNet's input size)


def flushed_model_bytes(path, tiny=1e-30):
    """The ONNX model with float weights of magnitude < tiny set to 0. TwinLiteNet carries thousands of
    denormal/near-denormal weights; they make its activations denormal, which slows onnxruntime about 5x
    on Intel hosts. Its outputs are bit-identical after the flush (checked on real frames)."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    for t in m.graph.initializer:
        a = numpy_helper.to_array(t)
        if a.dtype == np.float32:
            t.CopyFrom(numpy_helper.from_array(np.where(np.abs(a) < tiny, np.float32(0), a).astype(np.float32), t.name))
    return m.SerializeToString()


def ort_session(path, threads=2):
    """path: ONNX file name, or the model's serialized bytes."""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    # Busy-waiting worker threads are very slow on a shared, oversubscribed CPU.
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def read_frames(name, step=1, offset=0, wanted=None):
    """Yields (index, BGR frame) for frames i with i % step == offset (or i in `wanted`) of a Udacity drive."""
    cap = cv2.VideoCapture(os.path.join(VIDEOS, name + ".mp4"))
    i = 0
    last = max(wanted) if wanted else None
    while True:
        take = (i in wanted) if wanted is not None else (i % step == offset)
        if take:
            ok, f = cap.read()
            if not ok:
                break
            yield i, f
        elif not cap.grab():
            break
        if last is not None and i >= last:
            break
        i += 1
    cap.release()


def heldout_items(passes=("p0", "p1")):
    """Yields (pass, frame index, BGR frame, teacher mask 360x640, teacher boxes Kx6 at 640x360: x1 y1 x2 y2 score
    class) for the cached held-out frames of the given passes (p0: every 8th frame, p1: the other labelled ones)."""
    for p in sorted(glob.glob(os.path.join(CACHE, "labels", f"p*_{VAL_DRIVE}_*.npz"))):
        pas = os.path.basename(p)[:2]
        if pas not in passes:
            continue
        z = np.load(p)
        idx, masks, boxes = list(z["index"]), z["masks"], z["boxes"]
        frames = dict(read_frames(VAL_DRIVE, wanted=set(idx)))
        for r, i in enumerate(idx):
            yield pas, i, frames[i], masks[r], boxes[boxes[:, 0] == r][:, 1:]


def to_nchw_rgb(bgr, w, h):
    """Whole frame, bilinear stretch to w x h, RGB/255, 1x3xHxW float32."""
    x = cv2.resize(bgr, (w, h), interpolation=cv2.INTER_LINEAR)
    x = cv2.cvtColor(x, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


class TwinLite:
    def __init__(self, threads=2):
        self.s = ort_session(flushed_model_bytes(os.path.join(TEACHERS, "twinlitenet.onnx")), threads)

    def mask(self, bgr):
        """Teacher mask at 640x360: 0 background, 1 drivable, 2 lane line (lane wins)."""
        da, ll = self.s.run(["da", "ll"], {"images": to_nchw_rgb(bgr, 640, 360)})
        m = (da[0].argmax(0) == 1).astype(np.uint8)
        m[ll[0].argmax(0) == 1] = 2
        return m


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def nms(boxes, scores, iou_thr):
    """Greedy IoU NMS; boxes Nx4 x1y1x2y2. Returns kept indices, best first."""
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        i = order[0]
        keep.append(i)
        if order.size == 1:
            break
        r = order[1:]
        xx1 = np.maximum(boxes[i, 0], boxes[r, 0]); yy1 = np.maximum(boxes[i, 1], boxes[r, 1])
        xx2 = np.minimum(boxes[i, 2], boxes[r, 2]); yy2 = np.minimum(boxes[i, 3], boxes[r, 3])
        inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
        a = (boxes[i, 2] - boxes[i, 0]) * (boxes[i, 3] - boxes[i, 1])
        b = (boxes[r, 2] - boxes[r, 0]) * (boxes[r, 3] - boxes[r, 1])
        iou = inter / np.maximum(a + b - inter, 1e-9)
        order = r[iou <= iou_thr]
    return keep


def yolo_decode(outputs, spec, frame_w, frame_h, conf=None, nms_iou=None, class_map=None, clip=False):
    """Decodes raw Yolo-Fastest heads per the sidecar JSON.
    outputs: {name: 1x(A*(5+C))xHxW}. Returns Nx6 [x1,y1,x2,y2,score,class] in frame pixels,
    per-class greedy NMS. class_map maps COCO ids to student ids (others dropped); NMS is then
    done per mapped class."""
    dec = spec["decoding"]["darknet_defaults"]
    conf = dec["conf_thresh"] if conf is None else conf
    nms_iou = dec["nms_iou"] if nms_iou is None else nms_iou
    C = spec["num_classes"]; A = spec["num_anchors_per_output"]
    iw, ih = spec["input"]["width"], spec["input"]["height"]
    dets = []
    for o in spec["outputs"]:
        t = outputs[o["name"]][0]
        H, W = o["grid"][1], o["grid"][0]
        t = t.reshape(A, 5 + C, H, W)
        gy, gx = np.mgrid[0:H, 0:W]
        for a in range(A):
            aw, ah = o["anchors"][a]
            obj = sigmoid(t[a, 4])
            sel = obj > conf
            if not sel.any():
                continue
            cx = (gx[sel] + sigmoid(t[a, 0][sel])) / W
            cy = (gy[sel] + sigmoid(t[a, 1][sel])) / H
            w = np.exp(t[a, 2][sel]) * aw / iw
            h = np.exp(t[a, 3][sel]) * ah / ih
            cls = obj[sel][None] * sigmoid(t[a, 5:][:, sel])  # C x n
            for c, j in zip(*np.nonzero(cls > conf)):
                if class_map is not None:
                    if c not in class_map:
                        continue
                    cc = class_map[c]
                else:
                    cc = c
                dets.append([(cx[j] - w[j] / 2) * frame_w, (cy[j] - h[j] / 2) * frame_h,
                             (cx[j] + w[j] / 2) * frame_w, (cy[j] + h[j] / 2) * frame_h, cls[c, j], cc])
    if not dets:
        return np.zeros((0, 6), np.float32)
    d = np.array(dets, np.float32)
    if clip:
        d[:, [0, 2]] = d[:, [0, 2]].clip(0, frame_w)
        d[:, [1, 3]] = d[:, [1, 3]].clip(0, frame_h)
    out = []
    for c in np.unique(d[:, 5]):
        dc = d[d[:, 5] == c]
        out.append(dc[nms(dc[:, :4], dc[:, 4], nms_iou)])
    d = np.concatenate(out)
    return d[np.argsort(-d[:, 4], kind="stable")]


class Yolo:
    def __init__(self, threads=2):
        self.spec = json.load(open(os.path.join(TEACHERS, "yolo-fastest-1.1.json")))
        self.s = ort_session(os.path.join(TEACHERS, "yolo-fastest-1.1.onnx"), threads)
        self.names = [o["name"] for o in self.spec["outputs"]]

    def raw(self, bgr):
        outs = self.s.run(self.names, {"images": to_nchw_rgb(bgr, 320, 320)})
        return dict(zip(self.names, outs))

    def detect(self, bgr, conf=None):
        """Student-class boxes Nx6 in frame pixels."""
        h, w = bgr.shape[:2]
        return yolo_decode(self.raw(bgr), self.spec, w, h, conf=conf, class_map=COCO_MAP)


def centernet_decode(hm, size, off, stride, thr, top_k, sx, sy, fw, fh):
    """Reference CenterNet decoding (mirrors Sources/Perception/CenterNetDecoder.swift).
    hm Cx H x W; returns Nx6 [x1,y1,x2,y2,score,class] in frame pixels."""
    C, H, W = hm.shape
    p = np.pad(hm, ((0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    pooled = np.max(np.stack([p[:, dy:dy + H, dx:dx + W] for dy in range(3) for dx in range(3)]), 0)
    flat = np.nonzero(((hm == pooled) & (hm > thr)).ravel())[0]
    scores = hm.ravel()[flat]
    flat = flat[np.argsort(-scores, kind="stable")][:top_k]
    out = []
    for i in flat:
        c, y, x = i // (H * W), (i // W) % H, i % W
        cx = (np.float32(x) + off[0, y, x]) * np.float32(stride)
        cy = (np.float32(y) + off[1, y, x]) * np.float32(stride)
        w = max(size[0, y, x], np.float32(0)) * np.float32(stride)
        h = max(size[1, y, x], np.float32(0)) * np.float32(stride)
        b = np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], np.float32)
        b[[0, 2]] = (b[[0, 2]] / np.float32(sx)).clip(0, fw)
        b[[1, 3]] = (b[[1, 3]] / np.float32(sy)).clip(0, fh)
        out.append([*b, hm[c, y, x], c])
    return np.array(out, np.float32).reshape(-1, 6)
