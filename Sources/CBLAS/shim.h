// CBLAS: OpenBLAS's cblas interface plus its thread-count controls.
#include <cblas.h>
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
// Stops OpenBLAS's worker threads (pthread build; exported by OpenBLAS for fork safety). A later
// openblas_set_num_threads or threaded call starts them again.
int blas_thread_shutdown_(void);

// Denormal control for the inference engine: flush-to-zero + denormals-are-zero while a
// model runs (denormal operands slow SSE/AVX arithmetic, OpenBLAS included, by 10-60x;
// real models such as TwinLiteNet produce whole channels of them). Per thread; callers
// restore the previous state. A no-op off x86.
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
static inline unsigned int drivepipe_fp_flush_denormals_begin(void) {
    unsigned int old = _mm_getcsr();
    _mm_setcsr(old | 0x8040u);  /* FTZ (bit 15) | DAZ (bit 6) */
    return old;
}
static inline void drivepipe_fp_flush_denormals_end(unsigned int old) { _mm_setcsr(old); }
#else
static inline unsigned int drivepipe_fp_flush_denormals_begin(void) { return 0; }
static inline void drivepipe_fp_flush_denormals_end(unsigned int old) { (void)old; }
#endif
