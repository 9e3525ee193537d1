#!/usr/bin/env bash
# Regenerates Sources/ONNXSchema/onnx.pb.swift from onnx.proto (the `onnx` Python wheel's copy)
# with protoc and protoc-gen-swift built from swift-protobuf 1.39.0 (the runtime version the
# package uses). Needs: protoc (apt: protobuf-compiler), swift, python3 with `onnx` (or pip).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${TMPDIR:-/tmp}/drivepipe-onnx-proto"
mkdir -p "$work"

# 1. the plugin, built once from swift-protobuf 1.39.0
if [ ! -x "$work/swift-protobuf/.build/release/protoc-gen-swift" ]; then
  if [ ! -d "$work/swift-protobuf" ]; then
    git clone --quiet https://github.com/apple/swift-protobuf.git "$work/swift-protobuf"
  fi
  git -C "$work/swift-protobuf" checkout --quiet 1.39.0
  (cd "$work/swift-protobuf" && swift build -c release --product protoc-gen-swift >&2)
fi
plugin="$work/swift-protobuf/.build/release/protoc-gen-swift"

# 2. onnx.proto from the installed onnx package, or from its wheel
proto_dir="$work/proto"
mkdir -p "$proto_dir"
if src="$(python3 -c 'import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), "onnx.proto"))' 2>/dev/null)" && [ -f "$src" ]; then
  cp "$src" "$proto_dir/onnx.proto"
else
  (cd "$work" && pip download --quiet onnx --no-deps -d wheel && unzip -o -q wheel/onnx-*.whl 'onnx/onnx.proto' -d wheel)
  cp "$work"/wheel/onnx/onnx.proto "$proto_dir/onnx.proto"
fi

# 3. generate (public visibility: the Inference module uses the types)
protoc --plugin="$plugin" --swift_opt=Visibility=Public --swift_out="$root/Sources/ONNXSchema" \
  --proto_path="$proto_dir" "$proto_dir/onnx.proto"
echo "wrote Sources/ONNXSchema/onnx.pb.swift" >&2
