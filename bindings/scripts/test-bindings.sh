#!/usr/bin/env bash
# The binding suites: builds hotline-ffi once (debug, the target dir cargo test uses), generates
# Kotlin, Python and Swift from it in library mode into target/bindings/ (never committed), then
# runs the Kotlin JVM suite (android/src/test) and the pytest suite (bindings/python/tests)
# against that one host library. Installs what it needs (install-test-tools.sh).
#
#   bindings/scripts/test-bindings.sh            everything
#   bindings/scripts/test-bindings.sh kotlin     only the Kotlin suite (python: only pytest)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$TARGET/bindings
ONLY=${1:-all}

step() { printf '\n==> %s\n' "$*"; }
case "$(uname -s)" in
  Darwin) LIB=$TARGET/debug/libhotline_ffi.dylib ;;
  *) LIB=$TARGET/debug/libhotline_ffi.so ;;
esac

step "bindings: install test tools (kotlinc, JNA, pytest) if missing"
bindings/scripts/install-test-tools.sh
KOTLIN_HOME=$TARGET/tools/npm/node_modules/kotlin-compiler

step "bindings: build hotline-ffi and uniffi-bindgen, generate Kotlin, Python, Swift"
# The suites stand up their city with the test tools (`test-hub`), which a phone build leaves out.
cargo build --quiet -p hotline-ffi --features test-hub -p hotline-uniffi-bindgen
for lang in kotlin python swift; do
  rm -rf "${OUT:?}/$lang"
  "$TARGET/debug/uniffi-bindgen" generate --no-format --library "$LIB" --language "$lang" \
    --out-dir "$OUT/$lang" >/dev/null
done
# iOS cannot be built here; at least its generated sources must exist and name the device.
for f in Hotline.swift hotlineFFI.h hotlineFFI.modulemap; do
  [ -s "$OUT/swift/$f" ] || { echo "swift generation did not produce $f" >&2; exit 1; }
done
grep -q 'class HotlineDevice' "$OUT/swift/Hotline.swift"
echo "generated: $(cd "$OUT" && find kotlin python swift -type f | sort | tr '\n' ' ')"

status=0

if [ "$ONLY" = all ] || [ "$ONLY" = kotlin ]; then
  step "bindings: Kotlin JVM suite (android/src/test)"
  lib=$KOTLIN_HOME/lib
  cp="/usr/share/java/jna.jar:$lib/kotlinx-coroutines-core-jvm.jar:$lib/kotlin-test.jar"
  classes=$OUT/kotlin-classes
  mapfile -t sources < <(find "$OUT/kotlin" android/src/test/kotlin -name '*.kt' | sort)
  # kotlinc is the slow part: skip it when neither the generated nor the test sources changed.
  stamp=$(cat "$KOTLIN_HOME/build.txt" "${sources[@]}" | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$classes.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$classes" "$classes.stamp"
    JAVA_OPTS="-Xss4m" "$KOTLIN_HOME/bin/kotlinc" -nowarn -jvm-target 17 -cp "$cp" \
      -d "$classes" "${sources[@]}"
    echo "$stamp" >"$classes.stamp"
  else
    echo "(compiled classes are up to date)"
  fi
  java -Djna.library.path="$TARGET/debug" -Djna.nosys=false \
    -cp "$classes:$cp:$lib/kotlin-stdlib.jar" hotline.test.RunnerKt || status=1
fi

if [ "$ONLY" = all ] || [ "$ONLY" = python ]; then
  step "bindings: Python suite (bindings/python/tests)"
  ln -sf "$LIB" "$OUT/python/"  # uniffi loads the library from beside hotline.py
  PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$OUT/python" python3 -m pytest -q -p no:cacheprovider bindings/python/tests || status=1
fi

exit $status
