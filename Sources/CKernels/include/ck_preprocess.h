// CKernels preprocessing: the decoded frame (RGB8) straight to the network's input tensor, and
// the segmentation head's per-pixel argmax. Plain loops over raw buffers; each entry point is
// compiled for AVX-512, AVX2 and plain C (isa: CK_ISA_* of ckernels.h, chosen by the caller).
// Reference twins live in Swift (ImageIO's resize + writeNCHW, Perception's argmax) and the
// tests compare them bit for bit.
#ifndef CK_PREPROCESS_H
#define CK_PREPROCESS_H

#include <stdint.h>

/// Bilinear resize (half-pixel centres, OpenCV INTER_LINEAR's 11-bit fixed point) of an RGB8
/// image, normalised and laid out as float planes, in one pass: bit-identical to ImageIO's
/// resizeBilinearKernel followed by the 256-entry normalisation table of writeNCHW.
///   src      sh x sw x 3 u8, rows srcStride bytes apart
///   xofs0/1  [dw] byte offsets in a source row (3 * column) of output column x's two taps
///   xw0/1    [dw] their weights (fixed point, sum 2048)
///   yrow0/1  [dh] source rows of output row y; yw0/1 [dh] their weights (sum 2048)
///   chanSrc  [3]  source channel (0 R, 1 G, 2 B) of output channel c
///   scale, mean[3], std[3]: tensor = (v * scale - mean[c]) / std[c], v the resized byte
///   dst      [3][dh][dw] float (plane c at dst + c * dstPlane); output rows [y0, y1) written
///   scratch  6 * dw int32 (two horizontally resized source rows, planar)
/// Each output row is blended from two horizontally resized source rows, kept while
/// consecutive output rows share them.
void ck_resize_rgb8_nchw(int isa, const uint8_t *src, long srcStride,
                         const int32_t *xofs0, const int32_t *xofs1, const int32_t *xw0, const int32_t *xw1, int dw,
                         const int32_t *yrow0, const int32_t *yrow1, const int32_t *yw0, const int32_t *yw1,
                         const int32_t *chanSrc, float scale, const float *mean, const float *std,
                         float *dst, long dstPlane, int y0, int y1, int32_t *scratch);

/// Per-pixel argmax over channels: logits [c][n] float -> labels [n] u8 = the first channel
/// holding the largest value (numpy argmax; a NaN never wins over an earlier number).
/// labelMap [c] (or NULL: identity) renames channel indices.
void ck_argmax_channels(int isa, const float *logits, int channels, long n, const uint8_t *labelMap, uint8_t *labels);

/// Linear resize of every logit channel (separable, the taps given) and the argmax over the
/// channels, without writing the resized logits: the same arithmetic as the engine's linear
/// Resize (x pass: s[i0] * (1 - q) + s[i1] * q; y pass: r0 * (1 - b) + r1 * b; no fused
/// multiply-add), then ck_argmax_channels' rule.
///   logits [c][h][w]; xi0/xi1 [W] source columns, xw [W] weight of xi1; yi0/yi1 [H], yw [H]
///   labelMap [c] or NULL; labels [H][W] u8
///   rows (scratch): c * h * W floats (every source row resized along x)
void ck_resize_argmax(int isa, const float *logits, int c, int h, int w, const int32_t *xi0, const int32_t *xi1,
                      const float *xw, int W, const int32_t *yi0, const int32_t *yi1, const float *yw, int H,
                      const uint8_t *labelMap, uint8_t *labels, float *rows);

#endif
