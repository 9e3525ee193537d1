// CKernels softmax: one contiguous row in three passes over 16-lane vectors, the tail masked:
// the maximum (NaN ignored, as softmaxRow does); e = exp(x - max), stored and summed; e / sum.
// exp is softmaxRow's fastExp in 16 lanes: n = round(x log2 e), r = x - n ln 2 (in two parts),
// the degree-6 Taylor polynomial of e^r, times 2^n (scalef); 0 below -87.3, NaN kept.
//   src, dst: [n] (may be the same buffer)

#include "ck_softmax.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)

static inline __m512 exp16(__m512 x) {
    const __m512 lo = _mm512_set1_ps(-87.3f), hi = _mm512_set1_ps(88.3f);
    const __mmask16 under = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
    const __m512 xc = _mm512_min_ps(hi, _mm512_max_ps(lo, x));   // operand order keeps a NaN
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(1.442695041f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), xc);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.0f / 720);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_maskz_mov_ps((__mmask16)~under, _mm512_scalef_ps(p, n));
}

void ck_softmax_row_avx512(const float *src, float *dst, int n) {
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    const int v = n / 16 * 16;
    const __mmask16 tail = (__mmask16)((1u << (n - v)) - 1);
    __m512 m16 = ninf;
    for (int i = 0; i < v; i += 16) m16 = _mm512_max_ps(_mm512_loadu_ps(src + i), m16);
    if (tail) m16 = _mm512_max_ps(_mm512_mask_loadu_ps(ninf, tail, src + v), m16);
    const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(m16));
    __m512 s16 = _mm512_setzero_ps();
    for (int i = 0; i < v; i += 16) {
        const __m512 e = exp16(_mm512_sub_ps(_mm512_loadu_ps(src + i), m));
        _mm512_storeu_ps(dst + i, e);
        s16 = _mm512_add_ps(s16, e);
    }
    if (tail) {
        const __m512 e = exp16(_mm512_sub_ps(_mm512_mask_loadu_ps(ninf, tail, src + v), m));
        _mm512_mask_storeu_ps(dst + v, tail, e);
        s16 = _mm512_add_ps(s16, e);
    }
    const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(s16));
    for (int i = 0; i < v; i += 16) _mm512_storeu_ps(dst + i, _mm512_mul_ps(_mm512_loadu_ps(dst + i), inv));
    if (tail) _mm512_mask_storeu_ps(dst + v, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, dst + v), inv));
}

#pragma clang attribute pop

#else
void ck_softmax_row_avx512(const float *src, float *dst, int n) { (void)src; (void)dst; (void)n; }
#endif
