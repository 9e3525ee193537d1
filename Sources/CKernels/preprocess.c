// Preprocessing kernels (see ck_preprocess.h): one plain-C body per kernel, inlined into an
// AVX-512, an AVX2 and a default-target wrapper so the compiler vectorises it for each; the
// caller picks the wrapper at run time (ck_cpu_isa).

#include "ck_preprocess.h"
#include "ckernels.h"

// The tensor values must equal Swift's (v * scale - mean) / std exactly: no fused multiply-add.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#define CK_INLINE static inline __attribute__((always_inline))

/// Horizontal pass of one source row into three planar int32 rows (value * 2048), in output
/// channel order.
CK_INLINE void hpass(const uint8_t *s, const int32_t *xofs0, const int32_t *xofs1, const int32_t *xw0,
                     const int32_t *xw1, int dw, int c0, int c1, int c2, int32_t *h) {
    int32_t *h0 = h, *h1 = h + dw, *h2 = h + 2 * dw;
    for (int x = 0; x < dw; x++) {
        const uint8_t *p = s + xofs0[x], *q = s + xofs1[x];
        const int32_t a = xw0[x], b = xw1[x];
        h0[x] = (int32_t)p[c0] * a + (int32_t)q[c0] * b;
        h1[x] = (int32_t)p[c1] * a + (int32_t)q[c1] * b;
        h2[x] = (int32_t)p[c2] * a + (int32_t)q[c2] * b;
    }
}

/// Vertical blend of two planar rows (OpenCV's rounding), then the normalisation, into one
/// output row of one plane.
CK_INLINE void vpass(const int32_t *r0, const int32_t *r1, int32_t b0, int32_t b1, int dw, float scale,
                     float mean, float std, float *out) {
    for (int x = 0; x < dw; x++) {
        int32_t v = (((r0[x] >> 4) * b0) >> 16) + (((r1[x] >> 4) * b1) >> 16) + 2;
        v >>= 2;
        v = v < 0 ? 0 : v > 255 ? 255 : v;
        float f = (float)v * scale;
        f = f - mean;
        out[x] = f / std;
    }
}

CK_INLINE void resize_body(const uint8_t *src, long srcStride, const int32_t *xofs0, const int32_t *xofs1,
                           const int32_t *xw0, const int32_t *xw1, int dw, const int32_t *yrow0,
                           const int32_t *yrow1, const int32_t *yw0, const int32_t *yw1, const int32_t *chanSrc,
                           float scale, const float *mean, const float *std, float *dst, long dstPlane, int y0,
                           int y1, int32_t *scratch) {
    int32_t *hA = scratch, *hB = scratch + 3 * dw;  // rows held: hA = source row rowA, hB = rowB
    int rowA = -1, rowB = -1;
    const int c0 = chanSrc[0], c1 = chanSrc[1], c2 = chanSrc[2];
    for (int y = y0; y < y1; y++) {
        const int s0 = yrow0[y], s1 = yrow1[y];
        // Bring s0 into hA and s1 into hB, reusing what the previous row left.
        if (rowA != s0) {
            if (rowB == s0) {
                int32_t *t = hA; hA = hB; hB = t;
                rowB = rowA; rowA = s0;
            } else {
                hpass(src + (long)s0 * srcStride, xofs0, xofs1, xw0, xw1, dw, c0, c1, c2, hA);
                rowA = s0;
            }
        }
        if (rowB != s1) {
            if (s1 == s0) {
                // the last source row: both taps on one row (weight 0 on the second)
                const int32_t *t = hA;
                for (int c = 0; c < 3; c++)
                    vpass(t + c * dw, t + c * dw, yw0[y], yw1[y], dw, scale, mean[c], std[c],
                          dst + c * dstPlane + (long)y * dw);
                continue;
            }
            hpass(src + (long)s1 * srcStride, xofs0, xofs1, xw0, xw1, dw, c0, c1, c2, hB);
            rowB = s1;
        }
        for (int c = 0; c < 3; c++)
            vpass(hA + c * dw, hB + c * dw, yw0[y], yw1[y], dw, scale, mean[c], std[c],
                  dst + c * dstPlane + (long)y * dw);
    }
}

CK_INLINE void argmax_body(const float *logits, int channels, long n, const uint8_t *labelMap, uint8_t *labels) {
    // Blocks of 256 pixels: best value and index per pixel in registers-sized arrays, one
    // channel plane at a time (contiguous loads that vectorise).
    enum { B = 256 };
    float best[B];
    int32_t arg[B];
    for (long i0 = 0; i0 < n; i0 += B) {
        const int m = n - i0 < B ? (int)(n - i0) : B;
        const float *l0 = logits + i0;
        for (int j = 0; j < m; j++) { best[j] = l0[j]; arg[j] = 0; }
        for (int c = 1; c < channels; c++) {
            const float *lc = logits + (long)c * n + i0;
            for (int j = 0; j < m; j++) {
                const float v = lc[j];
                const int gt = v > best[j];
                best[j] = gt ? v : best[j];
                arg[j] = gt ? c : arg[j];
            }
        }
        uint8_t *out = labels + i0;
        if (labelMap) for (int j = 0; j < m; j++) out[j] = labelMap[arg[j]];
        else for (int j = 0; j < m; j++) out[j] = (uint8_t)arg[j];
    }
}

#define RESIZE_ARGS const uint8_t *src, long srcStride, const int32_t *xofs0, const int32_t *xofs1, \
    const int32_t *xw0, const int32_t *xw1, int dw, const int32_t *yrow0, const int32_t *yrow1, \
    const int32_t *yw0, const int32_t *yw1, const int32_t *chanSrc, float scale, const float *mean, \
    const float *std, float *dst, long dstPlane, int y0, int y1, int32_t *scratch
#define RESIZE_PASS src, srcStride, xofs0, xofs1, xw0, xw1, dw, yrow0, yrow1, yw0, yw1, chanSrc, scale, mean, std, \
    dst, dstPlane, y0, y1, scratch
#define ARGMAX_ARGS const float *logits, int channels, long n, const uint8_t *labelMap, uint8_t *labels
#define ARGMAX_PASS logits, channels, n, labelMap, labels

static void resize_scalar(RESIZE_ARGS) { resize_body(RESIZE_PASS); }
static void argmax_scalar(ARGMAX_ARGS) { argmax_body(ARGMAX_PASS); }

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void resize_avx2(RESIZE_ARGS) { resize_body(RESIZE_PASS); }
__attribute__((target("avx2,fma"))) static void argmax_avx2(ARGMAX_ARGS) { argmax_body(ARGMAX_PASS); }
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma"))) static void resize_avx512(RESIZE_ARGS) {
    resize_body(RESIZE_PASS);
}
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma"))) static void argmax_avx512(ARGMAX_ARGS) {
    argmax_body(ARGMAX_PASS);
}
#endif

void ck_resize_rgb8_nchw(int isa, RESIZE_ARGS) {
    if (y0 >= y1 || dw <= 0) return;
#if defined(__x86_64__)
    if (isa == CK_ISA_AVX512) { resize_avx512(RESIZE_PASS); return; }
    if (isa == CK_ISA_AVX2) { resize_avx2(RESIZE_PASS); return; }
#endif
    (void)isa;
    resize_scalar(RESIZE_PASS);
}

void ck_argmax_channels(int isa, ARGMAX_ARGS) {
    if (n <= 0 || channels <= 0) return;
#if defined(__x86_64__)
    if (isa == CK_ISA_AVX512) { argmax_avx512(ARGMAX_PASS); return; }
    if (isa == CK_ISA_AVX2) { argmax_avx2(ARGMAX_PASS); return; }
#endif
    (void)isa;
    argmax_scalar(ARGMAX_PASS);
}
