// The vector kernels of conv.c, written once and instantiated per instruction set.
// Before including, conv.c defines: FN(name) (suffixes the ISA), LANES, vf (vector type) and
//   VZERO() VSET1(x) VLOAD(p) VLOADN(p, n) VSTORE(p, v) VSTOREN(p, v, n)
//   VFMA(a, b, c) = a * b + c   VADD VMUL VMAX VMIN   VNEG_SELECT(v, t) = v < 0 ? t : v
//   VLOADUP2(p, n): lanes 2i and 2i + 1 = p[i] (reads (n + 1) / 2 floats)
//   VSTORESPLIT(pe, po, v, n): even lanes of v to pe[0..], odd lanes to po[0..]
// (n: valid lanes, 1..LANES). Register block: at most MAXO output channels x MAXR slots.

#define MAXO 8
#ifndef UNROLL
#define UNROLL _Pragma("clang loop unroll(full)")
#endif
#define MAXR 6

/// Where act->post's values for the n output pixels from plane position `pos` start in a
/// channel's post plane (see ck_act): >= 0 when they are consecutive floats (postUp 1) or a
/// run of floats to read doubled (postUp 2, a vector inside one row at an even column); else
/// -1 - pos (read pixel by pixel). Once per slot: the divisions stay out of the epilogue.
static inline long FN(post_offset)(const ck_act *act, long pos, int n) {
    if (act->postUp == 1 || n <= 0) return pos;
    const long W = act->postW, oy = pos / W, ox = pos % W;
    if (act->postUp == 2 && (ox & 1) == 0 && ox + n <= W) return (oy / 2) * (W / 2) + ox / 2;
    return -1 - pos;
}

/// act->post of channel `oc` for n output pixels; postOff from FN(post_offset), postPlane the
/// floats of one channel's post plane.
static inline __attribute__((always_inline))
vf FN(post_vector)(const ck_act *act, int oc, long postPlane, long postOff, int n) {
    const float *sp = act->post + (long)oc * postPlane;
    if (postOff >= 0) {
        if (act->postUp == 1) return n == LANES ? VLOAD(sp + postOff) : VLOADN(sp + postOff, n);
        return VLOADUP2(sp + postOff, n);
    }
    const long pos = -1 - postOff, W = act->postW, f = act->postUp;
    float t[LANES];
    for (int j = 0; j < LANES; j++) {
        const long q = pos + (j < n ? j : 0);
        t[j] = sp[(q / W / f) * (W / f) + (q % W) / f];
    }
    return VLOAD(t);
}

/// Bias, activation, act->post and a (masked) store of one accumulator vector of channel `oc`,
/// (postPlane, postOff: see FN(post_vector)); odd != 0: a column-phase-split output, the odd
/// lanes go to dst + odd (see ck_out_offset).
static inline __attribute__((always_inline))
void FN(epilogue)(const int POST, vf v, float b, const float *sum, const ck_act *act, int oc, float *dst, int n,
                  long postPlane, long postOff, long odd) {
    v = VADD(v, VSET1(b));
    if (sum) v = VADD(v, n == LANES ? VLOAD(sum) : VLOADN(sum, n));
    switch (act->kind) {
    case 1: v = VMAX(v, VZERO()); break;
    case 2: v = VNEG_SELECT(v, VMUL(v, VSET1(act->a))); break;
    case 3: v = VMIN(VMAX(v, VSET1(act->a)), VSET1(act->b)); break;
    case 4: v = VNEG_SELECT(v, VMUL(v, VSET1(act->slopes ? act->slopes[oc] : act->a))); break;
    case 5: v = VMAX(VZERO(), VMIN(VSET1(1.0f), VADD(VMUL(v, VSET1(act->a)), VSET1(act->b)))); break;
    case 6: {
        vf t = VADD(VMUL(v, VSET1(1.0f / 6.0f)), VSET1(0.5f));
        v = VMUL(v, VMAX(VZERO(), VMIN(VSET1(1.0f), t)));
        break;
    }
    default: break;
    }
    if (POST) v = VADD(v, FN(post_vector)(act, oc, postPlane, postOff, n));
    if (odd) VSTORESPLIT(dst, dst + odd, v, n);
    else if (n == LANES) VSTORE(dst, v);
    else VSTOREN(dst, v, n);
}

/// One tile: OCB output channels x RW slots. Inputs for slot r at xin + inOff[r] + koff[k] +
/// ic * planeStride; weights wblk[ic][k][OCB]; outputs at outPtr[r] + o * yPlane (odd[r]: see
/// FN(epilogue)). MASKED: the loads of slots with n < LANES are masked too (pointwise tails
/// that would read past the tensor).
static inline __attribute__((always_inline))
void FN(tile)(const int OCB, const int RW, const int MASKED, const int KK, const int POST, const ck_conv_plan *p,
              const float *xin,
              const long *koff, int kk, const float *wblk, const long *inOff, float *const *outPtr, const long *odd,
              const float *const *sumPtr, const long *pos, const int *nValid, int oc0, const float *bias,
              const ck_act *act) {
    vf acc[MAXO][MAXR];
    UNROLL for (int o = 0; o < OCB; o++)
        UNROLL for (int r = 0; r < RW; r++) acc[o][r] = VZERO();
    const float *wq = wblk;
    const float *xs[MAXR];
    UNROLL for (int r = 0; r < RW; r++) xs[r] = xin + inOff[r];
    long ko[KK > 0 ? KK : 1];
    if (KK > 0) UNROLL for (int k = 0; k < KK; k++) ko[k] = koff[k];
    for (int ic = 0; ic < p->c; ic++) {
        if (KK > 0) {
            // fixed tap count (1x1, 3x3): offsets in registers, the tap loop unrolled
            UNROLL for (int k = 0; k < KK; k++) {
                vf in[MAXR];
                UNROLL for (int r = 0; r < RW; r++)
                    in[r] = (MASKED && nValid[r] < LANES) ? VLOADN(xs[r] + ko[k], nValid[r]) : VLOAD(xs[r] + ko[k]);
                UNROLL for (int o = 0; o < OCB; o++) {
                    vf wv = VSET1(wq[o]);
                    UNROLL for (int r = 0; r < RW; r++) acc[o][r] = VFMA(wv, in[r], acc[o][r]);
                }
                wq += OCB;
            }
        } else {
            for (int k = 0; k < kk; k++) {
                vf in[MAXR];
                UNROLL for (int r = 0; r < RW; r++)
                    in[r] = (MASKED && nValid[r] < LANES) ? VLOADN(xs[r] + koff[k], nValid[r]) : VLOAD(xs[r] + koff[k]);
                UNROLL for (int o = 0; o < OCB; o++) {
                    vf wv = VSET1(wq[o]);
                    UNROLL for (int r = 0; r < RW; r++) acc[o][r] = VFMA(wv, in[r], acc[o][r]);
                }
                wq += OCB;
            }
        }
        UNROLL for (int r = 0; r < RW; r++) xs[r] += p->planeStride;
    }
    const long plane = (long)p->oh * p->ow;
    int oValid = p->m - oc0 < OCB ? p->m - oc0 : OCB;
    long postOff[MAXR];
    const long postPlane = POST ? plane / ((long)act->postUp * act->postUp) : 0;
    if (POST) UNROLL for (int r = 0; r < RW; r++) postOff[r] = FN(post_offset)(act, pos[r], nValid[r]);
    UNROLL for (int o = 0; o < OCB; o++) {
        if (o < oValid) {
            float b = bias ? bias[oc0 + o] : 0.0f;
            UNROLL for (int r = 0; r < RW; r++)
                if (nValid[r] > 0)
                    FN(epilogue)(POST, acc[o][r], b, sumPtr[r] ? sumPtr[r] + o * plane : 0, act, oc0 + o,
                                 outPtr[r] + o * p->yPlane, nValid[r], postPlane, POST ? postOff[r] : 0, odd[r]);
        }
    }
}

/// even[i] = src[2i] (i < nE), odd[i] = src[2i + 1] (i < nO); src has w floats. Vectors of
/// 2 * LANES input floats while they stay inside src, then one at a time.
static void FN(deinterleave)(const float *src, int w, float *even, int nE, float *odd, int nO) {
    int q = 0;
    (void)w;
#if LANES > 1
    const int nBoth = nE < nO ? nE : nO;
    for (; q + LANES <= nBoth && 2 * q + 2 * LANES <= w; q += LANES) {
        vf e, o;
        VDEINTERLEAVE(src + 2 * q, e, o);
        VSTORE(even + q, e);
        VSTORE(odd + q, o);
    }
#endif
    for (int i = q; i < nE; i++) even[i] = src[2 * i];
    for (int i = q; i < nO; i++) odd[i] = src[2 * i + 1];
}

/// Work units [u0, u1) of a direct convolution with an OCB x RW register block.
static inline __attribute__((always_inline))
void FN(run_block)(const int OCB, const int RW, const int POST, const ck_conv_plan *p, const float *xin, const float *packed,
                   const float *bias, const float *sum, float *y, const ck_act *act, long u0, long u1) {
    const int kk = p->kh * p->kw;
    long koff[64];
    ck_kernel_offsets(p, koff);
    const long totalSlots = (long)p->oh * p->slotsPerRow;
    const long wBlock = (long)p->c * kk * OCB;
    long t, b;
    ck_unit(p, u0, &t, &b);
    long bandStart = t / p->bandTiles * p->bandTiles;
    long bandEnd = bandStart + p->bandTiles < p->tiles ? bandStart + p->bandTiles : p->tiles;
    for (long u = u0; u < u1; u++) {
        if (u > u0) {
            // next unit without divisions: the next tile of the band, then the next block,
            // then the next band
            if (++t == bandEnd) {
                t = bandStart;
                if (++b == p->ocBlocks) {
                    b = 0;
                    bandStart = bandEnd;
                    t = bandStart;
                    bandEnd = bandStart + p->bandTiles < p->tiles ? bandStart + p->bandTiles : p->tiles;
                }
            }
        }
        long inOff[MAXR], pos[MAXR], odd[MAXR];
        float *outs[MAXR];
        const float *sums[MAXR];
        int nValid[MAXR];
        int partial = 0;
        const int oc0 = (int)b * OCB;
        const long ocOff = (long)oc0 * p->oh * p->ow, yOcOff = (long)oc0 * p->yPlane;
        long oy = t * RW / p->slotsPerRow, sx = t * RW % p->slotsPerRow;
        for (int r = 0; r < RW; r++, sx++) {
            if (sx == p->slotsPerRow) { sx = 0; oy++; }
            long s = t * RW + r;
            if (s >= totalSlots) { inOff[r] = 0; pos[r] = 0; outs[r] = y; odd[r] = 0; sums[r] = 0; nValid[r] = 0; partial = 1; continue; }
            long ox = sx * LANES;
            long n = p->ow - ox;
            nValid[r] = n < LANES ? (int)n : LANES;
            if (nValid[r] < LANES) partial = 1;
            pos[r] = oy * p->ow + ox;
            long off = pos[r] + ocOff;
            outs[r] = y + yOcOff + ck_out_offset(p, oy, ox, &odd[r]);
            sums[r] = sum ? sum + off : 0;
            inOff[r] = p->pointwise ? oy * p->ow + ox : oy * p->sh * (long)p->sw * p->wph + ox;
        }
        const float *wb = packed + b * wBlock;
        if (p->pointwise && partial)
            FN(tile)(OCB, RW, 1, 1, POST, p, xin, koff, kk, wb, inOff, outs, odd, sums, pos, nValid, oc0, bias, act);
        else if (kk == 1)
            FN(tile)(OCB, RW, 0, 1, POST, p, xin, koff, kk, wb, inOff, outs, odd, sums, pos, nValid, oc0, bias, act);
        else if (kk == 9)
            FN(tile)(OCB, RW, 0, 9, POST, p, xin, koff, kk, wb, inOff, outs, odd, sums, pos, nValid, oc0, bias, act);
        else
            FN(tile)(OCB, RW, 0, 0, POST, p, xin, koff, kk, wb, inOff, outs, odd, sums, pos, nValid, oc0, bias, act);
    }
}

/// One register block's kernel, with or without the post-activation Add compiled in.
#define CK_RUN_BLOCK(O, R) do { \
        if (act.post) FN(run_block)(O, R, 1, p, xin, packed, bias, sum, y, &act, u0, u1); \
        else FN(run_block)(O, R, 0, p, xin, packed, bias, sum, y, &act, u0, u1); \
    } while (0)

static void FN(conv_run)(const ck_conv_plan *p, const float *xin, const float *packed, const float *bias,
                         const float *sum, float *y, ck_act act, long u0, long u1) {
    if (p->ocb == 8 && p->rw == 3) CK_RUN_BLOCK(8, 3);
    else if (p->ocb == 4 && p->rw == 6) CK_RUN_BLOCK(4, 6);
    else if (p->ocb == 6 && p->rw == 4) CK_RUN_BLOCK(6, 4);
    else if (p->ocb == 4 && p->rw == 3) CK_RUN_BLOCK(4, 3);
    else if (p->ocb == 8 && p->rw == 1) CK_RUN_BLOCK(8, 1);
    else CK_RUN_BLOCK(1, 1);
}
#undef CK_RUN_BLOCK

/// Depthwise: per channel, pad the plane into scratch, then RW-slot tiles along the
/// flattened slot order with kh*kw broadcast weights.
static inline __attribute__((always_inline))
void FN(dw_body)(const int POST, const ck_conv_plan *p, const float *x, const float *w, const float *bias,
                 const float *sum, float *y, ck_act act, float *scratch, int c0, int c1) {
    enum { RW = 4 };
    const int kk = p->kh * p->kw;
    long koff[64];
    ck_kernel_offsets(p, koff);
    const long totalSlots = (long)p->oh * p->slotsPerRow;
    const long inPlane = (long)p->h * p->w, outPlane = (long)p->oh * p->ow;
    const long postPlane = POST ? outPlane / ((long)act.postUp * act.postUp) : 0;
    for (int ch = c0; ch < c1; ch++) {
        ck_conv_pad(p, x + ch * inPlane, scratch, 0, 1);
        const float *wc = w + (long)ch * kk;
        float *yc = y + ch * outPlane;
        float b = bias ? bias[ch] : 0.0f;
        for (long s0 = 0; s0 < totalSlots; s0 += RW) {
            long inOff[RW];
            float *outPtr[RW];
            int nValid[RW];
            for (int r = 0; r < RW; r++) {
                long s = s0 + r;
                if (s >= totalSlots) { inOff[r] = 0; outPtr[r] = yc; nValid[r] = 0; continue; }
                long oy = s / p->slotsPerRow, ox = (s % p->slotsPerRow) * LANES;
                long n = p->ow - ox;
                nValid[r] = n < LANES ? (int)n : LANES;
                outPtr[r] = yc + oy * p->ow + ox;
                inOff[r] = oy * p->sh * (long)p->sw * p->wph + ox;
            }
            vf acc[RW];
            for (int r = 0; r < RW; r++) acc[r] = VZERO();
            for (int k = 0; k < kk; k++) {
                vf wv = VSET1(wc[k]);
                const float *xk = scratch + koff[k];
                for (int r = 0; r < RW; r++) acc[r] = VFMA(wv, VLOAD(xk + inOff[r]), acc[r]);
            }
            for (int r = 0; r < RW; r++)
                if (nValid[r] > 0)
                    FN(epilogue)(POST, acc[r], b, sum ? sum + (outPtr[r] - y) : 0, &act, ch, outPtr[r], nValid[r],
                                 postPlane, POST ? FN(post_offset)(&act, outPtr[r] - yc, nValid[r]) : 0, 0);
        }
    }
}

static void FN(dw_run)(const ck_conv_plan *p, const float *x, const float *w, const float *bias,
                       const float *sum, float *y, ck_act act, float *scratch, int c0, int c1) {
    if (act.post) FN(dw_body)(1, p, x, w, bias, sum, y, act, scratch, c0, c1);
    else FN(dw_body)(0, p, x, w, bias, sum, y, act, scratch, c0, c1);
}

#undef MAXO
#undef MAXR

// The instruction set's macros are used up: the next inclusion defines its own.
#undef FN
#undef LANES
#undef vf
#undef VZERO
#undef VSET1
#undef VLOAD
#undef VLOADN
#undef VSTORE
#undef VSTOREN
#undef VFMA
#undef VADD
#undef VMUL
#undef VMAX
#undef VMIN
#undef VNEG_SELECT
#undef VDEINTERLEAVE
#undef VLOADUP2
#undef VSTORESPLIT
