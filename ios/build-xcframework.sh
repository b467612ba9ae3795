#!/usr/bin/env bash
# Builds ios/build/HotlineFFI.xcframework and generates ios/Sources/Hotline/Hotline.swift.
# macOS only (Xcode command-line tools): it cannot run on Linux, where CI only generates the
# Swift sources (bindings/scripts/test-bindings.sh) to prove they still generate.
#
#   ios/build-xcframework.sh            release build
#   PROFILE=debug ios/build-xcframework.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
IOS=$ROOT/ios
PROFILE=${PROFILE:-release}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BUILD=$IOS/build
[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs macOS and Xcode" >&2; exit 1; }

# The phone library as it ships: no test hub, no authority tool, and the release-phone profile
# (fat LTO, one codegen unit, size-optimised, stripped; see Cargo.toml).
flag=(--no-default-features)
dir=debug
[ "$PROFILE" = release ] && { flag+=(--profile release-phone); dir=release-phone; }
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}" >/dev/null
for t in "${targets[@]}"; do
  cargo build -p hotline-ffi --lib --target "$t" "${flag[@]}"
done
lib() { echo "$TARGET_DIR/$1/$dir/libhotline_ffi.a"; }

# The Swift, the C header and the module map, read from the built library (library mode).
gen=$BUILD/generated
rm -rf "$gen" && mkdir -p "$gen" "$IOS/Sources/Hotline"
cargo run -p hotline-uniffi-bindgen -- generate --library "$(lib aarch64-apple-darwin)" \
  --language swift --out-dir "$gen"
cp "$gen/Hotline.swift" "$IOS/Sources/Hotline/Hotline.swift"
headers=$BUILD/headers
rm -rf "$headers" && mkdir -p "$headers"
cp "$gen/hotlineFFI.h" "$headers/"
cp "$gen/hotlineFFI.modulemap" "$headers/module.modulemap"

# One fat library per platform (simulator: arm64 + x86_64; macOS: arm64 + x86_64).
mkdir -p "$BUILD/sim" "$BUILD/macos"
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$BUILD/sim/libhotline_ffi.a"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$BUILD/macos/libhotline_ffi.a"

rm -rf "$BUILD/HotlineFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$(lib aarch64-apple-ios)" -headers "$headers" \
  -library "$BUILD/sim/libhotline_ffi.a" -headers "$headers" \
  -library "$BUILD/macos/libhotline_ffi.a" -headers "$headers" \
  -output "$BUILD/HotlineFFI.xcframework"
echo "built $BUILD/HotlineFFI.xcframework and Sources/Hotline/Hotline.swift"
