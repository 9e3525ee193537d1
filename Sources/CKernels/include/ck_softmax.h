// CKernels softmax: one contiguous row on AVX-512 (16 lanes). The portable path and twin is
// Swift's softmaxRow (Inference/Kernels/FastMath.swift, 8 lanes).
#ifndef CK_SOFTMAX_H
#define CK_SOFTMAX_H

/// dst = softmax(src) over n floats (dst may be src); needs an AVX-512 CPU (ck_cpu_isa).
void ck_softmax_row_avx512(const float *src, float *dst, int n);

#endif
