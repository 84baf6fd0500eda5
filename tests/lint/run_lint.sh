#!/usr/bin/env bash
# run_lint.sh SOURCE_DIR BUILD_DIR: the code follows .clang-format and the
# curated .clang-tidy. Product code only (proxy/, agent/); tests follow the
# format but are not tidied (gtest macros trip many checks by design).
set -euo pipefail
src=$1 build=$2
cd "$src"
mapfile -t all < <(git ls-files '*.cc' '*.h' 2>/dev/null || find proxy agent tests -name '*.cc' -o -name '*.h')
fail=0
if ! clang-format --dry-run --Werror "${all[@]}"; then
  echo "lint: clang-format would change the files above (run: clang-format -i FILE)"
  fail=1
fi
mapfile -t product < <(printf '%s\n' "${all[@]}" | grep -E '^(proxy|agent)/.*\.cc$')
out=$(printf '%s\n' "${product[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet 2>/dev/null || true)
if grep -q 'warning:\|error:' <<<"$out"; then
  grep -A3 'warning:\|error:' <<<"$out"
  echo "lint: clang-tidy findings above"
  fail=1
fi
[[ $fail -eq 0 ]] && echo "lint: ${#all[@]} files formatted, ${#product[@]} product files tidy"
exit $fail
