#!/usr/bin/env bash
# The binding suites: builds hotline-ffi once (debug, the target dir cargo test uses), generates
# Kotlin, Python and Swift from it in library mode into target/bindings/ (never committed), then
# runs the Kotlin JVM suite (android/src/test) and the pytest suite (bindings/python/tests)
# against that one host library, each in a city of either crypto suite. Installs what it needs (install-test-tools.sh).
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
LIB_DIR=$TARGET/debug
case "$(uname -s)" in
  Darwin) LIB=$LIB_DIR/libhotline_ffi.dylib ;;
  *) LIB=$LIB_DIR/libhotline_ffi.so ;;
esac

step "bindings: install test tools (kotlinc, JNA, pytest) if missing"
bindings/scripts/install-test-tools.sh
KOTLIN_HOME=$TARGET/tools/npm/node_modules/kotlin-compiler

step "bindings: build hotline-ffi and uniffi-bindgen, generate Kotlin, Python, Swift"
# The suites stand up their city with the test tools (`test-hub`), which a phone build leaves out.
# Built together: taking the test build's library and building the bindgen alone was measured
# slower on a cold target (uniffi_bindgen compiled again under its own feature resolution).
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
grep -q 'class TestHub' "$OUT/swift/Hotline.swift"
echo "generated: $(cd "$OUT" && find kotlin python swift -type f | sort | tr '\n' ' ')"

status=0
# Both suites run in each language: every test city once with ed25519 and once with the
# national algorithms (SM2, SM3, SM4); HOTLINE_TEST_CRYPTOS narrows it (e.g. to "sm").
SUITES=${HOTLINE_TEST_CRYPTOS:-ed25519 sm}

if [ "$ONLY" = all ] || [ "$ONLY" = kotlin ]; then
  step "bindings: Kotlin JVM suite (android/src/test)"
  lib=$KOTLIN_HOME/lib
  cp="/usr/share/java/jna.jar:/usr/share/java/bcprov.jar:$lib/kotlinx-coroutines-core-jvm.jar:$lib/kotlin-test.jar"
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
  for suite in $SUITES; do
    echo "-- Kotlin suite in a city of the $suite crypto suite"
    HOTLINE_TEST_CRYPTO=$suite java -Djna.library.path="$LIB_DIR" -Djna.nosys=false \
      -cp "$classes:$cp:$lib/kotlin-stdlib.jar" hotline.test.RunnerKt || status=1
  done
fi

if [ "$ONLY" = all ] || [ "$ONLY" = python ]; then
  step "bindings: Python suite (bindings/python/tests)"
  ln -sf "$LIB" "$OUT/python/"  # uniffi loads the library from beside hotline.py
  for suite in $SUITES; do
    echo "-- Python suite in a city of the $suite crypto suite"
    HOTLINE_TEST_CRYPTO=$suite PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$OUT/python" \
      python3 -m pytest -q -p no:cacheprovider bindings/python/tests || status=1
  done
fi

exit $status
