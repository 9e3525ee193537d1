// Winograd F(2x2, 3x3) convolution, fused: input transform (padding by masked loads) of a band of tiles
// into an L2-sized scratch, 16 broadcast-FMA products of 8 output channels x 3 vectors of 16
// tiles, output transform, bias, ReLU and the store, all in one pass over a band. AVX-512 only
// (the engine keeps the direct kernel elsewhere). Layouts and twin: ck_wino.h.

#include "ck_wino.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

enum { OCB = 8, RW = 3, LANES = 16 };
#ifndef WINO_BAND_BYTES
#define WINO_BAND_BYTES (96 * 1024)
#endif

int ck_wino_plan_finish(ck_wino_plan *p) {
    if (p->oh < 1 || p->ow < 1 || p->c < 1 || p->m < 1) return 0;
    p->th = (p->oh + 1) / 2;
    p->tw = (p->ow + 1) / 2;
    p->nv = (p->th * p->tw + LANES - 1) / LANES;
    // V of a band about 96 KiB (48 to 768 KiB measured on Zen 5: 96 best at 32 ch 72x128, equal
    // at 48 ch 36x64), a multiple of the 3-vector register block
    long per = 16L * p->c * LANES * 4;   // bytes of V per vector
    int bv = (int)((WINO_BAND_BYTES) / per) / RW * RW;
    if (bv < RW) bv = RW;
    if (bv > 8 * RW) bv = 8 * RW;
    const int total = p->nv;
    const int maxBv = (total + RW - 1) / RW * RW;
    if (bv > maxBv) bv = maxBv;
    p->bandVecs = bv;
    p->bands = (total + bv - 1) / bv;
    p->ocBlocks = (p->m + OCB - 1) / OCB;
    return 1;
}

long ck_wino_packed_count(const ck_wino_plan *p) { return (long)p->ocBlocks * 16 * p->c * OCB; }
long ck_wino_scratch_count(const ck_wino_plan *p) {
    return 16L * p->c * p->bandVecs * LANES + 16L * OCB * RW * LANES;
}

void ck_wino_pack(const ck_wino_plan *p, const float *w, float *packed) {
    memset(packed, 0, sizeof(float) * ck_wino_packed_count(p));
    for (int o = 0; o < p->m; o++) {
        for (int ic = 0; ic < p->c; ic++) {
            const float *g = w + ((long)o * p->c + ic) * 9;
            float t[4][3], u[4][4];
            for (int j = 0; j < 3; j++) {           // G g: rows of the kernel combined
                const float g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
                t[0][j] = g0;
                t[1][j] = 0.5f * (g0 + g1 + g2);
                t[2][j] = 0.5f * (g0 - g1 + g2);
                t[3][j] = g2;
            }
            for (int i = 0; i < 4; i++) {           // (G g) G^T
                const float a = t[i][0], b = t[i][1], c = t[i][2];
                u[i][0] = a;
                u[i][1] = 0.5f * (a + b + c);
                u[i][2] = 0.5f * (a - b + c);
                u[i][3] = c;
            }
            const long blk = o / OCB, lane = o % OCB;
            for (int xi = 0; xi < 16; xi++)
                packed[((blk * 16 + xi) * p->c + ic) * OCB + lane] = u[xi / 4][xi % 4];
        }
    }
}

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma"))), apply_to = function)

static inline __mmask16 wino_mask(int n) {
    if (n <= 0) return 0;
    if (n >= 16) return 0xFFFF;
    return (__mmask16)((1u << n) - 1);
}

/// Lanes k of a 16-float load at input column col0 + k that fall inside [0, w).
static inline __mmask16 wino_col_mask(int col0, int w) {
    int lo = col0 < 0 ? -col0 : 0;           // first valid lane
    int hi = w - col0;                       // lanes below hi are < w
    if (hi > 16) hi = 16;
    if (lo >= hi) return 0;
    return (__mmask16)(wino_mask(hi) & ~wino_mask(lo));
}

/// Element mask of a 16-float load whose element e is lane (laneBase + e / 2) at input column
/// col0 + e: lanes in [l0, l1) and columns in [0, w).
static inline __mmask16 wino_seg_mask(int laneBase, int l0, int l1, int col0, int w) {
    int lo = 2 * (l0 - laneBase), hi = 2 * (l1 - laneBase);   // elements of the wanted lanes
    if (lo < 0) lo = 0;
    if (hi > 16) hi = 16;
    if (lo >= hi) return 0;
    return (__mmask16)(wino_mask(hi) & ~wino_mask(lo)) & wino_col_mask(col0, w);
}

/// One tile row's share of a vector: lanes [l0, l1) hold tiles tx0 + (lane - l0) of tile row ty.
typedef struct { int l0, l1, ty, tx0; } wino_seg;

/// Vector k's segments (at most 16; none past the last tile); returns how many.
static int wino_segments(const ck_wino_plan *p, int k, wino_seg *seg) {
    const int tiles = p->th * p->tw;
    int n = 0;
    for (int l0 = 0; l0 < LANES && 16 * k + l0 < tiles;) {
        const int t = 16 * k + l0;
        wino_seg g = {l0, l0 + (p->tw - t % p->tw), t / p->tw, t % p->tw};
        if (g.l1 > LANES) g.l1 = LANES;
        if (16 * k + g.l1 > tiles) g.l1 = tiles - 16 * k;
        seg[n++] = g;
        l0 = g.l1;
    }
    return n;
}

/// V[xi][c][k - k0] for the band's vectors k in [k0, k1) (lanes past the last tile: zeros), read
/// from the unpadded input: rows and columns outside it load as zeros (masked loads, which do not
/// touch masked-off memory). A vector's lanes are cut into segments of one tile row each; a
/// segment's loads start 2 lanes' columns early per lane before it, so its tiles land in their lanes.
static void wino_input(const ck_wino_plan *p, const float *x, float *V, int k0, int k1) {
    const __m512i evenIdx = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i oddIdx = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const long xiStride = (long)p->c * p->bandVecs * LANES;
    const long inPlane = (long)p->h * p->w;
    for (int k = k0; k < k1; k++) {
        wino_seg seg[LANES];
        const int ns = wino_segments(p, k, seg);
        __mmask16 lanes[LANES], m[LANES][4];
        int col[LANES];
        for (int q = 0; q < ns; q++) {
            const wino_seg g = seg[q];
            lanes[q] = (__mmask16)(wino_mask(g.l1) & ~wino_mask(g.l0));
            col[q] = 2 * (g.tx0 - g.l0) - p->padLeft;  // input column of lane 0's patch
            m[q][0] = wino_seg_mask(0, g.l0, g.l1, col[q], p->w);
            m[q][1] = wino_seg_mask(8, g.l0, g.l1, col[q] + 16, p->w);
            m[q][2] = wino_seg_mask(0, g.l0, g.l1, col[q] + 2, p->w);
            m[q][3] = wino_seg_mask(8, g.l0, g.l1, col[q] + 18, p->w);
        }
        for (int ic = 0; ic < p->c; ic++) {
            const float *xc = x + ic * inPlane;
            float *v = V + ((long)ic * p->bandVecs + (k - k0)) * LANES;
            __m512 d[4][4];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) d[i][j] = _mm512_setzero_ps();
            for (int q = 0; q < ns; q++) {
                for (int i = 0; i < 4; i++) {
                    const int iy = 2 * seg[q].ty + i - p->padTop;
                    if (iy < 0 || iy >= p->h) continue;
                    const float *row = xc + (long)iy * p->w + col[q];
                    const __m512 a = _mm512_maskz_loadu_ps(m[q][0], row), b = _mm512_maskz_loadu_ps(m[q][1], row + 16);
                    const __m512 a2 = _mm512_maskz_loadu_ps(m[q][2], row + 2), b2 = _mm512_maskz_loadu_ps(m[q][3], row + 18);
                    d[i][0] = _mm512_mask_mov_ps(d[i][0], lanes[q], _mm512_permutex2var_ps(a, evenIdx, b));
                    d[i][1] = _mm512_mask_mov_ps(d[i][1], lanes[q], _mm512_permutex2var_ps(a, oddIdx, b));
                    d[i][2] = _mm512_mask_mov_ps(d[i][2], lanes[q], _mm512_permutex2var_ps(a2, evenIdx, b2));
                    d[i][3] = _mm512_mask_mov_ps(d[i][3], lanes[q], _mm512_permutex2var_ps(a2, oddIdx, b2));
                }
            }
            __m512 t[4][4];
            for (int j = 0; j < 4; j++) {          // B^T d
                t[0][j] = _mm512_sub_ps(d[0][j], d[2][j]);
                t[1][j] = _mm512_add_ps(d[1][j], d[2][j]);
                t[2][j] = _mm512_sub_ps(d[2][j], d[1][j]);
                t[3][j] = _mm512_sub_ps(d[1][j], d[3][j]);
            }
            for (int i = 0; i < 4; i++) {          // (B^T d) B
                _mm512_storeu_ps(v + (4 * i + 0) * xiStride, _mm512_sub_ps(t[i][0], t[i][2]));
                _mm512_storeu_ps(v + (4 * i + 1) * xiStride, _mm512_add_ps(t[i][1], t[i][2]));
                _mm512_storeu_ps(v + (4 * i + 2) * xiStride, _mm512_sub_ps(t[i][2], t[i][1]));
                _mm512_storeu_ps(v + (4 * i + 3) * xiStride, _mm512_sub_ps(t[i][1], t[i][3]));
            }
        }
    }
}

/// The output transform of 8 channels x 3 vectors held in M[xi][o][r][16], bias, residual, activation, store.
static void wino_output(const ck_wino_plan *p, const float *M, const float *bias, const float *sum,
                        const ck_act *act, float *y, int oc0, int kFirst, int nk) {
    const __m512i loIdx = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i hiIdx = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const long plane = (long)p->oh * p->ow;
    for (int r = 0; r < nk; r++) {
        const int k = kFirst + r;
        wino_seg seg[LANES];
        const int ns = wino_segments(p, k, seg);
        __mmask16 mLo[LANES], mHi[LANES];
        int ox[LANES];
        for (int q = 0; q < ns; q++) {
            ox[q] = 2 * (seg[q].tx0 - seg[q].l0);   // output column of lane 0's tile
            mLo[q] = wino_seg_mask(0, seg[q].l0, seg[q].l1, ox[q], p->ow);
            mHi[q] = wino_seg_mask(8, seg[q].l0, seg[q].l1, ox[q] + 16, p->ow);
        }
        for (int o = 0; o < OCB && oc0 + o < p->m; o++) {
            __m512 m[16];
            for (int xi = 0; xi < 16; xi++) m[xi] = _mm512_loadu_ps(M + ((xi * OCB + o) * RW + r) * LANES);
            __m512 s[2][4];
            for (int j = 0; j < 4; j++) {           // A^T m
                s[0][j] = _mm512_add_ps(_mm512_add_ps(m[j], m[4 + j]), m[8 + j]);
                s[1][j] = _mm512_sub_ps(_mm512_sub_ps(m[4 + j], m[8 + j]), m[12 + j]);
            }
            const __m512 b = _mm512_set1_ps(bias ? bias[oc0 + o] : 0.0f);
            float *yo = y + (long)(oc0 + o) * plane;
            const float *so = sum ? sum + (long)(oc0 + o) * plane : 0;
            const __m512 zero = _mm512_setzero_ps();
            const int negSlope = act->kind == 2 || act->kind == 4;   // leaky relu, prelu
            const __m512 sl = _mm512_set1_ps(act->kind == 4 && act->slopes ? act->slopes[oc0 + o] : act->a);
            for (int a = 0; a < 2; a++) {           // (A^T m) A: output row 2 ty + a of each segment
                const __m512 y0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s[a][0], s[a][1]), s[a][2]), b);
                const __m512 y1 = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(s[a][1], s[a][2]), s[a][3]), b);
                const __m512 lo = _mm512_permutex2var_ps(y0, loIdx, y1), hi = _mm512_permutex2var_ps(y0, hiIdx, y1);
                for (int q = 0; q < ns; q++) {
                    const int oy = 2 * seg[q].ty + a;
                    if (oy >= p->oh) continue;
                    const long at = (long)oy * p->ow + ox[q];
                    __m512 l = lo, h = hi;
                    if (so) {                       // the residual, read where the outputs go (may alias y)
                        l = _mm512_add_ps(l, _mm512_maskz_loadu_ps(mLo[q], so + at));
                        h = _mm512_add_ps(h, _mm512_maskz_loadu_ps(mHi[q], so + at + 16));
                    }
                    if (act->kind == 1) { l = _mm512_max_ps(l, zero); h = _mm512_max_ps(h, zero); }
                    else if (negSlope) {           // v < 0 ? v * slope : v
                        l = _mm512_mask_mul_ps(l, _mm512_cmp_ps_mask(l, zero, _CMP_LT_OQ), l, sl);
                        h = _mm512_mask_mul_ps(h, _mm512_cmp_ps_mask(h, zero, _CMP_LT_OQ), h, sl);
                    }
                    if (mLo[q]) _mm512_mask_storeu_ps(yo + at, mLo[q], l);
                    if (mHi[q]) _mm512_mask_storeu_ps(yo + at + 16, mHi[q], h);
                }
            }
        }
    }
}

static void wino_run_avx512(const ck_wino_plan *p, const float *x, const float *packed, const float *bias,
                            const float *sum, const ck_act *act, float *y, float *scratch, int u0, int u1) {
    float *V = scratch;
    float *M = scratch + 16L * p->c * p->bandVecs * LANES;
    const long xiStride = (long)p->c * p->bandVecs * LANES;
    const int total = p->nv;
    for (int u = u0; u < u1; u++) {
        const int k0 = u * p->bandVecs;
        int k1 = k0 + p->bandVecs;
        wino_input(p, x, V, k0, k1);
        if (k1 > total) k1 = total;
        for (int blk = 0; blk < p->ocBlocks; blk++) {
            const float *ub = packed + (long)blk * 16 * p->c * OCB;
            for (int kb = k0; kb < k1; kb += RW) {
                const float *vb = V + (long)(kb - k0) * LANES;
                for (int xi = 0; xi < 16; xi++) {
                    __m512 acc[OCB][RW];
                    for (int o = 0; o < OCB; o++)
                        for (int r = 0; r < RW; r++) acc[o][r] = _mm512_setzero_ps();
                    const float *uq = ub + (long)xi * p->c * OCB;
                    const float *vq = vb + xi * xiStride;
                    for (int ic = 0; ic < p->c; ic++) {
                        __m512 in[RW];
                        for (int r = 0; r < RW; r++) in[r] = _mm512_loadu_ps(vq + r * LANES);
                        for (int o = 0; o < OCB; o++) {
                            const __m512 wv = _mm512_set1_ps(uq[o]);
                            for (int r = 0; r < RW; r++) acc[o][r] = _mm512_fmadd_ps(wv, in[r], acc[o][r]);
                        }
                        uq += OCB;
                        vq += (long)p->bandVecs * LANES;
                    }
                    for (int o = 0; o < OCB; o++)
                        for (int r = 0; r < RW; r++) _mm512_storeu_ps(M + ((xi * OCB + o) * RW + r) * LANES, acc[o][r]);
                }
                const int nk = k1 - kb < RW ? k1 - kb : RW;
                wino_output(p, M, bias, sum, act, y, blk * OCB, kb, nk);
            }
        }
    }
}

#pragma clang attribute pop
#endif

void ck_wino_run(const ck_wino_plan *p, const float *x, const float *packed, const float *bias, const float *sum,
                 const ck_act *act, float *y, float *scratch, int u0, int u1) {
#if defined(__x86_64__)
    wino_run_avx512(p, x, packed, bias, sum, act, y, scratch, u0, u1);
#else
    (void)p; (void)x; (void)packed; (void)bias; (void)sum; (void)act; (void)y; (void)scratch; (void)u0; (void)u1;
#endif
}
