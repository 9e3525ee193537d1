// Direct and depthwise convolution: shared planning code, then the vector body of
// conv_body.h instantiated for AVX-512, AVX2+FMA (x86-64 only, chosen at run time) and plain
// scalar C. See ckernels.h for the layouts.

#include "ckernels.h"
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

int ck_cpu_isa(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma"))
        return CK_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CK_ISA_AVX2;
#endif
    return CK_ISA_SCALAR;
}

int ck_selected_isa(void) {
    const int best = ck_cpu_isa();
    const char *want = getenv("DRIVEPIPE_ISA");
    if (want && strcmp(want, "scalar") == 0) return CK_ISA_SCALAR;
    if (want && strcmp(want, "avx2") == 0) return best < CK_ISA_AVX2 ? best : CK_ISA_AVX2;
    return best;
}

int ck_isa_lanes(int isa) { return isa == CK_ISA_AVX512 ? 16 : isa == CK_ISA_AVX2 ? 8 : 1; }

void ck_conv_plan_finish(ck_conv_plan *p) {
    const int lanes = ck_isa_lanes(p->isa);
    p->pointwise = p->pointwise && p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->padTop == 0 && p->padLeft == 0 &&
                   p->oh == p->h && p->ow == p->w;
    p->slotsPerRow = (p->ow + lanes - 1) / lanes;
    p->hp = (p->oh - 1) * p->sh + (p->kh - 1) * p->dh + 1;
    p->wph = p->slotsPerRow * lanes + ((p->kw - 1) * p->dw) / p->sw;
    if (p->pointwise) {
        p->planeStride = (long)p->h * p->w;
    } else {
        long s = (long)p->hp * p->sw * p->wph;
        // keep planes off multiples of 4 KiB (cache-set conflicts between channels)
        s = (s + 15) & ~15L;
        if ((s & 1023) == 0) s += 16;
        p->planeStride = s;
    }
    long slots = (long)p->oh * p->slotsPerRow;
    p->tiles = (int)((slots + p->rw - 1) / p->rw);
    p->ocBlocks = (p->m + p->ocb - 1) / p->ocb;
    if (p->bandTiles <= 0 || p->bandTiles > p->tiles) p->bandTiles = p->tiles;
    if (p->yPhases <= 0) { p->yPhases = 1; p->yTop = 0; p->yLeft = 0; }
    if (p->yRow <= 0) p->yRow = p->ow;
    if (p->yPlane <= 0) p->yPlane = (long)p->oh * p->ow;
}

int ck_conv_write_padded(ck_conv_plan *producer, const ck_conv_plan *q) {
    if (q->pointwise || (q->sw != 1 && q->sw != 2)) return 0;
    if (producer->m != q->c || producer->oh != q->h || producer->ow != q->w) return 0;
    // the last input row and column must land inside the padded plane (ck_conv_pad drops
    // what no output reads; the producer cannot)
    if (q->h - 1 + q->padTop >= q->hp || (q->w - 1 + q->padLeft) / q->sw >= q->wph) return 0;
    if (q->padTop < 0 || q->padLeft < 0) return 0;
    producer->yPlane = q->planeStride;
    producer->yRow = (long)q->sw * q->wph;
    producer->yPhaseW = q->wph;
    producer->yPhases = q->sw;
    producer->yTop = q->padTop;
    producer->yLeft = q->padLeft;
    return 1;
}

/// ceil(a / b) for b > 0 and any sign of a.
static inline int ck_ceil_div(int a, int b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

/// Zeroes n floats. Short runs (most gaps between interior runs, and most pad columns of a row,
/// are 1-2 floats) are stored inline: the empty asm keeps the compiler from turning the loop
/// back into a memset call, which cost more than the stores (~20k calls a frame). n <= 0: nothing.
static inline void ck_zero(float *d, long n) {
    if (n >= 16) { memset(d, 0, sizeof(float) * n); return; }
    for (long i = 0; i < n; i++) {
        d[i] = 0.0f;
        __asm__ volatile("" ::: "memory");
    }
}

void ck_conv_clear_border(const ck_conv_plan *p, float *xp, int c0, int c1) {
    // the interior of each phase row is one run [lo, hi); walking the runs in memory order, the
    // border is the gaps between them (a row's right pad and the next row's left pad are one gap)
    const long planeFloats = (long)p->hp * p->sw * p->wph;
    int r0 = p->padTop, r1 = p->padTop + p->h;
    if (r0 < 0) r0 = 0;
    if (r1 > p->hp) r1 = p->hp;
    for (int ch = c0; ch < c1; ch++) {
        float *plane = xp + ch * p->planeStride;
        long at = 0;   // first float not yet handled
        for (int r = r0; r < r1; r++)
            for (int ph = 0; ph < p->sw; ph++) {
                // phase ph, index q holds input column q * sw + ph - padLeft
                int lo = ck_ceil_div(p->padLeft - ph, p->sw), hi = ck_ceil_div(p->w + p->padLeft - ph, p->sw);
                if (lo < 0) lo = 0;
                if (lo > p->wph) lo = p->wph;
                if (hi < lo) hi = lo;
                if (hi > p->wph) hi = p->wph;
                const long row = ((long)r * p->sw + ph) * p->wph;
                ck_zero(plane + at, row + lo - at);
                at = row + hi;
            }
        ck_zero(plane + at, planeFloats - at);
    }
}

/// Where output pixel (oy, ox) of channel 0 lies in y (the y* fields of ck_conv_plan). *odd:
/// 0 for contiguous columns; for two column phases, the distance from there to where pixel
/// ox + 1 lies (a vector's even lanes go to one phase row, its odd lanes to the other).
static inline long ck_out_offset(const ck_conv_plan *p, long oy, long ox, long *odd) {
    const long q = ox + p->yLeft, row = (oy + p->yTop) * p->yRow;
    if (p->yPhases == 2) {
        const long at = (q & 1) * p->yPhaseW + q / 2, next = ((q + 1) & 1) * p->yPhaseW + (q + 1) / 2;
        *odd = next - at;
        return row + at;
    }
    *odd = 0;
    return row + q;
}

long ck_conv_packed_count(const ck_conv_plan *p) { return (long)p->ocBlocks * p->ocb * p->c * p->kh * p->kw; }

void ck_conv_pack_weights(const ck_conv_plan *p, const float *w, float *packed) {
    const int kk = p->kh * p->kw;
    long i = 0;
    for (int b = 0; b < p->ocBlocks; b++)
        for (int ic = 0; ic < p->c; ic++)
            for (int k = 0; k < kk; k++)
                for (int o = 0; o < p->ocb; o++) {
                    int oc = b * p->ocb + o;
                    packed[i++] = oc < p->m ? w[((long)oc * p->c + ic) * kk + k] : 0.0f;
                }
}

/// Work unit u -> (tile, output-channel block): bands of bandTiles tiles; inside a band the
/// output-channel block is the outer index (its packed weights stay in L1 across the band's
/// tiles, the band's input in L2).
static inline void ck_unit(const ck_conv_plan *p, long u, long *tile, long *block) {
    const long perBand = (long)p->bandTiles * p->ocBlocks;
    const long band = u / perBand, r = u % perBand;
    const long t0 = band * p->bandTiles;
    const long bt = p->tiles - t0 < p->bandTiles ? p->tiles - t0 : p->bandTiles;
    *block = r / bt;
    *tile = t0 + r % bt;
}

/// Offsets of the kh*kw taps inside one padded channel plane (at most 64 taps).
static void ck_kernel_offsets(const ck_conv_plan *p, long *koff) {
    for (int ky = 0; ky < p->kh; ky++)
        for (int kx = 0; kx < p->kw; kx++) {
            int j = kx * p->dw;
            koff[ky * p->kw + kx] = p->pointwise ? 0 :
                (long)ky * p->dh * p->sw * p->wph + (long)(j % p->sw) * p->wph + j / p->sw;
        }
}

long ck_dw_scratch(const ck_conv_plan *p) { return (p->planeStride + 15) & ~15L; }

// ---- scalar instantiation (any CPU) ----
#define FN(name) name##_scalar
#define LANES 1
typedef float vf_scalar;
#define vf vf_scalar
#define VZERO() 0.0f
#define VSET1(x) (x)
#define VLOAD(p) (*(p))
#define VLOADN(p, n) ((n) > 0 ? *(p) : 0.0f)
#define VSTORE(p, v) (*(p) = (v))
#define VSTOREN(p, v, n) do { if ((n) > 0) *(p) = (v); } while (0)
#define VFMA(a, b, c) ((a) * (b) + (c))
#define VADD(a, b) ((a) + (b))
#define VMUL(a, b) ((a) * (b))
#define VMAX(a, b) ((a) > (b) ? (a) : (b))
#define VMIN(a, b) ((a) < (b) ? (a) : (b))
#define VNEG_SELECT(v, t) ((v) < 0 ? (t) : (v))
#define VLOADUP2(p, n) (*(p))
#define VSTORESPLIT(pe, po, v, n) do { if ((n) > 0) *(pe) = (v); } while (0)
#include "conv_body.h"

#if defined(__x86_64__)
// ---- AVX2 + FMA ----
static const int ck_mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define FN(name) name##_avx2
#define LANES 8
#define vf __m256
#define VZERO() _mm256_setzero_ps()
#define VSET1(x) _mm256_set1_ps(x)
#define VLOAD(p) _mm256_loadu_ps(p)
#define VMASK8(n) _mm256_loadu_si256((const __m256i *)(ck_mask_table + 8 - (n)))
#define VLOADN(p, n) _mm256_maskload_ps((p), VMASK8(n))
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSTOREN(p, v, n) _mm256_maskstore_ps((p), VMASK8(n), (v))
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VMUL(a, b) _mm256_mul_ps((a), (b))
#define VMAX(a, b) _mm256_max_ps((a), (b))
#define VMIN(a, b) _mm256_min_ps((a), (b))
#define VNEG_SELECT(v, t) _mm256_blendv_ps((v), (t), _mm256_cmp_ps((v), _mm256_setzero_ps(), _CMP_LT_OQ))
// (n + 1) / 2 floats from p, each twice: lanes 2i and 2i + 1 get p[i] (n valid lanes)
#define VLOADUP2(p, n) _mm256_permutevar8x32_ps(_mm256_castps128_ps256(_mm_maskload_ps((p), \
        _mm_loadu_si128((const __m128i *)(ck_mask_table + 8 - ((n) + 1) / 2)))), _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3))
// lanes 0, 2, 4, 6 of v to pe[0..3], lanes 1, 3, 5, 7 to po[0..3] (of n valid lanes)
#define VSTORESPLIT(pe, po, v, n) do { \
        __m256 t_ = _mm256_permutevar8x32_ps((v), _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7)); \
        _mm_maskstore_ps((pe), _mm_loadu_si128((const __m128i *)(ck_mask_table + 8 - ((n) + 1) / 2)), _mm256_castps256_ps128(t_)); \
        _mm_maskstore_ps((po), _mm_loadu_si128((const __m128i *)(ck_mask_table + 8 - (n) / 2)), _mm256_extractf128_ps(t_, 1)); \
    } while (0)
#define VDEINTERLEAVE(p, e, o) do { \
        __m256 a_ = _mm256_loadu_ps(p), b_ = _mm256_loadu_ps((p) + 8); \
        __m256 e_ = _mm256_shuffle_ps(a_, b_, _MM_SHUFFLE(2, 0, 2, 0)); \
        __m256 o_ = _mm256_shuffle_ps(a_, b_, _MM_SHUFFLE(3, 1, 3, 1)); \
        (e) = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e_), _MM_SHUFFLE(3, 1, 2, 0))); \
        (o) = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o_), _MM_SHUFFLE(3, 1, 2, 0))); \
    } while (0)
#include "conv_body.h"
#pragma clang attribute pop

// ---- AVX-512 (F, VL, BW, DQ) ----
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma"))), apply_to = function)
#define FN(name) name##_avx512
#define LANES 16
#define vf __m512
#define VZERO() _mm512_setzero_ps()
#define VSET1(x) _mm512_set1_ps(x)
#define VLOAD(p) _mm512_loadu_ps(p)
#define VMASK16(n) ((__mmask16)((1u << (n)) - 1u))
#define VLOADN(p, n) _mm512_maskz_loadu_ps(VMASK16(n), (p))
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VSTOREN(p, v, n) _mm512_mask_storeu_ps((p), VMASK16(n), (v))
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VMUL(a, b) _mm512_mul_ps((a), (b))
#define VMAX(a, b) _mm512_max_ps((a), (b))
#define VMIN(a, b) _mm512_min_ps((a), (b))
#define VNEG_SELECT(v, t) _mm512_mask_blend_ps(_mm512_cmp_ps_mask((v), _mm512_setzero_ps(), _CMP_LT_OQ), (v), (t))
// (n + 1) / 2 floats from p, each twice: lanes 2i and 2i + 1 get p[i] (n valid lanes)
#define VLOADUP2(p, n) _mm512_permutexvar_ps(_mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7), \
        _mm512_castps256_ps512(_mm256_maskz_loadu_ps((__mmask8)((1u << (((n) + 1) / 2)) - 1u), (p))))
// lanes 0, 2, .., 14 of v to pe[0..7], lanes 1, 3, .., 15 to po[0..7] (of n valid lanes)
#define VSTORESPLIT(pe, po, v, n) do { \
        __m512 t_ = _mm512_permutexvar_ps(_mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15), (v)); \
        if ((n) == 16) { \
            _mm256_storeu_ps((pe), _mm512_castps512_ps256(t_)); \
            _mm256_storeu_ps((po), _mm512_extractf32x8_ps(t_, 1)); \
        } else { \
            _mm256_mask_storeu_ps((pe), (__mmask8)((1u << (((n) + 1) / 2)) - 1u), _mm512_castps512_ps256(t_)); \
            _mm256_mask_storeu_ps((po), (__mmask8)((1u << ((n) / 2)) - 1u), _mm512_extractf32x8_ps(t_, 1)); \
        } \
    } while (0)
#define VDEINTERLEAVE(p, e, o) do { \
        __m512 a_ = _mm512_loadu_ps(p), b_ = _mm512_loadu_ps((p) + 16); \
        (e) = _mm512_permutex2var_ps(a_, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), b_); \
        (o) = _mm512_permutex2var_ps(a_, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), b_); \
    } while (0)
#include "conv_body.h"
#pragma clang attribute pop
#endif

/// even[i] = src[2i] (i < nE), odd[i] = src[2i + 1] (i < nO); src has w floats.
static void deinterleave(int isa, const float *src, int w, float *even, int nE, float *odd, int nO) {
#if defined(__x86_64__)
    if (isa == CK_ISA_AVX512) { deinterleave_avx512(src, w, even, nE, odd, nO); return; }
    if (isa == CK_ISA_AVX2) { deinterleave_avx2(src, w, even, nE, odd, nO); return; }
#else
    (void)isa;
#endif
    deinterleave_scalar(src, w, even, nE, odd, nO);
}

void ck_conv_pad(const ck_conv_plan *p, const float *x, float *xp, int c0, int c1) {
    ck_conv_pad_rows(p, x, xp, c0, c1, 0, p->hp);
}

void ck_conv_pad_rows(const ck_conv_plan *p, const float *x, float *xp, int c0, int c1, int r0, int r1) {
    const long inPlane = (long)p->h * p->w;
    if (r0 < 0) r0 = 0;
    if (r1 > p->hp) r1 = p->hp;
    for (int ic = c0; ic < c1; ic++) {
        const float *src = x + ic * inPlane;
        float *dst = xp + ic * p->planeStride;
        for (int r = r0; r < r1; r++) {
            const int iy = r - p->padTop;
            for (int ph = 0; ph < p->sw; ph++) {
                float *d = dst + ((long)r * p->sw + ph) * p->wph;
                if (iy < 0 || iy >= p->h) { ck_zero(d, p->wph); continue; }
                const float *row = src + (long)iy * p->w;
                if (p->sw == 1) {
                    // d[q] = row[q - padLeft] where inside
                    int lo = p->padLeft, hi = p->padLeft + p->w;
                    if (lo > p->wph) lo = p->wph;
                    if (hi > p->wph) hi = p->wph;
                    ck_zero(d, lo);
                    if (hi > lo) memcpy(d + lo, row + (lo - p->padLeft), sizeof(float) * (hi - lo));
                    ck_zero(d + hi, p->wph - hi);
                } else if (p->sw == 2 && ph == 0) {
                    // both phases at once: input column ix goes to padded column ix + padLeft,
                    // phase (ix + padLeft) % 2, index (ix + padLeft) / 2
                    float *d1 = d + p->wph;
                    const int pl = p->padLeft;
                    // evens (ix = 2i) and odds (ix = 2i + 1): destination row and first index
                    float *dE = (pl & 1) ? d1 : d, *dO = (pl & 1) ? d : d1;
                    int offE = pl / 2, offO = (pl + 1) / 2;
                    if (offE > p->wph) offE = p->wph;
                    if (offO > p->wph) offO = p->wph;
                    int nE = (p->w + 1) / 2, nO = p->w / 2;
                    if (nE > p->wph - offE) nE = p->wph - offE;
                    if (nO > p->wph - offO) nO = p->wph - offO;
                    // zeros only where no input column lands (the row is written once, not twice)
                    ck_zero(dE, offE);
                    ck_zero(dE + offE + nE, p->wph - offE - nE);
                    ck_zero(dO, offO);
                    ck_zero(dO + offO + nO, p->wph - offO - nO);
                    deinterleave(p->isa, row, p->w, dE + offE, nE, dO + offO, nO);
                    break;
                } else {
                    // d[q] = row[q * sw + ph - padLeft] for q in [qlo, qhi), zero elsewhere
                    const int off = ph - p->padLeft;
                    int qlo = off >= 0 ? 0 : (-off + p->sw - 1) / p->sw;
                    int qhi = (p->w - off + p->sw - 1) / p->sw;
                    if (qhi > p->wph) qhi = p->wph;
                    if (qlo > qhi) qlo = qhi;
                    ck_zero(d, qlo);
                    const float *s = row + off;
                    for (int q = qlo; q < qhi; q++) d[q] = s[q * p->sw];
                    ck_zero(d + qhi, p->wph - qhi);
                }
            }
        }
    }
}

void ck_conv_run(const ck_conv_plan *p, const float *xin, const float *packed, const float *bias,
                 const float *sum, float *y, ck_act act, long u0, long u1) {
#if defined(__x86_64__)
    if (p->isa == CK_ISA_AVX512) { conv_run_avx512(p, xin, packed, bias, sum, y, act, u0, u1); return; }
    if (p->isa == CK_ISA_AVX2) { conv_run_avx2(p, xin, packed, bias, sum, y, act, u0, u1); return; }
#endif
    conv_run_scalar(p, xin, packed, bias, sum, y, act, u0, u1);
}

void ck_dw_run(const ck_conv_plan *p, const float *x, const float *w, const float *bias, const float *sum,
               float *y, ck_act act, float *scratch, int c0, int c1) {
#if defined(__x86_64__)
    if (p->isa == CK_ISA_AVX512) { dw_run_avx512(p, x, w, bias, sum, y, act, scratch, c0, c1); return; }
    if (p->isa == CK_ISA_AVX2) { dw_run_avx2(p, x, w, bias, sum, y, act, scratch, c0, c1); return; }
#endif
    dw_run_scalar(p, x, w, bias, sum, y, act, scratch, c0, c1);
}
