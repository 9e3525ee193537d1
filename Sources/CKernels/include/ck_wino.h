// CKernels Winograd: F(2x2, 3x3) convolution fused in one AVX-512 kernel (3x3, stride 1,
// dilation 1, one group): each 2x2 output tile costs 16 multiply-adds per (input, output)
// channel pair instead of 36. Vectors hold 16 consecutive tiles of the row-major tile order, so a
// vector may span the end of one tile row and the start of the next (no idle lanes at row ends
// but the last vector's: a 72-column plane has 36 tiles a row, 2.25 vectors, not 3).
// Twin: the engine's convReference (Swift), compared within float tolerance by the tests (the
// transforms round differently from the direct sum).
//   x: [c][h][w]   weights: [m][c][3][3]   bias: [m]   y: [m][oh][ow]
//   padded input (never stored): P[r][q] = x[r - padTop][q - padLeft], zero outside x
//   packed weights U: [m / 8 rounded up][16 xi][c][8], xi = 4 i + j of G g G^T (ck_wino_pack)
//   tile (ty, tx) = outputs (2 ty + a, 2 tx + b), a, b in {0, 1}: reads P rows 2 ty .. 2 ty + 3,
//   columns 2 tx .. 2 tx + 3. Vector k holds the tiles t = 16 k + lane, ty = t / tw, tx = t % tw
//   (tw = tiles per row), t < th tw.
// Work units are bands of `bandVecs` vectors (a multiple of 3): each transforms its input
// into V[16][c][bandVecs][16] (scratch), then runs 8-channel x 3-vector register blocks over
// it; a unit's arithmetic does not depend on who runs it (1 and 2 threads bit-identical).
#ifndef CK_WINO_H
#define CK_WINO_H

#include "ckernels.h"

typedef struct {
    int c, h, w, m, oh, ow;
    int padTop, padLeft;
    int th, tw, nv;           // tile rows, tiles per row, 16-tile vectors (all rows)
    int bandVecs, bands;      // vectors per work unit, units
    int ocBlocks;             // ceil(m / 8)
} ck_wino_plan;

/// Fills the derived fields from c, h, w, m, oh, ow, padTop, padLeft; returns 0 when the
/// geometry does not fit (oh or ow < 1).
int ck_wino_plan_finish(ck_wino_plan *p);
/// Floats of the packed weights; of one worker's scratch.
long ck_wino_packed_count(const ck_wino_plan *p);
long ck_wino_scratch_count(const ck_wino_plan *p);
/// U from weights [m][c][3][3] (output channels past m packed as zeros).
void ck_wino_pack(const ck_wino_plan *p, const float *w, float *packed);
/// Units [u0, u1): y = act(conv + bias + sum); sum [m][oh][ow] (a fused residual Add) or NULL,
/// and may be y itself; act (ckernels.h) of kind 0 (none), 1 (relu), 2 (leaky relu) or 4 (prelu),
/// without post; needs an AVX-512 CPU.
void ck_wino_run(const ck_wino_plan *p, const float *x, const float *packed, const float *bias, const float *sum,
                 const ck_act *act, float *y, float *scratch, int u0, int u1);

#endif
