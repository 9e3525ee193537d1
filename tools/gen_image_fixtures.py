#!/usr/bin/env python3
"""Generate the ImageIO test fixtures under fixtures/images/ (deterministic; rerun to refresh).

What it writes, and the oracle for each:
  jpeg/*.jpg          small real frames (Udacity test_images, MIT) re-encoded small with Pillow in
                      several JPEG flavours (4:2:0, 4:4:4, progressive, grayscale, odd sizes).
                      Oracle: libjpeg-turbo's own `djpeg -rgb [-scale 1/d]` (same library as ours,
                      so exact). Stored as a checksum per scale in manifest.json, plus full PPMs
                      for the main frame at 1/1 and 1/2.
  png/*.png           every PNG kind: 8/16-bit, gray, gray+alpha, palette (1/4/8-bit, tRNS), RGB,
                      RGBA, Adam7-interlaced. Oracle: the RGB8 we expect (PPM), computed here from
                      the exact arrays written; 8-bit opaque kinds are cross-checked against Pillow.
                      Alpha is composited on black; 16-bit samples scale to 8-bit by libpng's rule.
  resize/*.ppm        cv2.resize(INTER_LINEAR / INTER_AREA) of the main frame's djpeg decode.
  hostile/*           broken and hostile files, with hostile/manifest.json naming the error kind
                      each must give (tooShort, unknownFormat, tooManyPixels, decodeFailed).
  shared_oracle.json  checksums of full decodes of ../shared/data frames (djpeg / Pillow), for the
                      tests that run only when that folder exists. No shared data is copied.

Checksum ("poly64"): h = sum((b_i + 1) * P^i) mod 2^64 over the RGB8 bytes, P = 1099511628211,
which numpy computes vectorised and Swift with wrapping arithmetic.

Usage: python3 tools/gen_image_fixtures.py   (needs djpeg, numpy, Pillow, opencv-python-headless)
"""
import io
import json
import os
import random
import struct
import subprocess
import sys
import zlib

import cv2
import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "images")
# ../shared beside the repo, or DRIVEPIPE_SHARED (as tools/train does), e.g. when run from a worktree elsewhere.
SHARED = os.path.join(os.environ.get("DRIVEPIPE_SHARED", os.path.join(os.path.dirname(ROOT), "shared")), "data")
UDACITY = os.path.join(SHARED, "udacity", "test_images")

P = np.uint64(1099511628211)


def poly64(raw: bytes) -> str:
    b = np.frombuffer(raw, dtype=np.uint8).astype(np.uint64) + np.uint64(1)
    powers = np.empty(len(b), dtype=np.uint64)
    powers[0] = 1
    with np.errstate(over="ignore"):
        if len(b) > 1:
            powers[1:] = P
            powers = np.cumprod(powers, dtype=np.uint64)
        h = np.sum(b * powers, dtype=np.uint64)
    return "%016x" % int(h)


def write_ppm(path, rgb: np.ndarray):
    h, w, _ = rgb.shape
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h))
        f.write(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes())


def read_ppm_bytes(data: bytes) -> np.ndarray:
    # djpeg writes "P6\n<w> <h>\n255\n" then the pixels
    parts = data.split(b"\n", 3)
    assert parts[0] == b"P6", parts[0]
    w, h = map(int, parts[1].split())
    return np.frombuffer(parts[3], dtype=np.uint8)[: w * h * 3].reshape(h, w, 3)


def djpeg(path, denom=1, fast=False) -> np.ndarray:
    args = ["djpeg", "-rgb", "-ppm"] + (["-dct", "fast"] if fast else [])
    if denom != 1:
        args += ["-scale", "1/%d" % denom]
    out = subprocess.run(args + [path], check=True, capture_output=True)
    return read_ppm_bytes(out.stdout)


def djpeg_complains(path) -> bool:
    r = subprocess.run(["djpeg", "-rgb", "-ppm", path], capture_output=True)
    return r.returncode != 0 or len(r.stderr) > 0


def load_udacity(name, w, h):
    src = os.path.join(UDACITY, name)
    img = cv2.cvtColor(cv2.imread(src, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)


# ---------------------------------------------------------------- JPEG

def gen_jpeg(manifest):
    d = os.path.join(OUT, "jpeg")
    os.makedirs(d, exist_ok=True)
    frames = [
        # name, source, size, Pillow save kwargs, mode
        ("udacity_test1_320x180_q90.jpg", "test1.jpg", (320, 180), dict(quality=90), "RGB"),
        ("udacity_test4_317x179_q75.jpg", "test4.jpg", (317, 179), dict(quality=75), "RGB"),
        ("udacity_test5_160x90_444.jpg", "test5.jpg", (160, 90), dict(quality=92, subsampling=0), "RGB"),
        ("udacity_straight1_240x136_progressive.jpg", "straight_lines1.jpg", (240, 136),
         dict(quality=85, progressive=True), "RGB"),
        ("udacity_test2_201x113_gray.jpg", "test2.jpg", (201, 113), dict(quality=88), "L"),
        ("udacity_test6_9x7_tiny.jpg", "test6.jpg", (9, 7), dict(quality=95), "RGB"),
        # odd, camera-sized: the pipeline's reduced decode (1/2 → 641x360) must keep the true frame size
        ("udacity_test3_1281x719_q60.jpg", "test3.jpg", (1281, 719), dict(quality=60), "RGB"),
    ]
    entries = []
    for name, src, (w, h), kw, mode in frames:
        rgb = load_udacity(src, w, h)
        im = Image.fromarray(rgb)
        if mode == "L":
            im = im.convert("L")
        path = os.path.join(d, name)
        im.save(path, "JPEG", **kw)
        scales = {}
        for denom in (1, 2, 4, 8):
            ref = djpeg(path, denom)
            scales[str(denom)] = {"width": ref.shape[1], "height": ref.shape[0], "poly64": poly64(ref.tobytes()),
                                  "samples": sample_pixels(ref)}
            if name.startswith("udacity_test1_320x180") and denom in (1, 2):
                write_ppm(os.path.join(d, name.replace(".jpg", "_djpeg_1_%d.ppm" % denom)), ref)
            if name.startswith("udacity_test1_320x180") and denom == 2:   # DecodeOptions.fastDCT
                write_ppm(os.path.join(d, name.replace(".jpg", "_djpeg_fast_1_2.ppm")), djpeg(path, denom, fast=True))
        entries.append({"file": "jpeg/" + name, "scales": scales})
    # The benchmark frame: one real 1280x720 Udacity still, byte for byte (MIT).
    bench = os.path.join(d, "bench_1280x720.jpg")
    with open(os.path.join(UDACITY, "test1.jpg"), "rb") as f, open(bench, "wb") as g:
        g.write(f.read())
    scales = {}
    for denom in (1, 2):
        ref = djpeg(bench, denom)
        scales[str(denom)] = {"width": ref.shape[1], "height": ref.shape[0], "poly64": poly64(ref.tobytes()),
                              "samples": sample_pixels(ref)}
    entries.append({"file": "jpeg/bench_1280x720.jpg", "scales": scales})
    manifest["jpeg"] = entries


def sample_pixels(rgb):
    """A few pixels [x, y, r, g, b] for readable failure messages."""
    h, w, _ = rgb.shape
    pts = [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1), (w // 2, h // 2), (w // 3, 2 * h // 3)]
    return [[x, y] + [int(v) for v in rgb[y, x]] for x, y in pts]


# ---------------------------------------------------------------- PNG

def png_chunk(kind: bytes, data: bytes, crc=None) -> bytes:
    c = zlib.crc32(kind + data) & 0xFFFFFFFF if crc is None else crc
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", c)


SIG = b"\x89PNG\r\n\x1a\n"


def raw_png(width, height, bit_depth, color_type, rows_bytes_fn, interlace=0, plte=None, trns=None):
    """Minimal PNG writer (filter 0) with optional Adam7 interlace; rows_bytes_fn(xs, y) returns the
    packed bytes of the pixels at columns xs of row y."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace)
    raw = bytearray()
    if interlace == 0:
        for y in range(height):
            raw += b"\x00" + rows_bytes_fn(list(range(width)), y)
    else:
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        for x0, y0, dx, dy in passes:
            xs = list(range(x0, width, dx))
            if not xs:
                continue
            for y in range(y0, height, dy):
                raw += b"\x00" + rows_bytes_fn(xs, y)
    out = SIG + png_chunk(b"IHDR", ihdr)
    if plte is not None:
        out += png_chunk(b"PLTE", plte)
    if trns is not None:
        out += png_chunk(b"tRNS", trns)
    out += png_chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + png_chunk(b"IEND", b"")
    return out


def pack_bits(values, bit_depth):
    if bit_depth == 8:
        return bytes(values)
    if bit_depth == 16:
        return b"".join(struct.pack(">H", v) for v in values)
    per = 8 // bit_depth
    out = bytearray()
    for i in range(0, len(values), per):
        byte = 0
        group = values[i:i + per]
        for j, v in enumerate(group):
            byte |= v << (8 - bit_depth * (j + 1))
        out.append(byte)
    return bytes(out)


def scale16(v):
    """libpng's 16 -> 8 bit scaling (png_set_scale_16): round(v * 255 / 65535)."""
    return (np.asarray(v, dtype=np.uint32) * 255 + 32767) // 65535


def over_black(rgb8, alpha8):
    """Alpha composited on black, in 8-bit sRGB: round(c * a / 255)."""
    return ((rgb8.astype(np.uint32) * alpha8.astype(np.uint32)[..., None] + 127) // 255).astype(np.uint8)


def gen_png(manifest):
    d = os.path.join(OUT, "png")
    os.makedirs(d, exist_ok=True)
    W, H = 37, 23  # odd sizes exercise partial Adam7 passes and bit packing
    base = load_udacity("test3.jpg", W, H)  # H x W x 3 uint8
    rng = np.random.default_rng(7)
    alpha = np.tile(np.linspace(0, 255, W).astype(np.uint8), (H, 1))
    alpha[H // 2:, :5] = 0
    alpha[:3, :] = 255
    gray = cv2.cvtColor(base, cv2.COLOR_RGB2GRAY)
    wide = (base.astype(np.uint32) * 257 + rng.integers(0, 257, size=base.shape)).astype(np.uint16)
    wide_gray = (gray.astype(np.uint32) * 257 + rng.integers(0, 257, size=gray.shape)).astype(np.uint16)
    cases = []

    def add(name, data, expected, pillow_check=False):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data)
        write_ppm(path.replace(".png", ".expected.ppm"), expected)
        if pillow_check:
            got = np.asarray(Image.open(path).convert("RGB"))
            assert np.array_equal(got, expected), name + ": Pillow disagrees with the expected pixels"
        cases.append({"file": "png/" + name, "expected": "png/" + name.replace(".png", ".expected.ppm"),
                      "width": W, "height": H})

    def pil_bytes(im, **kw):
        buf = io.BytesIO()
        im.save(buf, "PNG", **kw)
        return buf.getvalue()

    # Pillow-written kinds
    add("rgb8.png", pil_bytes(Image.fromarray(base)), base, pillow_check=True)
    add("gray8.png", pil_bytes(Image.fromarray(gray)), np.repeat(gray[..., None], 3, 2), pillow_check=True)
    rgba = np.dstack([base, alpha])
    add("rgba8.png", pil_bytes(Image.fromarray(rgba)), over_black(base, alpha))
    la = np.dstack([gray, alpha])
    add("gray_alpha8.png", pil_bytes(Image.merge("LA", [Image.fromarray(gray), Image.fromarray(alpha)])),
        np.repeat(over_black(gray[..., None], alpha), 3, 2))
    pal_img = Image.fromarray(base).quantize(colors=200, method=Image.Quantize.MEDIANCUT)
    add("palette8.png", pil_bytes(pal_img), np.asarray(pal_img.convert("RGB")), pillow_check=True)
    pal16 = Image.fromarray(base).quantize(colors=16, method=Image.Quantize.MEDIANCUT)
    add("palette4.png", pil_bytes(pal16, bits=4), np.asarray(pal16.convert("RGB")), pillow_check=True)
    bw = Image.fromarray(((gray > 100) * 255).astype(np.uint8)).convert("1", dither=Image.Dither.NONE)
    add("gray1.png", pil_bytes(bw), np.asarray(bw.convert("RGB")), pillow_check=True)
    add("gray16.png", pil_bytes(Image.fromarray(wide_gray)),
        np.repeat(scale16(wide_gray)[..., None], 3, 2).astype(np.uint8))
    # 16-bit colour kinds (Pillow cannot write them): cv2 writes BGR(A) 16-bit PNGs.
    ok, enc = cv2.imencode(".png", cv2.cvtColor(wide, cv2.COLOR_RGB2BGR))
    add("rgb16.png", enc.tobytes(), scale16(wide).astype(np.uint8))
    alpha16 = (alpha.astype(np.uint32) * 257).astype(np.uint16)
    ok, enc = cv2.imencode(".png", np.dstack([cv2.cvtColor(wide, cv2.COLOR_RGB2BGR), alpha16]))
    add("rgba16.png", enc.tobytes(), over_black(scale16(wide).astype(np.uint8), alpha))

    # Hand-written kinds (Pillow cannot write interlaced PNGs or palettes with tRNS this way).
    def rgb_rows(xs, y):
        return base[y, xs].tobytes()
    add("rgb8_interlaced.png", raw_png(W, H, 8, 2, rgb_rows, interlace=1), base)
    add("gray16_interlaced.png",
        raw_png(W, H, 16, 0, lambda xs, y: pack_bits([int(v) for v in wide_gray[y, xs]], 16), interlace=1),
        np.repeat(scale16(wide_gray)[..., None], 3, 2).astype(np.uint8))
    add("rgba8_interlaced.png", raw_png(W, H, 8, 6, lambda xs, y: rgba[y, xs].tobytes(), interlace=1),
        over_black(base, alpha))
    # palette 2-bit with tRNS: 4 colours, index 3 fully transparent, index 2 half
    palette = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]], dtype=np.uint8)
    idx = (np.arange(W)[None, :] + np.arange(H)[:, None]) % 4
    trns = bytes([255, 255, 128, 0])
    a = np.array([255, 255, 128, 0], dtype=np.uint8)[idx]
    add("palette2_trns.png", raw_png(W, H, 2, 3, lambda xs, y: pack_bits([int(v) for v in idx[y, xs]], 2),
                                     plte=palette.tobytes(), trns=trns),
        over_black(palette[idx], a))
    add("rgb16_interlaced.png",
        raw_png(W, H, 16, 2, lambda xs, y: pack_bits([int(v) for v in wide[y, xs].reshape(-1)], 16), interlace=1),
        scale16(wide).astype(np.uint8))
    rgba_wide = np.dstack([wide, alpha16])
    add("rgba16_interlaced.png",
        raw_png(W, H, 16, 6, lambda xs, y: pack_bits([int(v) for v in rgba_wide[y, xs].reshape(-1)], 16),
                interlace=1),
        over_black(scale16(wide).astype(np.uint8), alpha))
    # Ancillary chunks must not change pixels: gAMA 1.0 (no gamma is applied), and a tEXt chunk
    # with a wrong CRC (libpng warns and skips it).
    rgb8 = pil_bytes(Image.fromarray(base))
    gama = png_chunk(b"gAMA", struct.pack(">I", 100000))
    add("rgb8_gama.png", rgb8[:33] + gama + rgb8[33:], base)
    text = png_chunk(b"tEXt", b"Comment\x00hello", crc=0x12345678)
    add("rgb8_bad_text_crc.png", rgb8[:33] + text + rgb8[33:], base)
    # gray 4-bit, interlaced
    g4 = (gray // 16).astype(np.uint8)
    add("gray4_interlaced.png", raw_png(W, H, 4, 0, lambda xs, y: pack_bits([int(v) for v in g4[y, xs]], 4),
                                         interlace=1),
        np.repeat((g4 * 17)[..., None], 3, 2))
    manifest["png"] = cases


# ---------------------------------------------------------------- resize

def gen_resize(manifest):
    d = os.path.join(OUT, "resize")
    os.makedirs(d, exist_ok=True)
    src = djpeg(os.path.join(OUT, "jpeg", "udacity_test1_320x180_q90.jpg"))
    cases = []
    for method, flag, sizes in [("bilinear", cv2.INTER_LINEAR, [(200, 113), (97, 55), (160, 90), (333, 190)]),
                                ("area", cv2.INTER_AREA, [(80, 45), (128, 72), (61, 37), (160, 90)])]:
        for w, h in sizes:
            out = cv2.resize(src, (w, h), interpolation=flag)
            name = "%s_%dx%d.ppm" % (method, w, h)
            write_ppm(os.path.join(d, name), out)
            cases.append({"method": method, "width": w, "height": h, "expected": "resize/" + name})
    # Upscale a crop with bilinear (a whole-frame upscale would be a big fixture).
    crop = np.ascontiguousarray(src[60:100, 100:160])
    out = cv2.resize(crop, (150, 100), interpolation=cv2.INTER_LINEAR)
    write_ppm(os.path.join(d, "bilinear_crop100_60_60x40_to_150x100.ppm"), out)
    cases.append({"method": "bilinear", "crop": [100, 60, 60, 40], "width": 150, "height": 100,
                  "expected": "resize/bilinear_crop100_60_60x40_to_150x100.ppm"})
    manifest["resize"] = {"source": "jpeg/udacity_test1_320x180_q90.jpg", "cases": cases}


# ---------------------------------------------------------------- hostile corpus

SCAN_BOMB_C = r"""
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <jpeglib.h>
int main(void) {
    struct jpeg_compress_struct c; struct jpeg_error_mgr e;
    static jpeg_scan_info scans[700]; int n = 0;
    scans[n].comps_in_scan = 1; scans[n].component_index[0] = 0; scans[n].Ss = 0; scans[n].Se = 0;
    scans[n].Ah = 0; scans[n].Al = 0; n++;
    for (int k = 1; k < 64; k++) {
        scans[n].comps_in_scan = 1; scans[n].component_index[0] = 0; scans[n].Ss = k; scans[n].Se = k;
        scans[n].Ah = 0; scans[n].Al = 9; n++;
        for (int al = 8; al >= 0; al--) {
            scans[n].comps_in_scan = 1; scans[n].component_index[0] = 0; scans[n].Ss = k; scans[n].Se = k;
            scans[n].Ah = al + 1; scans[n].Al = al; n++;
        }
    }
    unsigned char img[16 * 16];
    for (int i = 0; i < 256; i++) img[i] = (unsigned char)((i * 37) & 255);
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, stdout);
    c.image_width = 16; c.image_height = 16; c.input_components = 1; c.in_color_space = JCS_GRAYSCALE;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 100, TRUE);
    c.scan_info = scans; c.num_scans = n;
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < 16) { JSAMPROW row = img + c.next_scanline * 16; jpeg_write_scanlines(&c, &row, 1); }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    return 0;
}
"""


def scan_bomb_jpeg() -> bytes:
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "bomb.c"), os.path.join(tmp, "bomb")
        with open(src, "w") as f:
            f.write(SCAN_BOMB_C)
        subprocess.run(["cc", "-O1", src, "-o", exe, "-ljpeg"], check=True)
        data = subprocess.run([exe], check=True, capture_output=True).stdout
    assert data.count(b"\xff\xda") > 500, "scan bomb has too few scans"
    return data

def gen_hostile(manifest):
    d = os.path.join(OUT, "hostile")
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    rnd = random.Random(1234)
    jpg = open(os.path.join(OUT, "jpeg", "udacity_test1_320x180_q90.jpg"), "rb").read()
    prog = open(os.path.join(OUT, "jpeg", "udacity_straight1_240x136_progressive.jpg"), "rb").read()
    png = open(os.path.join(OUT, "png", "rgb8.png"), "rb").read()
    cases = {}

    def add(name, data, kind, why):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        if name.endswith(".jpg") and kind == "decodeFailed" and data[:3] == b"\xff\xd8\xff" and "bomb" not in name:
            assert djpeg_complains(os.path.join(d, name)), name + ": djpeg accepts it silently"
        cases[name] = {"error": kind, "why": why}

    sos = jpg.index(b"\xff\xda")
    # --- too short / not an image
    add("empty.jpg", b"", "tooShort", "zero bytes")
    add("one_byte.jpg", b"\xff", "tooShort", "one byte")
    add("soi_only.jpg", b"\xff\xd8\xff", "tooShort", "JPEG SOI and nothing else")
    add("text_named.jpg", b"This is not an image, just some text with a .jpg name.\n", "unknownFormat", "text file")
    gif = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(gif, "GIF")
    add("gif_named.jpg", gif.getvalue(), "unknownFormat", "a GIF named .jpg")
    bmp = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(bmp, "BMP")
    add("bmp_named.png", bmp.getvalue(), "unknownFormat", "a BMP named .png")
    add("random_junk.png", bytes(rnd.randrange(256) for _ in range(4096)), "unknownFormat", "random bytes")
    add("jpeg_no_soi.jpg", jpg[2:], "unknownFormat", "JPEG with the SOI marker stripped")
    add("png_bad_signature.png", b"\x89PNX\r\n\x1a\n" + png[8:], "unknownFormat", "PNG signature off by one byte")
    # --- JPEG structure
    add("jpeg_soi_eoi.jpg", b"\xff\xd8\xff\xd9" + b"\x00" * 8, "decodeFailed", "SOI then EOI, no frame")
    add("jpeg_soi_junk.jpg", b"\xff\xd8\xff" + bytes(rnd.randrange(256) for _ in range(2000)), "decodeFailed",
        "SOI followed by junk")
    add("jpeg_truncated_header.jpg", jpg[: sos // 2], "decodeFailed", "cut inside the header segments")
    add("jpeg_truncated_at_sos.jpg", jpg[: sos + 4], "decodeFailed", "cut inside the SOS header")
    for frac in (10, 50, 90):
        cut = sos + (len(jpg) - sos) * frac // 100
        add("jpeg_truncated_%d.jpg" % frac, jpg[:cut], "decodeFailed", "entropy data cut at %d%%" % frac)
    add("jpeg_no_eoi.jpg", jpg[:-2], "decodeFailed", "EOI marker missing")
    pcut = prog.index(b"\xff\xda") + (len(prog) - prog.index(b"\xff\xda")) * 2 // 3
    add("jpeg_progressive_truncated.jpg", prog[:pcut], "decodeFailed", "progressive JPEG cut after 2/3 of its scans")
    # corrupt Huffman table definition: first DHT's code counts sum > 256
    dht = jpg.index(b"\xff\xc4")
    bad = bytearray(jpg)
    for i in range(16):
        bad[dht + 5 + i] = 0xFF
    add("jpeg_bad_huffman_table.jpg", bytes(bad), "decodeFailed", "DHT with impossible code counts")
    # corrupt entropy-coded data: a run of bytes that decodes to invalid Huffman codes / garbage
    bad = bytearray(jpg)
    start = sos + 200
    for i in range(start, start + 400):
        bad[i] = 0xFF if i % 2 == 0 else 0xD5  # stray RST markers in the middle of data
    add("jpeg_corrupt_entropy.jpg", bytes(bad), "decodeFailed", "entropy data overwritten with bogus markers")
    # reference to an undefined Huffman table in SOS
    bad = bytearray(jpg)
    ns = bad[sos + 4]
    bad[sos + 6] = 0x33  # component 1 uses DC/AC table 3, never defined
    add("jpeg_undefined_huffman_table.jpg", bytes(bad), "decodeFailed", "SOS refers to undefined Huffman tables")
    # SOF with huge and zero dimensions
    sof = jpg.index(b"\xff\xc0")
    bad = bytearray(jpg)
    bad[sof + 5:sof + 9] = struct.pack(">HH", 65000, 65000)
    add("jpeg_65000x65000.jpg", bytes(bad), "tooManyPixels", "header claims 65000x65000 (JPEG maximum is 65535)")
    bad = bytearray(jpg)
    bad[sof + 5:sof + 9] = struct.pack(">HH", 0, 320)
    add("jpeg_zero_height.jpg", bytes(bad), "decodeFailed", "header claims height 0")
    bad = bytearray(jpg)
    bad[sof + 9] = 7
    add("jpeg_bad_component_count.jpg", bytes(bad), "decodeFailed", "SOF claims 7 components")
    # progressive CPU bomb: a valid progression of 1 + 63 bands x 10 successive-approximation levels
    # = 631 scans on a gray image (the decoder refuses more than 500). cjpeg caps scan scripts at
    # 100 scans, so a few lines of C drive libjpeg's compressor with the scan list directly.
    bomb = scan_bomb_jpeg()
    add("jpeg_scan_bomb.jpg", bomb, "decodeFailed", "progressive JPEG with %d scans" % bomb.count(b"\xff\xda"))
    cmyk = io.BytesIO()
    Image.new("CMYK", (16, 16), (0, 128, 255, 10)).save(cmyk, "JPEG")
    add("jpeg_cmyk.jpg", cmyk.getvalue(), "decodeFailed", "CMYK JPEG (no CMYK to RGB conversion in libjpeg)")
    # --- PNG structure
    ihdr_end = 8 + 8 + 13 + 4
    add("png_signature_only.png", png[:8], "decodeFailed", "PNG signature and nothing else")
    add("png_truncated_ihdr.png", png[:20], "decodeFailed", "cut inside IHDR")
    idat = png.index(b"IDAT") - 4
    idat_len = struct.unpack(">I", png[idat:idat + 4])[0]
    add("png_truncated_idat.png", png[: idat + 8 + idat_len // 2], "decodeFailed", "cut inside IDAT")
    add("png_no_iend.png", png[: idat + 12 + idat_len], "decodeFailed", "IEND chunk missing")

    def with_ihdr(w, h, depth, ctype, interlace=0, body=png[ihdr_end:]):
        return SIG + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace)) + body

    add("png_100000x100000.png", with_ihdr(100000, 100000, 8, 2), "tooManyPixels", "IHDR claims 100000x100000")
    add("png_zero_width.png", with_ihdr(0, 23, 8, 2), "decodeFailed", "IHDR width 0")
    add("png_bad_bit_depth.png", with_ihdr(37, 23, 3, 2), "decodeFailed", "IHDR bit depth 3")
    add("png_bad_color_type.png", with_ihdr(37, 23, 8, 7), "decodeFailed", "IHDR colour type 7")
    add("png_bad_interlace.png", with_ihdr(37, 23, 8, 2, interlace=5), "decodeFailed", "IHDR interlace method 5")
    add("png_palette_without_plte.png", with_ihdr(37, 23, 8, 3), "decodeFailed", "palette image with no PLTE")
    bad = bytearray(png)
    bad[29] ^= 0xFF  # IHDR CRC
    add("png_bad_crc_ihdr.png", bytes(bad), "decodeFailed", "IHDR CRC wrong")
    bad = bytearray(png)
    crc_at = idat + 8 + idat_len
    bad[crc_at] ^= 0xFF
    add("png_bad_crc_idat.png", bytes(bad), "decodeFailed", "IDAT CRC wrong")
    junk = bytes(rnd.randrange(256) for _ in range(idat_len))
    add("png_corrupt_zlib.png", png[:idat] + png_chunk(b"IDAT", junk) + png_chunk(b"IEND", b""), "decodeFailed",
        "IDAT holds junk (valid CRC, invalid zlib)")
    add("png_no_idat.png", png[:ihdr_end] + png_chunk(b"IEND", b""), "decodeFailed", "no IDAT at all")
    short = zlib.compress(b"\x00" * 50)
    add("png_short_image_data.png", png[:ihdr_end] + png_chunk(b"IDAT", short) + png_chunk(b"IEND", b""),
        "decodeFailed", "IDAT inflates to too few rows")
    add("png_signature_then_junk.png", SIG + bytes(rnd.randrange(256) for _ in range(500)), "decodeFailed",
        "PNG signature followed by junk")
    manifest["hostile"] = cases


# ---------------------------------------------------------------- shared data oracle

def gen_shared_oracle():
    entries = []
    groups = [("udacity/test_images", "*.jpg", (1, 2)), ("bdd100k-samples", "*.jpg", (1, 2)),
              ("nuscenes-mini", "*.jpg", (1,)), ("kitti-object/image_2", "*.png", (1,))]
    import glob
    for folder, pattern, denoms in groups:
        for path in sorted(glob.glob(os.path.join(SHARED, folder, pattern)))[:13]:
            rel = os.path.relpath(path, SHARED)
            if path.endswith(".png"):
                rgb = np.asarray(Image.open(path).convert("RGB"))
                entries.append({"file": rel, "scale": 1, "width": rgb.shape[1], "height": rgb.shape[0],
                                "poly64": poly64(rgb.tobytes())})
            else:
                for dn in denoms:
                    rgb = djpeg(path, dn)
                    entries.append({"file": rel, "scale": dn, "width": rgb.shape[1], "height": rgb.shape[0],
                                    "poly64": poly64(rgb.tobytes())})
    with open(os.path.join(OUT, "shared_oracle.json"), "w") as f:
        json.dump({"root": "../shared/data", "entries": entries}, f, indent=1)
        f.write("\n")


def main():
    if not os.path.isdir(UDACITY):
        sys.exit("need %s for the source frames" % UDACITY)
    os.makedirs(OUT, exist_ok=True)
    manifest = {"checksum": "poly64: sum((b_i+1) * 1099511628211^i) mod 2^64 over RGB8 bytes"}
    gen_jpeg(manifest)
    gen_png(manifest)
    gen_resize(manifest)
    gen_hostile(manifest)
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    gen_shared_oracle()
    print("fixtures written to", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
