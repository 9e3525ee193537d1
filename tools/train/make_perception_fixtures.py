"""Generates the Perception test fixtures (fixtures/perception/):

  yolo_real_expected.json   Yolo-Fastest raw outputs of the teacher's reference real input
                            (../shared/models/teachers/reference) decoded in Python (sidecar JSON
                            decoding, COCO -> DrivePipe classes, per-class NMS, boxes clipped) for a
                            1280x720 frame stretched to 320x320.
  student_<k>_input.npy     real held-out frames (challenge_video) already resized to the student input:
                            H x W x 3 uint8 RGB at the card's input size (the tensor is value/255, NCHW)
  student_<k>_expected.json student model run by onnxruntime on that tensor, CenterNet-decoded
                            (card thresholds) for a 1280x720 frame
  student_<k>_mask.npy      H x W uint8 argmax of seg_logits

Usage: python make_perception_fixtures.py [--yolo] [--student fixtures/models/<name>.json]
"""
import argparse
import json
import os

import cv2
import numpy as np

from common import COCO_MAP, CLASSES, REPO, TEACHERS, centernet_decode, read_frames, yolo_decode, ort_session

OUT = os.path.join(REPO, "fixtures", "perception")
FRAMES = [120, 330]  # challenge_video frame indices


def det_json(d):
    return [{"x1": float(x1), "y1": float(y1), "x2": float(x2), "y2": float(y2), "score": float(s), "class": CLASSES[int(c)]}
            for x1, y1, x2, y2, s, c in d]


def yolo():
    spec = json.load(open(os.path.join(TEACHERS, "yolo-fastest-1.1.json")))
    ref = os.path.join(TEACHERS, "reference", "yolo-fastest-1.1")
    outs = {o["name"]: np.load(os.path.join(ref, f"output_real_{o['name']}.npy")) for o in spec["outputs"]}
    d = yolo_decode(outs, spec, 1280, 720, class_map=COCO_MAP, clip=True)
    json.dump({"frame_width": 1280, "frame_height": 720, "detections": det_json(d)},
              open(os.path.join(OUT, "yolo_real_expected.json"), "w"), indent=1)
    print(f"yolo: {len(d)} detections")


def student(card_path):
    card = json.load(open(card_path))
    model = os.path.join(os.path.dirname(card_path), card["onnx"])
    s = ort_session(model, 1)
    W, H = card["input"]["width"], card["input"]["height"]
    det = card["heads"]["detection"]
    wanted = set(FRAMES)
    for k, (i, f) in enumerate(read_frames("challenge_video", wanted=wanted)):
        fh, fw = f.shape[:2]
        rgb = cv2.cvtColor(cv2.resize(f, (W, H), interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2RGB)
        np.save(os.path.join(OUT, f"student_{k}_input.npy"), np.ascontiguousarray(rgb))
        x = np.ascontiguousarray((rgb.astype(np.float32) / 255.0).transpose(2, 0, 1)[None])
        hm, size, off, seg = s.run([det["heatmap"], det["box_size"], det["box_offset"], card["heads"]["segmentation"]["logits"]],
                                   {card["input"]["name"]: x})
        d = centernet_decode(hm[0], size[0], off[0], det["stride"], det["score_threshold"], det["top_k"],
                             np.float32(W) / np.float32(fw), np.float32(H) / np.float32(fh), fw, fh)
        json.dump({"video_frame": i, "frame_width": fw, "frame_height": fh, "detections": det_json(d)},
                  open(os.path.join(OUT, f"student_{k}_expected.json"), "w"), indent=1)
        np.save(os.path.join(OUT, f"student_{k}_mask.npy"), seg[0].argmax(0).astype(np.uint8))
        print(f"student frame {i}: {len(d)} detections, mask classes {np.bincount(seg[0].argmax(0).ravel(), minlength=3)}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--yolo", action="store_true")
    ap.add_argument("--student")
    a = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    if a.yolo:
        yolo()
    if a.student:
        student(a.student)
