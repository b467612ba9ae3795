#!/usr/bin/env bash
# Installs what the Kotlin and Python binding suites need, once, quietly; prints the paths the
# test script uses. Safe to run again and again: anything already present is left alone.
#
#   kotlinc (+ kotlin-stdlib, kotlin-test, kotlinx-coroutines): npm package kotlin-compiler,
#            into target/tools/npm (Debian's `kotlin` is too old for uniffi's output)
#   JNA:     Debian package libjna-java (/usr/share/java/jna.jar)
#   SM2:     Debian package libbcprov-java (BouncyCastle, the JVM's app-held SM2 key in tests)
#   Java:    the machine's JDK 17 (Debian openjdk-17-jdk-headless if missing)
#   Python:  pip packages pytest, cryptography (Ed25519) and gmssl (SM2) for the app-held key
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
TOOLS=$TARGET/tools
KOTLIN_VERSION=2.4.20

# Runs a command silently; on failure shows what it printed.
quiet() {
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

APT_UPDATED=
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if ! quiet apt-get install -y -qq --no-install-recommends "$@"; then
    [ -n "$APT_UPDATED" ] || { quiet apt-get update -qq; APT_UPDATED=1; }
    quiet apt-get install -y -qq --no-install-recommends "$@"
  fi
}

if ! command -v javac >/dev/null 2>&1; then
  apt_install openjdk-17-jdk-headless
fi

if [ ! -f /usr/share/java/jna.jar ]; then
  apt_install libjna-java
fi

if [ ! -f /usr/share/java/bcprov.jar ]; then
  apt_install libbcprov-java
fi

KOTLIN_HOME=$TOOLS/npm/node_modules/kotlin-compiler
if [ ! -x "$KOTLIN_HOME/bin/kotlinc" ] || ! grep -qx "$KOTLIN_VERSION" "$KOTLIN_HOME/build.txt" 2>/dev/null; then
  mkdir -p "$TOOLS/npm"
  quiet npm install --prefix "$TOOLS/npm" --no-audit --no-fund --no-save --loglevel=error \
    "kotlin-compiler@$KOTLIN_VERSION"
fi

if ! python3 -c 'import pytest, cryptography, gmssl' >/dev/null 2>&1; then
  quiet python3 -m pip install -q --disable-pip-version-check pytest cryptography gmssl
fi
