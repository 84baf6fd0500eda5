# shellcheck shell=bash
# Requirements of script tests (root, commands, kernel features).
#
#   source tests/lib/require.sh
#   require "root" test "$(id -u)" -eq 0
#   require_cmd nft ip fail2ban-server
#
# A missing requirement prints why and exits 77, which CTest reports as
# "skipped" (SKIP_RETURN_CODE 77) on a developer machine. With
# SIPGUARD_STRICT_TESTS=1 (CI sets it) it exits 1 instead: CI skips nothing.
# The exit runs the caller's EXIT trap, so set the trap before requiring
# things that are created on the way.

# skip_or_fail REASON...: the exit for a missing requirement.
skip_or_fail() {
  if [[ ${SIPGUARD_STRICT_TESTS:-0} == 1 ]]; then
    echo "FAIL: requirement missing: $* (SIPGUARD_STRICT_TESTS=1: no skips)" >&2
    exit 1
  fi
  echo "SKIP: requirement missing: $*" >&2
  exit 77
}

# require WHAT COMMAND...: runs COMMAND (output hidden); if it fails, the
# requirement WHAT is missing.
require() {
  local what=$1
  shift
  "$@" >/dev/null 2>&1 || skip_or_fail "$what"
}

require_root() {
  [[ $(id -u) -eq 0 ]] || skip_or_fail "root (this test creates network namespaces and firewall rules)"
}

# require_cmd NAME...: each NAME is an executable in PATH or an absolute path.
require_cmd() {
  local c
  for c in "$@"; do
    if [[ $c == /* ]]; then
      [[ -x $c ]] || skip_or_fail "$c (not installed; bash .ci/deps installs the test packages)"
    else
      command -v "$c" >/dev/null 2>&1 ||
        skip_or_fail "command $c (not installed; bash .ci/deps installs the test packages)"
    fi
  done
}

# require_python_module PYTHON MODULE...
require_python_module() {
  local py=$1 m
  shift
  for m in "$@"; do
    "$py" -c "import $m" >/dev/null 2>&1 || skip_or_fail "python module $m for $py"
  done
}

# require_netns: network namespaces and veth pairs can be created, and
# nftables works inside a namespace (probed in a throw-away namespace).
require_netns() {
  local ns=sgprobe-$$-$RANDOM ok=1
  ip netns add "$ns" >/dev/null 2>&1 || skip_or_fail "network namespaces (ip netns add failed)"
  ip link add sgprobe0 netns "$ns" type veth peer name sgprobe1 netns "$ns" >/dev/null 2>&1 || ok=0
  if ((ok)); then
    ip netns exec "$ns" nft add table inet sgprobe >/dev/null 2>&1 || ok=2
  fi
  ip netns delete "$ns" >/dev/null 2>&1
  case $ok in
    0) skip_or_fail "veth pairs in a network namespace (kernel module veth)" ;;
    2) skip_or_fail "nftables in a network namespace (kernel module nf_tables)" ;;
  esac
}
