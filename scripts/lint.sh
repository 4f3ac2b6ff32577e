#!/usr/bin/env bash
# clang-tidy (.clang-tidy at the root) over our sources, with the compile commands of a
# configured and built tree (generated headers must exist). Every finding is an error.
#   scripts/lint.sh [build-dir]     default: build
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
mapfile -t files < <(git ls-files 'libs/*.cc' 'services/*.cc' 'services/*.cpp' 'tools/*.cc' 'tests/*.cc')
[ ${#files[@]} -eq 0 ] && exit 0
set +e
out=$(printf '%s\n' "${files[@]}" |
  xargs -P "${ARFLOW_JOBS:-$(nproc)}" -n 4 clang-tidy -p "$build" --quiet 2>&1)
rc=$?
set -e
printf '%s\n' "$out" | grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated|^Suppressed [0-9]+ warnings|^Use -header-filter|^$' || true
if [ $rc -ne 0 ]; then
  echo "clang-tidy found problems (above)" >&2
  exit 1
fi
