#!/usr/bin/env bash
# Runs journal_test against a real journald: the machine's, or one started
# here (tests/lib/journald.sh), stopped again afterwards.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib=$here/../../lib
source "$lib/require.sh"
source "$lib/journald.sh"
binary=$1
work=$(mktemp -d)
cleanup() { journald_stop; rm -rf "$work"; }
trap cleanup EXIT
if ! journald_answers; then
  require_root "starting a journald for the journal round-trip test"
fi
journald_start "$work" || { echo "could not get a journald"; exit 1; }
"$binary" --gtest_brief=1
