#!/usr/bin/env bash
# Fails when any C file differs from .clang-format's layout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find common sensor correlator appliance tests -name '*.[ch]')
[ ${#files[@]} -eq 0 ] && { echo "no C files"; exit 0; }
clang-format --dry-run --Werror "${files[@]}"
echo "format: ${#files[@]} files clean"
