"""DrivePipe student: shared backbone + FPN-lite neck, CenterNet detection head (stride 4 since v4:
the stride-8 detection features upsampled x2 and merged with features_s4; stride 8 with det_stride=8, as v1-v3),
segmentation head (3 classes, stride 4 -> bilinear to input size).

Only plain ops: Conv 3x3/1x1 (stride 1/2), BatchNorm (folded at export), ReLU, Add, Resize
(nearest x2 in the neck and the detection head, bilinear x4 on the segmentation logits), Sigmoid.

Shapes for the shipped 1x3x288x512 input (RGB/255) with det_stride=4 (v3 used 1x3x224x384, stride 8):
  features_s4  1x24x72x128   (named intermediate: backbone output for both heads)
  features_s8  1x48x36x64    (named intermediate: neck output for both heads)
  heatmap      1x4x72x128    sigmoid scores, classes vehicle, pedestrian, cyclist, traffic_light
  box_size     1x2x72x128    (w, h) in stride cells
  box_offset   1x2x72x128    (dx, dy) sub-cell centre offset, cells
  seg_logits   1x3x288x512   background, drivable, lane line
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 4
STRIDE = 4  # detection stride of the default (v4) student


def cbr(cin, cout, k=3, s=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ResBlock(nn.Module):
    """ReLU(x + BN(conv3x3(ReLU(BN(conv3x3(x)))))): the last BN's weight starts at 0, so a new block is the identity
    on x >= 0 (a ReLU output) and a warm-started network keeps its function at step 0."""

    def __init__(self, c):
        super().__init__()
        self.body = nn.Sequential(cbr(c, c), nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))
        nn.init.zeros_(self.body[2].weight)

    def forward(self, x):
        return F.relu(x + self.body(x))


class Student(nn.Module):
    def __init__(self, c=(16, 24, 48, 96, 128), neck=48, seg=24, det_stride=STRIDE, det4=32, det4_blocks=0, seg_blocks=0):
        super().__init__()
        assert det_stride in (4, 8)
        self.det_stride = det_stride
        c1, c2, c3, c4, c5 = c
        self.stem = cbr(3, c1, 3, 2)                                   # /2
        self.s4 = cbr(c1, c2, 3, 2)                                    # /4
        self.s8 = nn.Sequential(cbr(c2, c3, 3, 2), cbr(c3, c3))        # /8
        self.s16 = nn.Sequential(cbr(c3, c4, 3, 2), cbr(c4, c4))       # /16
        self.s32 = nn.Sequential(cbr(c4, c5, 3, 2), cbr(c5, c5))       # /32
        self.lat32 = cbr(c5, neck, 1)
        self.lat16 = cbr(c4, neck, 1)
        self.fuse16 = cbr(neck, neck)
        self.lat8 = cbr(c3, neck, 1)
        self.fuse8 = cbr(neck, neck)
        # detection head on features_s8
        self.det = cbr(neck, neck)
        hc = neck
        if det_stride == 4:  # stride-8 detection features -> 1x1 reduce, x2 up, + features_s4 (1x1), 3x3
            self.det_red = cbr(neck, det4, 1)
            self.det_lat4 = cbr(c2, det4, 1)
            self.det4 = cbr(det4, det4)
            # v7: residual blocks at stride 4 (0 up to v6): more context and capacity where far cars are placed
            self.det4_res = nn.Sequential(*[ResBlock(det4) for _ in range(det4_blocks)])
            hc = det4
        self.hm = nn.Conv2d(hc, NUM_CLASSES, 1)
        self.wh = nn.Conv2d(hc, 2, 1)
        self.off = nn.Conv2d(hc, 2, 1)
        nn.init.constant_(self.hm.bias, -2.19)  # prior 0.1 (CenterNet)
        # segmentation head on features_s8 (+ features_s4 skip)
        self.seg8 = cbr(neck, seg, 1)
        # v16: residual blocks at stride 8 in the segmentation head (0 up to v15): context for road edges and barriers
        self.seg8_res = nn.Sequential(*[ResBlock(seg) for _ in range(seg_blocks)])
        self.seg4 = cbr(c2, seg, 1)
        self.seg = cbr(seg, seg)
        self.seg_out = nn.Conv2d(seg, 3, 1)

    def backbone(self, x):
        f4 = self.s4(self.stem(x))
        f8 = self.s8(f4)
        f16 = self.s16(f8)
        f32 = self.s32(f16)
        p16 = self.fuse16(self.lat16(f16) + F.interpolate(self.lat32(f32), scale_factor=2.0, mode="nearest"))
        p8 = self.fuse8(self.lat8(f8) + F.interpolate(p16, scale_factor=2.0, mode="nearest"))
        return f4, p8

    def heads(self, f4, p8):
        d = self.det(p8)
        if self.det_stride == 4:
            d = self.det4(self.det_lat4(f4) + F.interpolate(self.det_red(d), scale_factor=2.0, mode="nearest"))
            d = self.det4_res(d)
        hm = torch.sigmoid(self.hm(d))
        wh = self.wh(d)
        off = self.off(d)
        s = self.seg(self.seg4(f4) + F.interpolate(self.seg8_res(self.seg8(p8)), scale_factor=2.0, mode="nearest"))
        seg = F.interpolate(self.seg_out(s), scale_factor=4.0, mode="bilinear", align_corners=False)
        return hm, wh, off, seg

    def forward(self, x, with_features=False):
        f4, p8 = self.backbone(x)
        out = self.heads(f4, p8)
        return out + (f4, p8) if with_features else out


SEG_HEAD = ("seg8", "seg8_res", "seg4", "seg", "seg_out")  # the segmentation head's modules (v16: trained alone)


def student_for(args):
    """The network a checkpoint's training args describe (older checkpoints lack the newer keys)."""
    return Student(det_stride=args.get("det_stride", 8), det4_blocks=args.get("det4_blocks", 0),
                   seg_blocks=args.get("seg_blocks", 0))


def count_macs(model, h=288, w=512):
    """Multiply-accumulates of conv layers (the rest is negligible)."""
    macs = [0]

    def hook(m, i, o):
        macs[0] += o.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, h, w))
    for x in hs:
        x.remove()
    return macs[0]


if __name__ == "__main__":
    m = Student()
    m8 = Student(det_stride=8)
    print(f"one stride-4 residual block: MACs {count_macs(Student(det4_blocks=1))/1e6:.1f} M")
    print(f"one stride-8 segmentation block: MACs {count_macs(Student(seg_blocks=1))/1e6:.1f} M")
    print(f"det stride 8: MACs {count_macs(m8)/1e6:.1f} M at 512x288, {count_macs(m8, 224, 384)/1e6:.1f} M at 384x224")
    macs = count_macs(m)
    print(f"params {sum(p.numel() for p in m.parameters())/1e6:.3f} M, MACs {macs/1e6:.1f} M, FLOPs {2*macs/1e9:.3f} G")
    for t in m(torch.zeros(1, 3, 288, 512), True):
        print(tuple(t.shape))
