/* raw_turbojpeg: the "raw library" side of the decode benchmark. Decodes one JPEG repeatedly
 * through libjpeg-turbo's TurboJPEG API (tjDecompress2, exactly what tjbench times: packed RGB,
 * ISLOW IDCT, fancy upsampling, destination allocated once), and reports mean wall and CPU time.
 * Debian ships libturbojpeg.so.0 (with tjbench) but no header here, so the four calls are declared.
 * Build: cc -O2 raw_turbojpeg.c -o raw_turbojpeg -l:libturbojpeg.so.0
 * Usage: raw_turbojpeg FILE SCALE_DENOM SECONDS WARMUP_SECONDS */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef void *tjhandle;
extern tjhandle tjInitDecompress(void);
extern int tjDecompressHeader3(tjhandle, const unsigned char *, unsigned long, int *, int *, int *, int *);
extern int tjDecompress2(tjhandle, const unsigned char *, unsigned long, unsigned char *, int, int, int, int, int);
extern int tjDestroy(tjhandle);
extern char *tjGetErrorStr2(tjhandle);
#define TJPF_RGB 0

static double clock_s(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: raw_turbojpeg FILE SCALE_DENOM SECONDS WARMUP\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *jpeg = malloc((size_t)size);
    if (fread(jpeg, 1, (size_t)size, f) != (size_t)size) { fprintf(stderr, "short read\n"); return 1; }
    fclose(f);
    int denom = atoi(argv[2]);
    double seconds = atof(argv[3]), warmup = atof(argv[4]);
    tjhandle tj = tjInitDecompress();
    int w, h, subsamp, cs;
    if (tjDecompressHeader3(tj, jpeg, (unsigned long)size, &w, &h, &subsamp, &cs) != 0) {
        fprintf(stderr, "%s\n", tjGetErrorStr2(tj));
        return 1;
    }
    int ow = (w + denom - 1) / denom, oh = (h + denom - 1) / denom;
    unsigned char *out = malloc((size_t)ow * (size_t)oh * 3);
    double t0 = clock_s(CLOCK_MONOTONIC);
    while (clock_s(CLOCK_MONOTONIC) - t0 < warmup)
        tjDecompress2(tj, jpeg, (unsigned long)size, out, ow, 0, oh, TJPF_RGB, 0);
    long n = 0;
    double wall0 = clock_s(CLOCK_MONOTONIC), cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), wall;
    do {
        if (tjDecompress2(tj, jpeg, (unsigned long)size, out, ow, 0, oh, TJPF_RGB, 0) != 0) {
            fprintf(stderr, "%s\n", tjGetErrorStr2(tj));
            return 1;
        }
        n++;
        wall = clock_s(CLOCK_MONOTONIC) - wall0;
    } while (wall < seconds);
    double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    printf("raw_turbojpeg scale=1/%d size=%dx%d iterations=%ld mean_ms=%.3f cpu_ms=%.3f\n", denom, ow, oh, n,
           wall / (double)n * 1000, cpu / (double)n * 1000);
    tjDestroy(tj);
    free(out);
    free(jpeg);
    return 0;
}
