// CPNG: libpng 1.6, plus a setjmp-safe reader shim.
//
// Encoding uses libpng's simplified png_image API (no setjmp needed). Decoding uses the classic
// API through the helpers below, because libpng 1.6.39's simplified reader (a) mis-decodes the
// even rows of 16-bit interlaced images when reducing to 8 bits and (b) composites alpha in linear
// light. Each helper runs a whole libpng job inside ONE C frame that owns the jmp_buf; libpng's
// error callback longjmps back to it (Swift cannot call setjmp), so bad input is an error code.
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

enum {
    DP_PNG_OK = 0,
    DP_PNG_ERR_LIBPNG = 1,      // libpng error; text in `message`
    DP_PNG_ERR_OUTPUT_SIZE = 2, // header size differs from what the caller allocated
    DP_PNG_ERR_ARGUMENT = 3,
    DP_PNG_ERR_MEMORY = 4,
};

#define DP_PNG_MESSAGE_LENGTH 200

// Everything libpng's callbacks need: the bytes being read and where to jump on error.
typedef struct {
    const unsigned char *data;
    size_t size;
    size_t position;
    jmp_buf jump;
    char message[DP_PNG_MESSAGE_LENGTH];
} dp_png_job;

static inline void dp_png_error(png_structp png, png_const_charp text) {
    dp_png_job *job = (dp_png_job *)png_get_error_ptr(png);
    strncpy(job->message, text ? text : "unknown libpng error", DP_PNG_MESSAGE_LENGTH - 1);
    job->message[DP_PNG_MESSAGE_LENGTH - 1] = '\0';
    longjmp(job->jump, 1);
}

// Warnings (e.g. a bad CRC in an ancillary chunk, which libpng then skips) do not affect pixels.
static inline void dp_png_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

// Reads from the in-memory buffer; running off its end is an error (a truncated file).
static inline void dp_png_read(png_structp png, png_bytep out, size_t count) {
    dp_png_job *job = (dp_png_job *)png_get_io_ptr(png);
    if (count > job->size - job->position) png_error(png, "unexpected end of PNG data (file truncated)");
    memcpy(out, job->data + job->position, count);
    job->position += count;
}

static inline void dp_png_copy_message(char *dst, const dp_png_job *job) {
    if (dst == NULL) return;
    strncpy(dst, job->message[0] ? job->message : "unknown libpng error", DP_PNG_MESSAGE_LENGTH - 1);
    dst[DP_PNG_MESSAGE_LENGTH - 1] = '\0';
}

// Reads the header (all chunks before the first IDAT): size, bit depth, colour type, interlace.
static inline int dp_png_read_info(const unsigned char *data, size_t size, int *width, int *height,
                                   int *bit_depth, int *color_type, int *interlaced, char *message) {
    dp_png_job job;
    png_structp png = NULL;
    png_infop info = NULL;
    memset(&job, 0, sizeof job);
    job.data = data;
    job.size = size;
    png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, dp_png_error, dp_png_warning);
    if (png == NULL) return DP_PNG_ERR_MEMORY;
    info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return DP_PNG_ERR_MEMORY;
    }
    if (setjmp(job.jump)) {
        dp_png_copy_message(message, &job);
        png_destroy_read_struct(&png, &info, NULL);
        return DP_PNG_ERR_LIBPNG;
    }
    png_set_read_fn(png, &job, dp_png_read);
    png_read_info(png, info);
    *width = (int)png_get_image_width(png, info);
    *height = (int)png_get_image_height(png, info);
    *bit_depth = png_get_bit_depth(png, info);
    *color_type = png_get_color_type(png, info);
    *interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
    png_destroy_read_struct(&png, &info, NULL);
    return DP_PNG_OK;
}

// Decodes any PNG (1..16-bit, gray, gray+alpha, palette, tRNS, RGB, RGBA, Adam7) to packed RGB8
// straight into `out` (width x height x 3 bytes, which the caller sized from dp_png_read_info).
// No gamma is applied (raw sample values, like OpenCV); 16-bit samples are rounded to 8 bits
// (png_set_scale_16); alpha is composited onto black in 8-bit sRGB: round(c * a / 255), through
// a temporary RGBA buffer (alpha images only). Reads through IEND, so a cut file is an error.
static inline int dp_png_decode_rgb(const unsigned char *data, size_t size, unsigned char *out,
                                    size_t out_capacity, int width, int height, char *message) {
    dp_png_job job;
    png_structp png = NULL;
    png_infop info = NULL;
    png_bytep *volatile rows = NULL;
    unsigned char *volatile rgba = NULL;
    if (width <= 0 || height <= 0 || (size_t)width * (size_t)height * 3u > out_capacity)
        return DP_PNG_ERR_ARGUMENT;
    memset(&job, 0, sizeof job);
    job.data = data;
    job.size = size;
    png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, dp_png_error, dp_png_warning);
    if (png == NULL) return DP_PNG_ERR_MEMORY;
    info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return DP_PNG_ERR_MEMORY;
    }
    if (setjmp(job.jump)) {
        dp_png_copy_message(message, &job);
        png_destroy_read_struct(&png, &info, NULL);
        free(rows);
        free(rgba);
        return DP_PNG_ERR_LIBPNG;
    }
    png_set_read_fn(png, &job, dp_png_read);
    png_read_info(png, info);
    if ((int)png_get_image_width(png, info) != width || (int)png_get_image_height(png, info) != height) {
        png_destroy_read_struct(&png, &info, NULL);
        return DP_PNG_ERR_OUTPUT_SIZE;
    }
    int color_type = png_get_color_type(png, info);
    int has_alpha = (color_type & PNG_COLOR_MASK_ALPHA) != 0 || png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    png_set_expand(png);  // palette -> RGB, gray < 8 bits -> 8, tRNS -> alpha
    if (png_get_bit_depth(png, info) == 16) png_set_scale_16(png);
    if ((color_type & PNG_COLOR_MASK_COLOR) == 0) png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t channels = has_alpha ? 4u : 3u;
    size_t stride = (size_t)width * channels;
    if (png_get_rowbytes(png, info) != stride) png_error(png, "unexpected row size after transforms");
    unsigned char *target = out;
    if (has_alpha) {
        rgba = (unsigned char *)malloc(stride * (size_t)height);
        if (rgba == NULL) png_error(png, "out of memory for the RGBA rows");
        target = rgba;
    }
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)height);
    if (rows == NULL) png_error(png, "out of memory for row pointers");
    for (int y = 0; y < height; y++) rows[y] = target + (size_t)y * stride;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    if (has_alpha) {
        size_t n = (size_t)width * (size_t)height;
        for (size_t i = 0; i < n; i++) {
            unsigned a = rgba[i * 4 + 3];
            out[i * 3] = (unsigned char)((rgba[i * 4] * a + 127u) / 255u);
            out[i * 3 + 1] = (unsigned char)((rgba[i * 4 + 1] * a + 127u) / 255u);
            out[i * 3 + 2] = (unsigned char)((rgba[i * 4 + 2] * a + 127u) / 255u);
        }
    }
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    free(rgba);
    return DP_PNG_OK;
}
