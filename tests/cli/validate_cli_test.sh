#!/usr/bin/env bash
# The sipguard-proxy validate contract, run against the real binary:
# output lines, --json, exit codes 0/1/2, clear errors on bad input.
set -uo pipefail
proxy=$1 fx=$2
fails=0 passes=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() {  # expect NAME WANT_RC REGEX -- ARGS...
  local name=$1 want=$2 regex=$3
  shift 4
  local out rc
  out=$("$proxy" "$@" 2>&1)
  rc=$?
  if [[ $rc -ne $want ]] || ! grep -qE -- "$regex" <<<"$out"; then
    echo "FAIL $name: rc=$rc (want $want), output:"
    sed 's/^/    /' <<<"$out"
    echo "    (wanted to match: $regex)"
    fails=$((fails + 1))
  else
    echo "ok   $name"
    passes=$((passes + 1))
  fi
}

valid=$fx/valid/invite-with-sdp.sip
invalid=$fx/bad-via/empty-params.sip
expect all-valid 0 "^$valid: ok$" -- validate "$valid" "$fx/valid/options.sip"
expect one-invalid 1 "^$invalid: invalid 400 malformed Via: bad Via parameter \(Via\)$" -- \
  validate "$valid" "$invalid"
expect drop-verdict 1 ": invalid drop unparsable header line$" -- \
  validate "$fx/bad-header-line/missing-colon.sip"
expect missing-file 2 "sipguard-proxy: $tmp/nope.sip: No such file or directory" -- \
  validate "$valid" "$tmp/nope.sip"
expect missing-file-still-reports-others 2 "^$valid: ok$" -- validate "$valid" "$tmp/nope.sip"
expect directory 2 "sipguard-proxy: $fx: " -- validate "$fx"
expect no-files 2 "files is required" -- validate
expect no-listen 2 "no listen endpoint: give --listen" --
expect bad-transport 2 "--transport" -- validate --transport sctp "$valid"
expect unknown-option 2 "--bogus" -- validate --bogus "$valid"
head -c 3000000 /dev/zero >"$tmp/huge.sip"
expect too-large 2 "huge.sip: larger than" -- validate "$tmp/huge.sip"
expect tcp-framing 1 "no Content-Length on a stream transport" -- \
  validate --transport tcp "$fx/valid/no-content-length-datagram.sip"
expect json-valid 0 '^\[$' -- validate --json "$valid"
expect json-fields 1 '"check":"bad-via","retcode":-255' -- validate --json "$invalid"
expect json-status 1 '"valid":false,"action":"reply","status":400' -- validate --json "$invalid"
expect version 0 '^sipguard-proxy [0-9]+\.[0-9]+\.[0-9]+$' -- --version

# stdin, bytes exact
out=$("$proxy" validate - <"$invalid")
if [[ $? -eq 1 && $out == "-: invalid 400"* ]]; then
  echo "ok   stdin"
  passes=$((passes + 1))
else
  echo "FAIL stdin: $out"
  fails=$((fails + 1))
fi

# JSON is well-formed (python3 parses it) and lists every file
json=$("$proxy" validate --json "$valid" "$invalid")
if python3 -c '
import json, sys
v = json.load(sys.stdin)
assert [x["valid"] for x in v] == [True, False], v
assert v[1]["status"] == 400 and v[1]["header"] == "Via", v
' <<<"$json"; then
  echo "ok   json-parses"
  passes=$((passes + 1))
else
  echo "FAIL json-parses: $json"
  fails=$((fails + 1))
fi

echo "$passes passed, $fails failed"
[[ $fails -eq 0 ]]
