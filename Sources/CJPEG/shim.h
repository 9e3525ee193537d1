// CJPEG: libjpeg-turbo, plus a setjmp-safe decode/encode shim.
//
// Why a shim: libjpeg's default error handler calls exit(), and Swift cannot call setjmp.
// Each dp_jpeg_* helper below runs a whole libjpeg job inside ONE C frame that owns the
// jmp_buf, so the error manager can longjmp back to it and the process always survives.
// Warnings (corrupt data, premature end of file, ...) are treated as errors: otherwise a
// truncated file decodes "successfully" with its missing rows filled grey.
//
// jpeglib.h needs stdio.h and stddef.h first.
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

// Result codes of the dp_jpeg_* helpers.
enum {
    DP_JPEG_OK = 0,
    DP_JPEG_ERR_LIBJPEG = 1,     // libjpeg error or warning; text in `message`
    DP_JPEG_ERR_OUTPUT_SIZE = 2, // output dims differ from what the caller allocated
    DP_JPEG_ERR_ARGUMENT = 3,    // bad argument (scale, buffer size)
};

// Size of the `message` buffers the caller passes (libjpeg's own JMSG_LENGTH_MAX).
#define DP_JPEG_MESSAGE_LENGTH JMSG_LENGTH_MAX

// Error manager: the libjpeg public part first, then where to jump and the message text.
typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} dp_jpeg_error_mgr;

// error_exit: format the message, then longjmp back to the helper's frame (never returns).
static inline void dp_jpeg_error_exit(j_common_ptr cinfo) {
    dp_jpeg_error_mgr *err = (dp_jpeg_error_mgr *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

// emit_message: level < 0 is a warning (corrupt data, premature EOF): fatal for us.
// Levels >= 0 are trace messages: ignored (and never printed to stderr).
static inline void dp_jpeg_emit_message(j_common_ptr cinfo, int msg_level) {
    if (msg_level < 0) dp_jpeg_error_exit(cinfo);
}

// Progressive JPEGs with very many scans make decoding cost explode (a CPU "bomb"); refuse more
// than this many, as libjpeg-turbo's own TurboJPEG does with TJFLAG_LIMITSCANS.
#define DP_JPEG_MAX_SCANS 500

static inline void dp_jpeg_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (dinfo->input_scan_number > DP_JPEG_MAX_SCANS) {
        dp_jpeg_error_mgr *err = (dp_jpeg_error_mgr *)cinfo->err;
        snprintf(err->message, JMSG_LENGTH_MAX, "too many scans: more than %d (progressive JPEG refused)",
                 DP_JPEG_MAX_SCANS);
        longjmp(err->jump, 1);
    }
}

static inline void dp_jpeg_install_errors(dp_jpeg_error_mgr *err) {
    jpeg_std_error(&err->pub);
    err->pub.error_exit = dp_jpeg_error_exit;
    err->pub.emit_message = dp_jpeg_emit_message;
    err->message[0] = '\0';
}

static inline void dp_jpeg_copy_message(char *dst, const dp_jpeg_error_mgr *err) {
    if (dst == NULL) return;
    strncpy(dst, err->message[0] ? err->message : "unknown libjpeg error", JMSG_LENGTH_MAX - 1);
    dst[JMSG_LENGTH_MAX - 1] = '\0';
}

// Reads the header only: full image size and component count in the file.
// `message` must hold DP_JPEG_MESSAGE_LENGTH bytes.
static inline int dp_jpeg_read_info(const unsigned char *data, unsigned long size,
                                    int *width, int *height, int *components, char *message) {
    struct jpeg_decompress_struct cinfo;
    dp_jpeg_error_mgr err;
    memset(&cinfo, 0, sizeof cinfo);
    dp_jpeg_install_errors(&err);
    cinfo.err = &err.pub;
    if (setjmp(err.jump)) {
        dp_jpeg_copy_message(message, &err);
        jpeg_destroy_decompress(&cinfo);
        return DP_JPEG_ERR_LIBJPEG;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    *width = (int)cinfo.image_width;
    *height = (int)cinfo.image_height;
    *components = cinfo.num_components;
    jpeg_destroy_decompress(&cinfo);
    return DP_JPEG_OK;
}

// Decodes a whole JPEG to packed RGB8 (JCS_EXT_RGB), scaled by 1/scale_denom in the DCT
// domain (scale_denom in 1, 2, 4, 8), straight into `out` (out_width x out_height x 3 bytes,
// rows packed). The caller computed out_width/out_height as ceil(image_dim / scale_denom);
// if libjpeg disagrees nothing is written past `out_capacity` and DP_JPEG_ERR_OUTPUT_SIZE
// is returned. Scanlines are read in batches (as many rows as libjpeg will give per call).
// fast_dct != 0 selects libjpeg's integer IDCT (JDCT_IFAST: faster, up to a few levels off
// the accurate JDCT_ISLOW).
static inline int dp_jpeg_decode_rgb(const unsigned char *data, unsigned long size,
                                     int scale_denom, unsigned char *out, size_t out_capacity,
                                     int out_width, int out_height, int fast_dct, char *message) {
    struct jpeg_decompress_struct cinfo;
    dp_jpeg_error_mgr err;
    struct jpeg_progress_mgr progress;
    if (scale_denom != 1 && scale_denom != 2 && scale_denom != 4 && scale_denom != 8)
        return DP_JPEG_ERR_ARGUMENT;
    if (out_width <= 0 || out_height <= 0 ||
        (size_t)out_width * (size_t)out_height * 3u > out_capacity)
        return DP_JPEG_ERR_ARGUMENT;
    memset(&cinfo, 0, sizeof cinfo);
    dp_jpeg_install_errors(&err);
    cinfo.err = &err.pub;
    if (setjmp(err.jump)) {
        dp_jpeg_copy_message(message, &err);
        jpeg_destroy_decompress(&cinfo);
        return DP_JPEG_ERR_LIBJPEG;
    }
    jpeg_create_decompress(&cinfo);
    memset(&progress, 0, sizeof progress);
    progress.progress_monitor = dp_jpeg_progress;
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_EXT_RGB;
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned int)scale_denom;
    if (fast_dct) cinfo.dct_method = JDCT_IFAST;
    jpeg_start_decompress(&cinfo);
    if ((int)cinfo.output_width != out_width || (int)cinfo.output_height != out_height ||
        cinfo.output_components != 3) {
        jpeg_destroy_decompress(&cinfo);
        return DP_JPEG_ERR_OUTPUT_SIZE;
    }
    // Row pointers live in libjpeg's image pool: freed by jpeg_destroy, also after a longjmp.
    JSAMPARRAY rows = (JSAMPARRAY)(*cinfo.mem->alloc_small)(
        (j_common_ptr)&cinfo, JPOOL_IMAGE, sizeof(JSAMPROW) * (size_t)out_height);
    size_t stride = (size_t)out_width * 3u;
    for (int y = 0; y < out_height; y++) rows[y] = out + (size_t)y * stride;
    while (cinfo.output_scanline < cinfo.output_height) {
        JDIMENSION done = cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, rows + done, cinfo.output_height - done);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return DP_JPEG_OK;
}

// Growable in-memory destination owned by the shim (libjpeg's jpeg_mem_dest hides its
// current buffer after a reallocation, so it could not be freed safely after a longjmp).
typedef struct {
    struct jpeg_destination_mgr pub;
    unsigned char *buffer;
    size_t capacity;
} dp_jpeg_destination;

static inline void dp_jpeg_dest_init(j_compress_ptr cinfo) { (void)cinfo; }

// Called when the buffer is full: double it and continue after the bytes already written.
static inline boolean dp_jpeg_dest_empty(j_compress_ptr cinfo) {
    dp_jpeg_destination *dest = (dp_jpeg_destination *)cinfo->dest;
    size_t used = dest->capacity;
    unsigned char *grown = (unsigned char *)realloc(dest->buffer, used * 2);
    if (grown == NULL) {
        cinfo->err->msg_code = JERR_OUT_OF_MEMORY;
        (*cinfo->err->error_exit)((j_common_ptr)cinfo);
    }
    dest->buffer = grown;
    dest->capacity = used * 2;
    dest->pub.next_output_byte = grown + used;
    dest->pub.free_in_buffer = dest->capacity - used;
    return TRUE;
}

static inline void dp_jpeg_dest_term(j_compress_ptr cinfo) { (void)cinfo; }

// Encodes packed RGB8 (width x height x 3) as a baseline JPEG, 4:2:0, at `quality` (1...100).
// On success *out is a malloc'd buffer of *out_size bytes: release it with dp_jpeg_free.
static inline int dp_jpeg_encode_rgb(const unsigned char *pixels, int width, int height,
                                     int quality, unsigned char **out, unsigned long *out_size,
                                     char *message) {
    struct jpeg_compress_struct cinfo;
    dp_jpeg_error_mgr err;
    dp_jpeg_destination dest;
    if (width <= 0 || height <= 0 || quality < 1 || quality > 100 || out == NULL || out_size == NULL)
        return DP_JPEG_ERR_ARGUMENT;
    *out = NULL;
    *out_size = 0;
    memset(&cinfo, 0, sizeof cinfo);
    memset(&dest, 0, sizeof dest);
    dest.capacity = (size_t)width * (size_t)height / 2u + 4096u;
    dest.buffer = (unsigned char *)malloc(dest.capacity);
    if (dest.buffer == NULL) return DP_JPEG_ERR_ARGUMENT;
    dest.pub.next_output_byte = dest.buffer;
    dest.pub.free_in_buffer = dest.capacity;
    dest.pub.init_destination = dp_jpeg_dest_init;
    dest.pub.empty_output_buffer = dp_jpeg_dest_empty;
    dest.pub.term_destination = dp_jpeg_dest_term;
    dp_jpeg_install_errors(&err);
    cinfo.err = &err.pub;
    if (setjmp(err.jump)) {
        dp_jpeg_copy_message(message, &err);
        jpeg_destroy_compress(&cinfo);
        free(dest.buffer);
        return DP_JPEG_ERR_LIBJPEG;
    }
    jpeg_create_compress(&cinfo);
    cinfo.dest = &dest.pub;
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_EXT_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * 3u;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * stride);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = dest.buffer;
    *out_size = (unsigned long)(dest.capacity - dest.pub.free_in_buffer);
    return DP_JPEG_OK;
}

static inline void dp_jpeg_free(unsigned char *buffer) { free(buffer); }
