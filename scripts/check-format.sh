#!/usr/bin/env bash
# Fails when a C++ file of ours is not formatted as .clang-format says.
#   scripts/check-format.sh --fix   formats them in place
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h' '*.cpp' '*.hpp')
[ ${#files[@]} -eq 0 ] && exit 0
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
else
  clang-format --dry-run --Werror "${files[@]}"
fi
