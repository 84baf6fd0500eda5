#!/usr/bin/env bash
# run_fuzzer.sh FUZZER SECONDS SEED_DIR...: replays the seeds, then mutates for
# SECONDS. New inputs go to a temporary directory, never into the tree; a
# crash reproducer is kept under the build directory and named in the output.
set -euo pipefail
fuzzer=$1 seconds=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts="$(dirname "$fuzzer")/fuzz-artifacts/"
mkdir -p "$artifacts"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts" -print_final_stats=1 "$work" "$@"
