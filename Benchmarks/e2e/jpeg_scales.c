// libjpeg-turbo decode time at every DCT scale M/8 (RGB output, fast integer IDCT), averaged over
// the given JPEG files (third of three passes). Why the decoder only uses 1/8, 1/4, 1/2 and 1/1:
// the other M/8 scales have no SIMD IDCT and are slower than the next power of two.
//   cc -O2 Benchmarks/e2e/jpeg_scales.c -o /tmp/jpeg_scales -ljpeg
//   /tmp/jpeg_scales fixtures/logs/udacity_project_clip/frames/*.jpg
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>
#include <jpeglib.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(int argc, char **argv) {
    int nf = argc - 1;
    if (nf < 1) { fprintf(stderr, "usage: %s FILE.jpg...\n", argv[0]); return 2; }
    unsigned char **bufs = malloc(sizeof *bufs * nf);
    long *lens = malloc(sizeof *lens * nf);
    for (int i = 0; i < nf; i++) {
        FILE *f = fopen(argv[i + 1], "rb");
        if (!f) { perror(argv[i + 1]); return 1; }
        fseek(f, 0, SEEK_END); lens[i] = ftell(f); fseek(f, 0, SEEK_SET);
        bufs[i] = malloc(lens[i]);
        if (fread(bufs[i], 1, lens[i], f) != (size_t)lens[i]) { perror(argv[i + 1]); return 1; }
        fclose(f);
    }
    unsigned char *out = NULL;
    size_t cap = 0;
    for (int pass = 0; pass < 3; pass++) {
        for (int num = 8; num >= 1; num--) {
            double t0 = now();
            int ow = 0, oh = 0;
            for (int i = 0; i < nf; i++) {
                struct jpeg_decompress_struct c;
                struct jpeg_error_mgr e;
                c.err = jpeg_std_error(&e);
                jpeg_create_decompress(&c);
                jpeg_mem_src(&c, bufs[i], lens[i]);
                jpeg_read_header(&c, TRUE);
                c.out_color_space = JCS_EXT_RGB;
                c.scale_num = num;
                c.scale_denom = 8;
                c.dct_method = JDCT_IFAST;
                jpeg_start_decompress(&c);
                ow = c.output_width; oh = c.output_height;
                size_t need = (size_t)ow * oh * 3;
                if (need > cap) { out = realloc(out, need); cap = need; }
                while (c.output_scanline < c.output_height) {
                    JSAMPROW row = out + (size_t)c.output_scanline * ow * 3;
                    jpeg_read_scanlines(&c, &row, 1);
                }
                jpeg_finish_decompress(&c);
                jpeg_destroy_decompress(&c);
            }
            if (pass == 2) printf("scale %d/8 -> %dx%d: %.3f ms a frame\n", num, ow, oh, (now() - t0) / nf * 1e3);
        }
    }
    return 0;
}
