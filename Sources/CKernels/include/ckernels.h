// CKernels: hot convolution loops in C, compiled per instruction set (AVX-512, AVX2+FMA) and
// chosen at run time, with a portable scalar version. Swift plans the shapes and the work
// units; these functions only run the loops over raw float buffers (NCHW).
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>

/// Instruction sets, ordered: a machine running level L can run every level <= L.
enum { CK_ISA_SCALAR = 0, CK_ISA_AVX2 = 1, CK_ISA_AVX512 = 2 };

/// The best instruction set this CPU supports.
int ck_cpu_isa(void);
/// The instruction set the kernels use: ck_cpu_isa(), lowered when the environment variable
/// DRIVEPIPE_ISA is `scalar` or `avx2` (A/B benchmarks, tests of the other paths).
int ck_selected_isa(void);
/// Float lanes per vector for an instruction set (1, 8, 16).
int ck_isa_lanes(int isa);

/// Activation fused into a kernel's epilogue, and an optional Add after it.
///   0 none, 1 relu, 2 leaky relu (a), 3 clip [a, b], 4 prelu (slopes[channel], or a when
///   slopes is NULL), 5 hard sigmoid max(0, min(1, a v + b)), 6 hard swish.
/// post (NULL: none): y = act(...) + post, post laid out [m][oh / postUp][ow / postUp] for the
/// call's output channels and read nearest-upsampled by postUp (1 or 2: post[oy / 2][ox / 2]),
/// i.e. a following Add(y, Resize-nearest-2x(s)) of a feature pyramid; postW is the output
/// width ow (pointwise plans see the plane as one long row).
typedef struct {
    int kind;
    float a, b;
    const float *slopes;    // indexed by the output channel of the call (group offset applied)
    const float *post;
    int postUp, postW;
} ck_act;

/// One 2-D convolution of one group, as the direct kernel sees it.
///   input (padded, column phases split):  xp[c][hp][sw][wph]   (from ck_conv_pad)
///   packed weights:                       wp[m / ocb rounded up][c][kh * kw][ocb]
///   output:                               y[m][oh][ow]
/// Output pixels go in vectors of `lanes` along a row ("slots", slotsPerRow per row, the last
/// one partly masked); a tile is `rw` consecutive slots (in row-major slot order) times `ocb`
/// output channels. Work units run over bands of `bandTiles` tiles; inside a band the
/// output-channel block is the outer index (unit u = band * bandTiles * ocBlocks +
/// ocBlock * tilesInBand + tile in band).
typedef struct {
    int c, h, w;              // input channels, height, width (of this group)
    int m, oh, ow;            // output channels, height, width
    int kh, kw, sh, sw, dh, dw;
    int padTop, padLeft;
    int isa, ocb, rw;         // instruction set and register block
    int hp, wph;              // padded rows; columns per phase
    long planeStride;         // floats per padded channel plane (>= hp * sw * wph)
    int slotsPerRow, tiles, ocBlocks;
    int bandTiles;            // in: tiles per band (0: all); out: clamped to [1, tiles]
    int pointwise;            // in: 1 allows it; out: 1 when x is read as it lies (1x1, stride 1, no pads)
    // Output layout (0: plain y[m][oh][ow], filled in by ck_conv_plan_finish). A conv whose
    // output only padded direct convs read writes it straight into their padded input layout
    // (ck_conv_write_padded): pixel (oy, ox) of output channel o lies at
    //   y + o * yPlane + (oy + yTop) * yRow + (q % yPhases) * yPhaseW + q / yPhases,  q = ox + yLeft
    long yPlane, yRow, yPhaseW;
    int yTop, yLeft, yPhases;
} ck_conv_plan;

/// Fills in the derived fields (hp, wph, planeStride, slots, tiles, ocBlocks, pointwise).
/// A pointwise plan is then usually re-finished with h = oh = 1, w = ow = the plane size
/// (one long row), which the caller does.
void ck_conv_plan_finish(ck_conv_plan *p);
/// Points the output layout of `producer` at the padded input layout of `consumer` (its xp,
/// as ck_conv_pad writes it; channel planes planeStride apart, column phases split): the
/// producer's epilogue then stores what the padding copy would have written, and the border
/// stays as it is (the caller keeps it zero). Returns 0 (and changes nothing) unless the
/// producer's output [m][oh][ow] is the consumer's input [c][h][w], the consumer pads
/// (not pointwise), its column stride is 1 or 2, every input pixel has its place in the padded
/// planes, and the producer is not a one-long-row pointwise plan.
int ck_conv_write_padded(ck_conv_plan *producer, const ck_conv_plan *consumer);
/// Zeroes, for channels [c0, c1) of xp, every padded position that
/// is no input pixel (what ck_conv_pad writes as zeros): a producer writing the interior
/// straight into xp (ck_conv_write_padded) clears the rest first, so the tensor can share
/// memory with others like any value.
void ck_conv_clear_border(const ck_conv_plan *p, float *xp, int c0, int c1);
/// Floats of packed weights for a plan.
long ck_conv_packed_count(const ck_conv_plan *p);
/// w[m][c][kh][kw] -> packed layout (zero rows for the output channels past m).
void ck_conv_pack_weights(const ck_conv_plan *p, const float *w, float *packed);
/// Padded, phase-split copy of input channels [c0, c1) of x[c][h][w] into xp.
void ck_conv_pad(const ck_conv_plan *p, const float *x, float *xp, int c0, int c1);
/// The same for padded rows [r0, r1) only (of every phase): split by rows, each thread pads
/// the rows its output tiles read first.
void ck_conv_pad_rows(const ck_conv_plan *p, const float *x, float *xp, int c0, int c1, int r0, int r1);
/// Runs work units [u0, u1): y = act(conv(x) + bias + sum). `xin` is the padded input (or x
/// itself when pointwise); bias (per channel) and sum (laid out like y: a fused residual Add)
/// may be NULL.
void ck_conv_run(const ck_conv_plan *p, const float *xin, const float *packed, const float *bias,
                 const float *sum, float *y, ck_act act, long u0, long u1);

/// Depthwise convolution (one input and one output channel per group).
///   x[c][h][w], w[c][kh][kw], bias[c] or NULL, sum[c][oh][ow] or NULL, y[c][oh][ow];
///   y = act(conv(x) + bias + sum) for channels [c0, c1).
/// `scratch` holds one padded plane (ck_dw_scratch floats, a multiple of 16). Uses plan fields c, h, w, oh, ow,
/// kh..padLeft and isa (m == c, ocb and rw ignored).
long ck_dw_scratch(const ck_conv_plan *p);
void ck_dw_run(const ck_conv_plan *p, const float *x, const float *w, const float *bias, const float *sum,
               float *y, ck_act act, float *scratch, int c0, int c1);

/// One spin-wait step for the engine's worker pool: the x86 `pause` hint (or aarch64 `yield`),
/// which lets the sibling hyper-thread run and saves power while a thread polls a flag.
static inline void ck_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
