#!/usr/bin/env bash
# Builds arflow and runs every test: unit, integration (real processes against the embedded
# broker) and end-to-end, first in an optimized build, then again under AddressSanitizer and
# UndefinedBehaviorSanitizer. Installs missing Debian packages first.
#   scripts/test.sh              everything
#   scripts/test.sh --fast       the optimized build only (no sanitizer pass)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
jobs="${ARFLOW_JOBS:-$(nproc)}"
# Paths relative to the checkout, so that a fresh clone (CI) reuses what an earlier one compiled.
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"

echo "== format"
bash scripts/check-format.sh

run_suite() {  # <build dir> <cmake args...>
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  ninja -C "$dir" -j "$jobs"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 900)
}

echo "== optimized build (RelWithDebInfo, warnings are errors)"
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo

echo "== clang-tidy"
bash scripts/lint.sh build

if [[ "${1:-}" != "--fast" ]]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp"
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DARFLOW_SANITIZE=ON
fi
