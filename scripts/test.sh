#!/usr/bin/env bash
# Run the whole test suite (installs missing system libraries first).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests "$@" >&2
swift test --skip-build "$@"
