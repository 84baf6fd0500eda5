#!/usr/bin/env bash
# Runs source_journal_test against a real journald: the machine's, or one
# started here (tests/lib/journald.sh), stopped again afterwards.
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
  require_root "starting a journald for the journal source test"
fi
# The forged entries are written by python3-systemd (a process whose _COMM is python3).
require "python3-systemd (/usr/bin/python3 -c 'import systemd.journal')" \
  /usr/bin/python3 -c 'import systemd.journal'
journald_start "$work" || { echo "could not get a journald"; exit 1; }
TMPDIR=$work "$binary" --gtest_brief=1
