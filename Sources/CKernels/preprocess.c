// Preprocessing kernels (see ck_preprocess.h): one plain-C body per kernel, inlined into an
// AVX-512, an AVX2 and a default-target wrapper so the compiler vectorises it for each; the
// caller picks the wrapper at run time (ck_cpu_isa).

#include "ck_preprocess.h"
#include "ckernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// The tensor values must equal Swift's (v * scale - mean) / std exactly: no fused multiply-add.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#define CK_INLINE static inline __attribute__((always_inline))

/// Horizontal pass of one source row into three planar int32 rows (value * 2048), in output
/// channel order.
CK_INLINE void hpass(const uint8_t *s, const int32_t *xofs0, const int32_t *xofs1, const int32_t *xw0,
                     const int32_t *xw1, int dw, int c0, int c1, int c2, int32_t *h, int x0) {
    int32_t *h0 = h, *h1 = h + dw, *h2 = h + 2 * dw;
    for (int x = x0; x < dw; x++) {
        const uint8_t *p = s + xofs0[x], *q = s + xofs1[x];
        const int32_t a = xw0[x], b = xw1[x];
        h0[x] = (int32_t)p[c0] * a + (int32_t)q[c0] * b;
        h1[x] = (int32_t)p[c1] * a + (int32_t)q[c1] * b;
        h2[x] = (int32_t)p[c2] * a + (int32_t)q[c2] * b;
    }
}


#if defined(__x86_64__)
/// Vector horizontal pass over columns [x0, xv): LANES output pixels at a time, each tap's
/// R, G, B (and one byte beyond) fetched as one 32-bit gather; (p, q) packed as 16-bit pairs
/// and multiplied by the packed weights (a, b) with one pmaddwd: p * a + q * b exactly.
#define HPASS_VEC(NAME, VI, LANES, LOAD, GATHER, SET1, AND, OR, SRLV, SLLI, MADD, STORE)            \
    static __attribute__((noinline)) void NAME(                                      \
        const uint8_t *s, const int32_t *xofs0, const int32_t *xofs1, const int32_t *xw0,        \
        const int32_t *xw1, int dw, int c0, int c1, int c2, int32_t *h, int x0, int xv) {        \
        const VI m = SET1(0xff), sh0 = SET1(8 * c0), sh1 = SET1(8 * c1), sh2 = SET1(8 * c2);     \
        for (int x = x0; x < xv; x += LANES) {                                                   \
            const VI p = GATHER(LOAD(xofs0 + x), s), q = GATHER(LOAD(xofs1 + x), s);             \
            const VI w = OR(LOAD(xw0 + x), SLLI(LOAD(xw1 + x), 16));                             \
            STORE(h + x, MADD(OR(AND(SRLV(p, sh0), m), SLLI(AND(SRLV(q, sh0), m), 16)), w));     \
            STORE(h + dw + x, MADD(OR(AND(SRLV(p, sh1), m), SLLI(AND(SRLV(q, sh1), m), 16)), w));\
            STORE(h + 2 * dw + x, MADD(OR(AND(SRLV(p, sh2), m), SLLI(AND(SRLV(q, sh2), m), 16)), w)); \
        }                                                                                        \
    }
#define LOAD256(p) _mm256_loadu_si256((const __m256i *)(p))
#define GATHER256(i, b) _mm256_i32gather_epi32((const int *)(b), (i), 1)
#define STORE256(p, v) _mm256_storeu_si256((__m256i *)(p), (v))
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
HPASS_VEC(hpass_vec_avx2, __m256i, 8, LOAD256, GATHER256, _mm256_set1_epi32, _mm256_and_si256, _mm256_or_si256,
          _mm256_srlv_epi32, _mm256_slli_epi32, _mm256_madd_epi16, STORE256)
#pragma clang attribute pop
#define LOAD512(p) _mm512_loadu_si512((const void *)(p))
#define GATHER512(i, b) _mm512_i32gather_epi32((i), (const void *)(b), 1)
#define STORE512(p, v) _mm512_storeu_si512((void *)(p), (v))
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma"))), apply_to = function)
HPASS_VEC(hpass_vec_avx512, __m512i, 16, LOAD512, GATHER512, _mm512_set1_epi32, _mm512_and_si512, _mm512_or_si512,
          _mm512_srlv_epi32, _mm512_slli_epi32, _mm512_madd_epi16, STORE512)
#pragma clang attribute pop

/// The AVX-512 horizontal pass without gathers where it can (AVX512-VBMI): when the 16 outputs
/// x..x+15 read source bytes inside one 128-byte window starting at their first tap (a
/// downscale of up to about 2.5x; 640 -> 512 spans 60 bytes), the window is loaded once as two
/// vectors (masked to the row) and each channel's (p, 0, q, 0) byte pairs are picked out of it
/// with one two-table byte permute (vpermi2b; the odd bytes zeroed by the mask), then the same
/// pmaddwd as the gather path: identical sums. Returns the first column it did not do (the
/// first chunk whose taps spread wider; the gathers do the rest). Zen's 16-lane gathers made
/// this pass cost about as much as the rest of the preprocessing together.
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512vbmi,fma"), noinline)) static int hpass_vec_vbmi(
    const uint8_t *s, long srcStride, const int32_t *xofs0, const int32_t *xofs1, const int32_t *xw0,
    const int32_t *xw1, int dw, int c0, int c1, int c2, int32_t *h, int xv) {
    const __m512i k0 = _mm512_set1_epi32(c0 | c0 << 16), k1 = _mm512_set1_epi32(c1 | c1 << 16),
                  k2 = _mm512_set1_epi32(c2 | c2 << 16);
    const __mmask64 even = 0x5555555555555555ULL;
    for (int x = 0; x < xv; x += 16) {
        const __m512i o0 = LOAD512(xofs0 + x), o1 = LOAD512(xofs1 + x);
        const __m512i w = _mm512_or_si512(LOAD512(xw0 + x), _mm512_slli_epi32(LOAD512(xw1 + x), 16));
        // taps are nondecreasing in x (bilinear), so the chunk's bytes lie in [b, top + 2]
        const int b = xofs0[x] < xofs1[x] ? xofs0[x] : xofs1[x];
        const int top = xofs0[x + 15] > xofs1[x + 15] ? xofs0[x + 15] : xofs1[x + 15];
        if (top + 2 - b < 128) {
            const long left = srcStride - b;  // >= 4 (vector columns)
            const __mmask64 lo = left >= 64 ? ~0ULL : (1ULL << left) - 1;
            const __mmask64 hi = left >= 128 ? ~0ULL : left <= 64 ? 0 : (1ULL << (left - 64)) - 1;
            const __m512i win0 = _mm512_maskz_loadu_epi8(lo, s + b), win1 = _mm512_maskz_loadu_epi8(hi, s + b + 64);
#define PICK(k) _mm512_maskz_permutex2var_epi8(even, win0, _mm512_add_epi32(pq, (k)), win1)
            // per 32-bit lane: byte 0 = p - b, byte 2 = q - b (mod 2^32, so any offset size works)
            const __m512i base = _mm512_set1_epi32((int32_t)((uint32_t)b + ((uint32_t)b << 16)));
            const __m512i pq = _mm512_sub_epi32(_mm512_add_epi32(o0, _mm512_slli_epi32(o1, 16)), base);
            STORE512(h + x, _mm512_madd_epi16(PICK(k0), w));
            STORE512(h + dw + x, _mm512_madd_epi16(PICK(k1), w));
            STORE512(h + 2 * dw + x, _mm512_madd_epi16(PICK(k2), w));
#undef PICK
        } else {
            return x;
        }
    }
    return xv;
}

/// Vector x pass of the logits resize over columns [x0, xv): LANES outputs at a time, both taps
/// fetched with float gathers (indices are source columns, always inside the row); the same
/// multiplies and add as the scalar loop, in the same order, so the values are identical.
#define XPASS_VEC(NAME, VF, VI, LANES, LOADI, LOADF, GATHERF, SET1F, SUBF, MULF, ADDF, STOREF)                \
    static __attribute__((noinline)) void NAME(const float *s, const int32_t *xi0, const int32_t *xi1,      \
                                               const float *xw, float *d, int x0, int xv) {                 \
        const VF one = SET1F(1.0f);                                                                          \
        for (int x = x0; x < xv; x += LANES) {                                                               \
            const VF q = LOADF(xw + x);                                                                      \
            const VF t0 = MULF(GATHERF(LOADI(xi0 + x), s), SUBF(one, q));                                    \
            const VF t1 = MULF(GATHERF(LOADI(xi1 + x), s), q);                                               \
            STOREF(d + x, ADDF(t0, t1));                                                                     \
        }                                                                                                    \
    }
#define GATHERF256(i, b) _mm256_i32gather_ps((b), (i), 4)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
XPASS_VEC(xpass_vec_avx2, __m256, __m256i, 8, LOAD256, _mm256_loadu_ps, GATHERF256, _mm256_set1_ps, _mm256_sub_ps,
          _mm256_mul_ps, _mm256_add_ps, _mm256_storeu_ps)
#pragma clang attribute pop
/// The AVX-512 x pass without gathers where it can: when the 16 outputs x..x+15 read source
/// columns inside one 16-float window starting at their first tap (an upscale, or a downscale
/// under about 1.07x), the window is loaded once (masked to the row) and both taps are picked
/// out of it with vpermps; the same multiplies and add, so the values are identical. Returns
/// the first column it did not do (the gathers do the rest).
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma"), noinline)) static int xpass_vec_perm(
    const float *s, int w, const int32_t *xi0, const int32_t *xi1, const float *xw, float *d, int xv) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (int x = 0; x < xv; x += 16) {
        // taps are nondecreasing in x, so the chunk's columns lie in [b, top]
        const int b = xi0[x] < xi1[x] ? xi0[x] : xi1[x];
        const int top = xi0[x + 15] > xi1[x + 15] ? xi0[x + 15] : xi1[x + 15];
        if (top - b >= 16) return x;
        const int left = w - b;
        const __mmask16 inRow = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
        const __m512 win = _mm512_maskz_loadu_ps(inRow, s + b);
        const __m512i base = _mm512_set1_epi32(b);
        const __m512 q = _mm512_loadu_ps(xw + x);
        const __m512 p0 = _mm512_permutexvar_ps(_mm512_sub_epi32(_mm512_loadu_si512((const void *)(xi0 + x)), base), win);
        const __m512 p1 = _mm512_permutexvar_ps(_mm512_sub_epi32(_mm512_loadu_si512((const void *)(xi1 + x)), base), win);
        const __m512 t0 = _mm512_mul_ps(p0, _mm512_sub_ps(one, q));
        const __m512 t1 = _mm512_mul_ps(p1, q);
        _mm512_storeu_ps(d + x, _mm512_add_ps(t0, t1));
    }
    return xv;
}
#define GATHERF512(i, b) _mm512_i32gather_ps((i), (b), 4)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma"))), apply_to = function)
XPASS_VEC(xpass_vec_avx512, __m512, __m512i, 16, LOAD512, _mm512_loadu_ps, GATHERF512, _mm512_set1_ps, _mm512_sub_ps,
          _mm512_mul_ps, _mm512_add_ps, _mm512_storeu_ps)
#pragma clang attribute pop
#endif

/// Columns the vector pass may take: whole vectors of columns whose 4-byte fetches at both taps
/// stay inside the source row (tap offsets grow with x, so they form a prefix).
static int vector_columns(const int32_t *xofs1, int dw, long srcStride, int lanes) {
    int n = 0;
    while (n < dw && (long)xofs1[n] + 4 <= srcStride) n++;
    return lanes > 1 ? n / lanes * lanes : 0;
}

/// Vertical blend of two planar rows (OpenCV's rounding), then the normalisation, into one
/// output row of one plane.
CK_INLINE void vpass_op(const int SUB, const int DIV, const int32_t *r0, const int32_t *r1, int32_t b0, int32_t b1,
                        int dw, float scale, float mean, float std, float *out) {
    for (int x = 0; x < dw; x++) {
        int32_t v = (((r0[x] >> 4) * b0) >> 16) + (((r1[x] >> 4) * b1) >> 16) + 2;
        v >>= 2;
        v = v < 0 ? 0 : v > 255 ? 255 : v;
        float f = (float)v * scale;
        if (SUB) f = f - mean;
        if (DIV) f = f / std;
        out[x] = f;
    }
}

/// mean 0 and std 1 (pixel / 255 models) skip the subtraction and the division, whose results
/// would be the same numbers (f - 0 = f for f >= 0, f / 1 = f).
CK_INLINE void vpass(const int32_t *r0, const int32_t *r1, int32_t b0, int32_t b1, int dw, float scale,
                     float mean, float std, float *out) {
    const int sub = !(mean == 0.0f && scale >= 0.0f), div = std != 1.0f;
    if (sub && div) vpass_op(1, 1, r0, r1, b0, b1, dw, scale, mean, std, out);
    else if (sub) vpass_op(1, 0, r0, r1, b0, b1, dw, scale, mean, std, out);
    else if (div) vpass_op(0, 1, r0, r1, b0, b1, dw, scale, mean, std, out);
    else vpass_op(0, 0, r0, r1, b0, b1, dw, scale, mean, std, out);
}

CK_INLINE void resize_body(const int ISA, const uint8_t *src, long srcStride, const int32_t *xofs0, const int32_t *xofs1,
                           const int32_t *xw0, const int32_t *xw1, int dw, const int32_t *yrow0,
                           const int32_t *yrow1, const int32_t *yw0, const int32_t *yw1, const int32_t *chanSrc,
                           float scale, const float *mean, const float *std, float *dst, long dstPlane, int y0,
                           int y1, int32_t *scratch) {
    int32_t *hA = scratch, *hB = scratch + 3 * dw;  // rows held: hA = source row rowA, hB = rowB
    int rowA = -1, rowB = -1;
    const int c0 = chanSrc[0], c1 = chanSrc[1], c2 = chanSrc[2];
    const int xv = vector_columns(xofs1, dw, srcStride, ISA == CK_ISA_AVX512 ? 16 : ISA == CK_ISA_AVX2 ? 8 : 1);
#if defined(__x86_64__)
    const int vbmi = ISA == CK_ISA_AVX512 && (__builtin_cpu_init(), __builtin_cpu_supports("avx512vbmi"));
#endif
    // one source row: vector columns, then the scalar rest
#if defined(__x86_64__)
#define HROW(row, h) do { \
        const uint8_t *s_ = src + (long)(row) * srcStride; \
        if (ISA == CK_ISA_AVX512) { \
            const int done_ = vbmi ? hpass_vec_vbmi(s_, srcStride, xofs0, xofs1, xw0, xw1, dw, c0, c1, c2, (h), xv) : 0; \
            hpass_vec_avx512(s_, xofs0, xofs1, xw0, xw1, dw, c0, c1, c2, (h), done_, xv); \
        } else if (ISA == CK_ISA_AVX2) hpass_vec_avx2(s_, xofs0, xofs1, xw0, xw1, dw, c0, c1, c2, (h), 0, xv); \
        hpass(s_, xofs0, xofs1, xw0, xw1, dw, c0, c1, c2, (h), ISA == CK_ISA_SCALAR ? 0 : xv); \
    } while (0)
#else
#define HROW(row, h) hpass(src + (long)(row) * srcStride, xofs0, xofs1, xw0, xw1, dw, c0, c1, c2, (h), 0)
#endif
    for (int y = y0; y < y1; y++) {
        const int s0 = yrow0[y], s1 = yrow1[y];
        // Bring s0 into hA and s1 into hB, reusing what the previous row left.
        if (rowA != s0) {
            if (rowB == s0) {
                int32_t *t = hA; hA = hB; hB = t;
                rowB = rowA; rowA = s0;
            } else {
                HROW(s0, hA);
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
            HROW(s1, hB);
            rowB = s1;
        }
        for (int c = 0; c < 3; c++)
            vpass(hA + c * dw, hB + c * dw, yw0[y], yw1[y], dw, scale, mean[c], std[c],
                  dst + c * dstPlane + (long)y * dw);
    }
#undef HROW
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

CK_INLINE void resize_argmax_body(const int ISA, const float *logits, int c, int h, int w, const int32_t *xi0,
                                  const int32_t *xi1, const float *xw, int W, const int32_t *yi0, const int32_t *yi1,
                                  const float *yw, int H, const uint8_t *labelMap, uint8_t *labels, float *rows) {
    // x pass: every source row of every channel (vector columns, then the scalar rest)
    const int lanes = ISA == CK_ISA_AVX512 ? 16 : ISA == CK_ISA_AVX2 ? 8 : 1;
    const int xv = lanes > 1 ? W / lanes * lanes : 0;
    for (long r = 0; r < (long)c * h; r++) {
        const float *s = logits + r * w;
        float *d = rows + r * W;
#if defined(__x86_64__)
        if (ISA == CK_ISA_AVX512) xpass_vec_avx512(s, xi0, xi1, xw, d, xpass_vec_perm(s, w, xi0, xi1, xw, d, xv), xv);
        else if (ISA == CK_ISA_AVX2) xpass_vec_avx2(s, xi0, xi1, xw, d, 0, xv);
#endif
        for (int x = xv; x < W; x++) {
            const float q = xw[x];
            const float t0 = s[xi0[x]] * (1.0f - q);
            const float t1 = s[xi1[x]] * q;
            d[x] = t0 + t1;
        }
    }
    // y pass and argmax, in blocks of 256 columns
    enum { B = 256 };
    float best[B];
    int32_t arg[B];
    for (int y = 0; y < H; y++) {
        const float b = yw[y], a = 1.0f - b;
        const long o0 = (long)yi0[y] * W, o1 = (long)yi1[y] * W;
        for (int x0 = 0; x0 < W; x0 += B) {
            const int m = W - x0 < B ? W - x0 : B;
            const float *p0 = rows + o0 + x0, *p1 = rows + o1 + x0;
            for (int j = 0; j < m; j++) {
                const float t0 = p0[j] * a;
                const float t1 = p1[j] * b;
                best[j] = t0 + t1;
                arg[j] = 0;
            }
            for (int k = 1; k < c; k++) {
                const float *q0 = p0 + (long)k * h * W, *q1 = p1 + (long)k * h * W;
                for (int j = 0; j < m; j++) {
                    const float t0 = q0[j] * a;
                    const float t1 = q1[j] * b;
                    const float v = t0 + t1;
                    const int gt = v > best[j];
                    best[j] = gt ? v : best[j];
                    arg[j] = gt ? k : arg[j];
                }
            }
            uint8_t *out = labels + (long)y * W + x0;
            if (labelMap) for (int j = 0; j < m; j++) out[j] = labelMap[arg[j]];
            else for (int j = 0; j < m; j++) out[j] = (uint8_t)arg[j];
        }
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

#define RA_ARGS const float *logits, int c, int h, int w, const int32_t *xi0, const int32_t *xi1, const float *xw, \
    int W, const int32_t *yi0, const int32_t *yi1, const float *yw, int H, const uint8_t *labelMap, uint8_t *labels, float *rows
#define RA_PASS logits, c, h, w, xi0, xi1, xw, W, yi0, yi1, yw, H, labelMap, labels, rows
static void resize_argmax_scalar(RA_ARGS) { resize_argmax_body(CK_ISA_SCALAR, RA_PASS); }
static void resize_scalar(RESIZE_ARGS) { resize_body(CK_ISA_SCALAR, RESIZE_PASS); }
static void argmax_scalar(ARGMAX_ARGS) { argmax_body(ARGMAX_PASS); }

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void resize_avx2(RESIZE_ARGS) { resize_body(CK_ISA_AVX2, RESIZE_PASS); }
__attribute__((target("avx2,fma"))) static void argmax_avx2(ARGMAX_ARGS) { argmax_body(ARGMAX_PASS); }
__attribute__((target("avx2,fma"))) static void resize_argmax_avx2(RA_ARGS) { resize_argmax_body(CK_ISA_AVX2, RA_PASS); }
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma"))) static void resize_argmax_avx512(RA_ARGS) {
    resize_argmax_body(CK_ISA_AVX512, RA_PASS);
}
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma"))) static void resize_avx512(RESIZE_ARGS) {
    resize_body(CK_ISA_AVX512, RESIZE_PASS);
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

void ck_resize_argmax(int isa, RA_ARGS) {
    if (c <= 0 || h <= 0 || w <= 0 || W <= 0 || H <= 0) return;
#if defined(__x86_64__)
    if (isa == CK_ISA_AVX512) { resize_argmax_avx512(RA_PASS); return; }
    if (isa == CK_ISA_AVX2) { resize_argmax_avx2(RA_PASS); return; }
#endif
    (void)isa;
    resize_argmax_scalar(RA_PASS);
}
