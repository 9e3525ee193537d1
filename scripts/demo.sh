#!/usr/bin/env bash
# Replay the bundled demo drive log with the default pipeline; decisions on stdout (NDJSON).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product drivepipe >&2
exec .build/release/drivepipe run "$@"
