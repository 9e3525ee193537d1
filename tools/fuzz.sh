#!/usr/bin/env bash
# Fuzz DrivePipe's input parsers with libFuzzer for a bounded time each.
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      targets: image config drivelog onnx
# Seeds come from the committed fixtures; new crashers land in out/fuzz/<target>/crashes/ (once
# fixed, keep them under fixtures/fuzz/<target>/: tests replay them).
# Prints one summary line per target: executions, crashes.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}; shift || true
targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(image config drivelog onnx)
scripts/setup.sh
scratch=.build-fuzz
swift build -c release --scratch-path "$scratch" --product drivepipe-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >&2 || exit 1
bin="$scratch/release/drivepipe-fuzz"
status=0
for t in "${targets[@]}"; do
  out=out/fuzz/$t; mkdir -p "$out/corpus" "$out/crashes"
  case $t in
    image)    seeds=(fixtures/images) ;;
    config)   seeds=(pipelines) ;;
    drivelog) seeds=(fixtures/logs) ; find fixtures/logs -name log.jsonl -exec cp {} "$out/corpus/" \; ; seeds=() ;;
    onnx)     seeds=(fixtures/onnx fixtures/fuzz/onnx) ;;
  esac
  log="$out/fuzz.log"
  DRIVEPIPE_FUZZ_TARGET=$t timeout $((secs + 60)) "$bin" "$out/corpus" "${seeds[@]}" \
    -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$out/crashes/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(find "$out/crashes" -type f | wc -l)
  echo "fuzz $t: ${execs:-?} executions in ${secs}s, $crashes crash files, exit $rc (log $log)"
  [ "$crashes" -gt 0 ] && status=1
done
exit $status
