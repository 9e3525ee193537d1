"""Writes the model card JSON (fixtures/models/<name>.json) from the exported ONNX file and the
metrics JSON of evaluate.py. The card is what the pipeline reads: input + normalisation, the
backbone/head sub-graphs (named tensors), decoder parameters, plus training data and metrics.
Usage: python card.py --model ../../fixtures/models/drivepipe-student.onnx --metrics runs/v2/metrics.json"""
import argparse
import json
import os

import onnx
from onnx import shape_inference

from common import CLASSES


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--train-state", default="{}", help="JSON with epochs/steps/frames")
    ap.add_argument("--training", default="{}",
                    help="JSON of training fields (data, losses, schedule, ...) replacing the defaults below for this run")
    ap.add_argument("--score-threshold", type=float, default=0.3)
    a = ap.parse_args()
    m = shape_inference.infer_shapes(onnx.load(a.model))
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(m.graph.value_info) + list(m.graph.output) + list(m.graph.input)}
    ishape = shapes["images"]
    stride = ishape[3] // shapes["heatmap"][3]  # 8 up to v3, 4 since v4
    det_inputs = ["features_s8"] if stride == 8 else ["features_s4", "features_s8"]
    name = os.path.splitext(os.path.basename(a.model))[0]
    card = {
        "name": name,
        "onnx": os.path.basename(a.model),
        "description": "DrivePipe's default perception model: one CNN backbone shared by a CenterNet-style "
                       "detection head and a 3-class segmentation head, trained on teacher-labelled real driving video.",
        "opset": 17,
        "input": {"name": "images", "shape": ishape, "width": ishape[3], "height": ishape[2], "layout": "NCHW",
                  "dtype": "float32", "channel_order": "RGB", "scale": 1 / 255, "mean": [0, 0, 0], "std": [1, 1, 1],
                  "resize": "stretch",
                  "resize_note": "whole frame resized (bilinear, like cv2.INTER_LINEAR) to width x height, no letterbox, no crop; value = pixel/255"},
        "backbone": {"inputs": ["images"], "outputs": ["features_s4", "features_s8"]},
        "heads": {
            "detection": {"inputs": det_inputs, "outputs": ["heatmap", "box_size", "box_offset"],
                          "decoder": "centernet", "heatmap": "heatmap", "box_size": "box_size", "box_offset": "box_offset",
                          "stride": stride, "classes": CLASSES, "score_threshold": a.score_threshold, "top_k": 100,
                          "decoding": "peaks = heatmap cells > score_threshold that equal their 3x3 max (max-pool, -inf padding); "
                                      "top_k by score; centre = (x + box_offset[0], y + box_offset[1]) * stride, "
                                      "size = max(box_size, 0) * stride (input pixels); box mapped to frame pixels by the "
                                      "inverse resize and clipped. heatmap is already sigmoid. No NMS."},
            "segmentation": {"inputs": ["features_s4", "features_s8"], "outputs": ["seg_logits"], "decoder": "argmax",
                             "logits": "seg_logits", "classes": ["background", "drivable", "lane_line"],
                             "decoding": "argmax over channels at input resolution (the head ends in a bilinear x4 Resize); "
                                         "nearest resample to frame pixels if wanted"},
        },
        "tensors": {n: shapes.get(n) for n in ["images", "features_s4", "features_s8", "heatmap", "box_size", "box_offset", "seg_logits"]},
        "ops": sorted({n.op_type for n in m.graph.node}),
        "resize_ops": "neck and detection head: Resize nearest x2 (asymmetric, floor); segmentation: Resize linear x4 (half_pixel)",
        "training": {
            "data": "Udacity self-driving-car videos (MIT licence): every frame of project_video, challenge, solidYellowLeft and solidWhiteRight (2,413 frames; v4 used every 2nd, 1,208; see tools/train/label.py, passes q0-q4); challenge_video held out for validation (every 2nd frame, 242 frames, evaluation only)",
            "labels": "teacher pseudo-labels: TwinLiteNet (MIT; drivable area + lane lines, argmax, lane wins, and its probabilities for distillation: tools/train/soft_labels.py) and Yolo-Fastest 1.1 (public domain; COCO car/bus/truck/motorbike -> vehicle, person -> pedestrian, bicycle -> cyclist, traffic light -> traffic_light; conf 0.25, per-class NMS 0.45); detection labels since v10's training run (v9b): Yolo-Fastest run on each augmented crop the student sees (before mirror and colour jitter), not cached boxes moved with the crop",
            "detection_targets": "the teacher's boxes on the crop itself with confidence >= 0.4 are heatmap targets; its boxes 0.25-0.4 are ignored regions (no loss pushing the heatmap to 0 inside them)",
            "losses": "CenterNet focal loss on heatmap (ignored regions excluded), L1 on size (x0.1) and offset, "
                      "class-weighted CE on segmentation (lane x4)",
            "augmentation": f"whole frame at the deployed scale (30%) or zoom 0.8-1.6x (below 1: pasted into a grey canvas whose "
                            f"pixels the segmentation loss ignores) and crop to {ishape[3]}x{ishape[2]} (half of the crops centred near a "
                            "random teacher box); teacher boxes cut to under 40% by the crop become ignored regions; horizontal flip "
                            "(masks and boxes mirrored); saturation, rare grayscale, contrast, brightness, per-channel gain, cast "
                            "shadows (darkened random quadrilaterals), gamma, blur, sensor noise",
            "schedule": "AdamW lr 3e-3, 100-step warm-up, cosine over a budget of process CPU minutes on 1 thread (bounded by a "
                        "wall-clock deadline), batch 8, EMA of weights (decay 0.998) exported",
            "state": json.loads(a.train_state),
            "code": "tools/train (train.py, export.py, evaluate.py)",
        },
        "evaluation_data_licences": "CamVid (research use, evaluation only), KITTI object (CC BY-NC-SA 3.0, evaluation only)",
        "metrics": json.load(open(a.metrics)),
    }
    card["training"].update(json.loads(a.training))
    out = os.path.splitext(a.model)[0] + ".json"
    json.dump(card, open(out, "w"), indent=1)
    print(out)


if __name__ == "__main__":
    main()
