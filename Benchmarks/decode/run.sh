#!/usr/bin/env bash
# JPEG decode benchmark: ImageIO (Swift, in-process) vs libjpeg-turbo's own tjbench and a raw
# TurboJPEG loop (raw_turbojpeg.c), same file, full and half scale, alternating in short rounds
# (this host is shared and noisy); reports median per-round ratios. Not a test. Usage: Benchmarks/decode/run.sh [FILE] [ROUNDS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
FILE="${1:-fixtures/images/jpeg/bench_1280x720.jpg}"
ROUNDS="${2:-9}"
SECONDS_PER_RUN="${3:-1.5}"
command -v tjbench >/dev/null || { echo "tjbench missing: apt-get install -y libjpeg-turbo-progs" >&2; exit 1; }
swift build -c release --product decode-bench >&2
BIN="$(swift build -c release --show-bin-path)"
cc -O2 -Wall Benchmarks/decode/raw_turbojpeg.c -o "$BIN/raw_turbojpeg" -l:libturbojpeg.so.0
exec python3 Benchmarks/decode/compare.py "$BIN/decode-bench" "$BIN/raw_turbojpeg" "$FILE" "$ROUNDS" "$SECONDS_PER_RUN"
