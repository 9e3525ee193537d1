// The direct kernels alone on one conv -> 3x3 conv pair, plain (producer writes NCHW, the reader
// pads a copy) against padded (producer writes the reader's padded layout and its border, the
// reader reads it as it lies): minimum of 300 interleaved runs each, hot caches, one thread.
//   clang -O3 -I Sources/CKernels/include Sources/CKernels/conv.c Benchmarks/inference/padded_chain_bench.c -o /tmp/pcb
//   taskset -c 0 /tmp/pcb C H W M K S M2 S2     producer: C -> M, KxK stride S, pad K/2, on HxW;
//                                               reader: M -> M2, 3x3 stride S2, pad 1
//   e.g. the student's stem pair: 3 288 512 16 3 2 24 2
#include "ckernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }

static ck_conv_plan plan(int c, int h, int w, int m, int k, int s, int pad) {
    ck_conv_plan p; memset(&p, 0, sizeof p);
    p.c = c; p.h = h; p.w = w; p.m = m; p.kh = p.kw = k; p.sh = p.sw = s; p.dh = p.dw = 1;
    p.padTop = p.padLeft = pad; p.oh = (h + 2 * pad - k) / s + 1; p.ow = (w + 2 * pad - k) / s + 1;
    p.isa = ck_selected_isa(); p.ocb = 8; p.rw = 3;
    ck_conv_plan_finish(&p);
    long bytes = 4L * c * p.planeStride;   // bands of ~256 KiB of input, as DirectConv.cPlan
    p.bandTiles = (int)((long)p.tiles * (256 * 1024) / (bytes ? bytes : 1));
    if (p.bandTiles < 1) p.bandTiles = 1;
    ck_conv_plan_finish(&p);
    return p;
}

static float *buffer(long n) {
    float *p = aligned_alloc(64, ((n * 4 + 63) / 64) * 64);
    for (long i = 0; i < n; i++) p[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    return p;
}

int main(int argc, char **argv) {
    if (argc != 9) { fprintf(stderr, "usage: %s C H W M K S M2 S2\n", argv[0]); return 2; }
    int a[8];
    for (int i = 0; i < 8; i++) a[i] = atoi(argv[i + 1]);
    const int C = a[0], H = a[1], W = a[2], M = a[3], K = a[4], S = a[5], M2 = a[6], S2 = a[7];
    ck_conv_plan p = plan(C, H, W, M, K, S, K / 2), q = plan(M, p.oh, p.ow, M2, 3, S2, 1), pw = p;
    if (!ck_conv_write_padded(&pw, &q)) { fprintf(stderr, "the producer cannot write this layout\n"); return 1; }
    float *x = buffer((long)C * H * W), *xp = buffer((long)C * p.planeStride), *w1 = buffer(ck_conv_packed_count(&p));
    float *b1 = buffer(M), *y = buffer((long)M * p.oh * p.ow), *yp = buffer((long)M * q.planeStride);
    float *scratch = buffer((long)M * q.planeStride), *w2 = buffer(ck_conv_packed_count(&q)), *b2 = buffer(M2);
    float *y2 = buffer((long)M2 * q.oh * q.ow);
    ck_act act; memset(&act, 0, sizeof act); act.kind = 1;
    const long units = (long)p.tiles * p.ocBlocks, units2 = (long)q.tiles * q.ocBlocks;
    double tPlain = 1e9, tPadded = 1e9, tCopy = 1e9, tReadCopy = 1e9, tReadPadded = 1e9;
    ck_conv_pad(&p, x, xp, 0, C);
    for (int it = 0; it < 300; it++) {
        double t0 = now_ms(); ck_conv_run(&p, xp, w1, b1, 0, y, act, 0, units);
        double t1 = now_ms(); if (t1 - t0 < tPlain) tPlain = t1 - t0;
        t0 = now_ms(); ck_conv_clear_border(&q, yp, 0, M); ck_conv_run(&pw, xp, w1, b1, 0, yp, act, 0, units);
        t1 = now_ms(); if (t1 - t0 < tPadded) tPadded = t1 - t0;
        t0 = now_ms(); ck_conv_pad(&q, y, scratch, 0, M);
        t1 = now_ms(); if (t1 - t0 < tCopy) tCopy = t1 - t0;
        t0 = now_ms(); ck_conv_run(&q, scratch, w2, b2, 0, y2, act, 0, units2);
        t1 = now_ms(); if (t1 - t0 < tReadCopy) tReadCopy = t1 - t0;
        t0 = now_ms(); ck_conv_run(&q, yp, w2, b2, 0, y2, act, 0, units2);
        t1 = now_ms(); if (t1 - t0 < tReadPadded) tReadPadded = t1 - t0;
    }
    printf("producer plain %.3f ms, padded %.3f | reader's copy %.3f, reader on the copy %.3f, on the padded output %.3f | "
           "pair plain %.3f, padded %.3f\n", tPlain, tPadded, tCopy, tReadCopy, tReadPadded,
           tPlain + tCopy + tReadCopy, tPadded + tReadPadded);
    return 0;
}
