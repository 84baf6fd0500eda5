#!/usr/bin/python3
"""Checks jail.d/sipguard.conf as Debian's fail2ban reads it.

Builds a fail2ban configuration directory from the system's (/etc/fail2ban:
jail.conf, paths-*.conf, action.d) with the system's jail.d replaced by the
shipped jail.d/sipguard.conf and the shipped filters, then runs
`fail2ban-client -c DIR -d` (parse and dump, no server) twice:
  1. as shipped: no sipguard jail may start (all are disabled);
  2. with a sipguard.local enabling every jail: each must load without error,
     with the documented defaults (systemd backend, nftables dropping UDP
     and TCP 5060/5061, bantime.increment), and the agent's jail without a
     filter.
Usage: check_jails.py --filters DIR --jails DIR [--etc /etc/fail2ban]
"""

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile

LOG_JAILS = {
    "sipguard-proxy": "sipguard-proxy",
    "sipguard-opensips": "sipguard-opensips",
    "sipguard-opensips-safe": "sipguard-opensips-safe",
    "sipguard-kamailio": "sipguard-kamailio",
    "sipguard-kamailio-safe": "sipguard-kamailio-safe",
}
AGENT_JAIL = "sipguard-agent"


def dump(confdir):
    p = subprocess.run(["fail2ban-client", "-c", confdir, "-d"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, encoding="utf-8", timeout=120)
    cmds = []
    for line in p.stdout.splitlines():
        if line.startswith("["):
            cmds.append(ast.literal_eval(line))
    return p, cmds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--filters", required=True)
    ap.add_argument("--jails", required=True)
    ap.add_argument("--etc", default="/etc/fail2ban")
    args = ap.parse_args()
    if not shutil.which("fail2ban-client") or not os.path.isfile(os.path.join(args.etc, "jail.conf")):
        # Same convention as tests/lib/require.sh.
        strict = os.environ.get("SIPGUARD_STRICT_TESTS") == "1"
        print("%s: requirement missing: fail2ban-client and %s/jail.conf (package fail2ban; "
              "bash .ci/deps)" % ("FAIL" if strict else "SKIP", args.etc), file=sys.stderr)
        return 1 if strict else 77
    problems = []
    with tempfile.TemporaryDirectory(prefix="sipguard-f2b-jails.") as tmp:
        conf = os.path.join(tmp, "fail2ban")
        shutil.copytree(args.etc, conf, symlinks=True)
        shutil.rmtree(os.path.join(conf, "jail.d"))
        os.mkdir(os.path.join(conf, "jail.d"))
        for f in os.listdir(args.jails):
            if f.endswith(".conf"):
                shutil.copy(os.path.join(args.jails, f), os.path.join(conf, "jail.d"))
        for f in os.listdir(args.filters):
            if f.endswith(".conf"):
                shutil.copy(os.path.join(args.filters, f), os.path.join(conf, "filter.d"))

        # 1. As shipped.
        p, cmds = dump(conf)
        if p.returncode != 0:
            problems.append("fail2ban-client -d failed on the shipped jails:\n" + p.stderr)
        started = [c[1] for c in cmds if c[0] == "start"]
        for j in started:
            if j.startswith("sipguard"):
                problems.append("jail %s is enabled as shipped (must be disabled)" % j)

        # 2. Everything enabled.
        with open(os.path.join(conf, "jail.d", "sipguard.local"), "w") as f:
            for j in list(LOG_JAILS) + [AGENT_JAIL]:
                f.write("[%s]\nenabled = true\n\n" % j)
        p, cmds = dump(conf)
        if p.returncode != 0 or "ERROR" in p.stderr:
            problems.append("fail2ban-client -d failed with all sipguard jails enabled:\n" + p.stderr)
        for j in list(LOG_JAILS) + [AGENT_JAIL]:
            mine = [c for c in cmds if len(c) > 1 and c[1] == j]
            if ["start", j] not in mine:
                problems.append("jail %s does not start when enabled" % j)
                continue
            sets = {c[2]: c[3:] for c in mine if c[0] == "set" and len(c) > 3}
            backend = [c[2] for c in mine if c[0] == "add"]
            actions = [c for c in mine if c[0] == "multi-set" and c[2] == "action"]
            if not actions:
                problems.append("jail %s has no action" % j)
            else:
                opts = dict(actions[0][4])
                for k, want in (("port", "5060,5061"), ("protocol", "udp,tcp"),
                                ("blocktype", "drop"), ("actname", "nftables")):
                    if opts.get(k) != want:
                        problems.append("jail %s: action %s = %r, want %r" % (j, k, opts.get(k), want))
                if "drop" not in opts.get("actionstart", ""):
                    problems.append("jail %s: nftables rule does not drop" % j)
            if j in LOG_JAILS:
                if backend != ["systemd"]:
                    problems.append("jail %s: backend %r, want systemd" % (j, backend))
                if "addjournalmatch" not in sets:
                    problems.append("jail %s: no journalmatch" % j)
                if sets.get("bantime.increment") != [True]:
                    problems.append("jail %s: bantime.increment is not true" % j)
                if not any(c[0] == "multi-set" and c[2] == "addfailregex" for c in mine):
                    problems.append("jail %s: no failregex (filter %s not read?)" % (j, LOG_JAILS[j]))
            else:
                if any(c[0] == "multi-set" and c[2] == "addfailregex" for c in mine):
                    problems.append("jail %s must have no failregex" % j)
    for p in problems:
        print("FAIL: " + p)
    print("fail2ban jails: %d problem(s)" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
