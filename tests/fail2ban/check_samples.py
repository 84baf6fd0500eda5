#!/usr/bin/python3
"""Checks every shipped fail2ban filter against its annotated sample log.

Sample files live in tests/fail2ban/samples/<filter-name> and use the format
of fail2ban's own tests (fail2ban/tests/files/logs):

  # filterOptions: {"logtype": "journal"}     options for the lines below
  # failJSON: { "time": "2026-11-24T10:00:00.123456", "match": true , "host": "198.51.100.7" }
  <log line>
  # failJSON: { "match": false, "desc": "why it must not match" }
  <log line>

Every log line must be annotated. "time" is UTC (fail2ban-regex runs with
TZ=UTC, so a date without a zone is read as UTC) and compared to the second
(fail2ban-regex reports whole seconds); it is not checked for
"logtype": "journal" blocks, whose lines carry no date (the systemd backend
takes the time from the journal entry). For a syslog date without a year
only month, day and time are compared.

For each block the script runs the real `fail2ban-regex` twice over the
block's lines:
  1. with --out '<ip>\t<time>\t<msg>' to get, per matched line, the address
     and time, compared line by line with the annotations;
  2. with -v (statistics) to check that no line was matched by two failregex
     and, over the whole sample file, that every failregex matched at least
     one line (a regex without a sample is an untested regex).
Any difference is printed as a diff (expected vs. fail2ban-regex) and the
script exits 1. Usage:
  check_samples.py --filters DIR --samples DIR [FILTER...]
"""

import argparse
import calendar
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ANNOTATION_RE = re.compile(r"^#+ ?(failJSON|filterOptions):(.+)$")
YEAR_FIRST_RE = re.compile(r"^\d{4}-")


class Line:
    def __init__(self, path, lineno, text, expect):
        self.path = path
        self.lineno = lineno
        self.text = text
        self.expect = expect

    def where(self):
        return "%s:%d" % (self.path, self.lineno)


class Block:
    def __init__(self, options, lineno):
        self.options = options  # dict of filter options, may be empty
        self.lineno = lineno
        self.lines = []


def parse_sample(path):
    """Returns (blocks, errors)."""
    blocks = [Block({}, 0)]
    errors = []
    pending = None
    with open(path, encoding="utf-8") as f:
        raw = f.read().split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    for lineno, text in enumerate(raw, 1):
        text = text.rstrip("\r")
        m = ANNOTATION_RE.match(text)
        if m:
            try:
                data = json.loads(m.group(2))
            except ValueError as e:
                errors.append("%s:%d: bad JSON in %s: %s" % (path, lineno, m.group(1), e))
                continue
            if m.group(1) == "filterOptions":
                if pending is not None:
                    errors.append("%s:%d: failJSON not followed by a log line" % (path, pending[1]))
                    pending = None
                if not isinstance(data, dict):
                    errors.append("%s:%d: filterOptions must be one JSON object" % (path, lineno))
                    continue
                blocks.append(Block(data, lineno))
            else:
                if pending is not None:
                    errors.append("%s:%d: failJSON not followed by a log line" % (path, pending[1]))
                if not isinstance(data, dict) or not isinstance(data.get("match"), bool):
                    errors.append("%s:%d: failJSON needs \"match\": true|false" % (path, lineno))
                    pending = None
                    continue
                if data["match"] and not data.get("host"):
                    errors.append("%s:%d: failJSON with \"match\": true needs \"host\"" % (path, lineno))
                pending = (data, lineno)
            continue
        if pending is None and (text.startswith("#") or not text.strip()):
            continue  # comment or blank line
        if pending is None:
            errors.append("%s:%d: log line without a failJSON annotation: %r" % (path, lineno, text))
            continue
        if text.startswith("#") or not text.strip():
            errors.append("%s:%d: a failJSON must be followed by a log line, not a comment/blank "
                          "(fail2ban-regex skips those)" % (path, lineno))
            pending = None
            continue
        blocks[-1].lines.append(Line(path, lineno, text, pending[0]))
        pending = None
    if pending is not None:
        errors.append("%s:%d: failJSON at end of file" % (path, pending[1]))
    blocks = [b for b in blocks if b.lines]
    for b in blocks:
        seen = {}
        for ln in b.lines:
            if ln.text in seen:
                errors.append("%s: duplicate of line %d in the same block (lines must be unique "
                              "to be told apart)" % (ln.where(), seen[ln.text]))
            seen[ln.text] = ln.lineno
    return blocks, errors


def filter_spec(name, options):
    opts = ["%s=%s" % (k, json.dumps(v) if not isinstance(v, str) else v)
            for k, v in sorted(options.items()) if not k.startswith("test.")]
    return name + ("[%s]" % ", ".join(opts) if opts else "")


def run_regex(f2b_regex, confdir, logfile, spec, extra):
    env = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
    cmd = [f2b_regex, "-c", confdir, "-e", "UTF-8", "--usedns=no"] + extra + [logfile, spec]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, encoding="utf-8", errors="replace", timeout=120)
    return cmd, p


def expected_time(line):
    t = line.expect.get("time")
    if t is None:
        return None
    try:
        dt = datetime.datetime.fromisoformat(t)
    except ValueError:
        raise ValueError("%s: bad failJSON time %r" % (line.where(), t))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt


def same_time(line, expect_dt, got_epoch):
    got = datetime.datetime.fromtimestamp(got_epoch, datetime.timezone.utc)
    if not YEAR_FIRST_RE.match(line.text.lstrip()):
        # syslog date without a year: fail2ban guesses the year.
        got = got.replace(year=expect_dt.astimezone(datetime.timezone.utc).year)
    # fail2ban-regex reports the time in whole seconds.
    return int(got.timestamp()) == int(expect_dt.timestamp())


def describe(match, host=None, when=None):
    if not match:
        return "no match"
    s = "match host=%s" % host
    if when is not None:
        s += " time=%s" % when
    return s


def check_filter(name, sample_path, confdir, f2b_regex, tmpdir, filter_regex_count):
    """Returns (checked_lines, problems)."""
    problems = []
    blocks, errors = parse_sample(sample_path)
    problems.extend(errors)
    if not blocks:
        problems.append("%s: no annotated lines" % sample_path)
        return 0, problems
    checked = 0
    regex_hits = {}
    for bi, block in enumerate(blocks):
        journal = block.options.get("logtype") == "journal"
        spec = filter_spec(name, block.options)
        logfile = os.path.join(tmpdir, "%s.%d.log" % (name, bi))
        with open(logfile, "w", encoding="utf-8") as f:
            for ln in block.lines:
                f.write(ln.text + "\n")

        # 1. Per line: address and time of every match.
        cmd, p = run_regex(f2b_regex, confdir, logfile, spec, ["--out", "<ip>\t<time>\t<msg>"])
        if p.returncode != 0 or "ERROR" in p.stderr:
            problems.append("%s: `%s` failed (exit %d):\n%s%s" % (
                sample_path, " ".join(cmd), p.returncode, p.stdout, p.stderr))
            continue
        got = {}
        for out in p.stdout.split("\n"):
            if not out:
                continue
            parts = out.split("\t", 2)
            if len(parts) != 3:
                problems.append("%s: unexpected fail2ban-regex output line %r" % (sample_path, out))
                continue
            got.setdefault(parts[2], []).append((parts[0], float(parts[1])))
        by_text = {ln.text: ln for ln in block.lines}
        for text in got:
            if text not in by_text:
                problems.append("%s: fail2ban-regex reported a match on a line not in the sample: %r"
                                % (sample_path, text))
        for ln in block.lines:
            checked += 1
            exp = ln.expect
            res = got.get(ln.text, [])
            exp_dt = None if journal else expected_time(ln)
            exp_desc = describe(exp["match"], exp.get("host"),
                                exp_dt.strftime("%Y-%m-%dT%H:%M:%S.%f") if exp_dt else None)
            if len(res) > 1:
                got_desc = "%d matches: %s" % (len(res), ", ".join(h for h, _ in res))
            elif res:
                got_desc = describe(True, res[0][0], datetime.datetime.fromtimestamp(
                    res[0][1], datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
                    if exp_dt else None)
            else:
                got_desc = "no match"
            ok = (len(res) <= 1 and bool(res) == exp["match"]
                  and (not res or res[0][0] == exp.get("host"))
                  and (not res or exp_dt is None or same_time(ln, exp_dt, res[0][1])))
            if not ok:
                why = exp.get("desc")
                problems.append(
                    "--- expected  %s%s\n+++ fail2ban-regex %s\n-%s\n+%s\n line: %s" % (
                        ln.where(), " (%s)" % why if why else "",
                        filter_spec(name, block.options), exp_desc, got_desc, ln.text))

        # 2. Statistics: one regex per matched line; collect hits per regex.
        cmd, p = run_regex(f2b_regex, confdir, logfile, spec, ["-v", "--print-no-missed"])
        if p.returncode != 0:
            problems.append("%s: `%s` failed (exit %d):\n%s%s" % (
                sample_path, " ".join(cmd), p.returncode, p.stdout, p.stderr))
            continue
        hits_sum = 0
        for m in re.finditer(r"^\|\s+(\d+)\) \[(\d+)\] (.*)$", p.stdout.split("\nIgnoreregex:")[0],
                             re.M):
            idx, hits = int(m.group(1)), int(m.group(2))
            hits_sum += hits
            regex_hits[idx] = regex_hits.get(idx, 0) + hits
            regex_hits.setdefault(("re", idx), m.group(3))
        m = re.search(r"^Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed", p.stdout, re.M)
        if not m:
            problems.append("%s: no 'Lines:' summary from `%s`" % (sample_path, " ".join(cmd)))
        elif hits_sum != int(m.group(3)):
            problems.append("%s (block at line %d): %d failregex hits for %s matched lines: some line "
                            "matches more than one failregex" % (
                                sample_path, block.lineno, hits_sum, m.group(3)))
    idxs = [k for k in regex_hits if isinstance(k, int)]
    if filter_regex_count is not None and len(idxs) != filter_regex_count:
        problems.append("%s: fail2ban-regex listed %d failregex, expected %d" % (
            sample_path, len(idxs), filter_regex_count))
    for idx in sorted(idxs):
        if regex_hits[idx] == 0:
            problems.append("%s: failregex %d never matched a sample line (add one): %s" % (
                sample_path, idx, regex_hits[("re", idx)]))
    return checked, problems


def count_failregex(path):
    """Number of failregex lines of a filter file (its own [Definition])."""
    n, inside = 0, False
    with open(path, encoding="utf-8") as f:
        for text in f:
            if re.match(r"^failregex\s*=\s*\S", text):
                n, inside = 1, True
            elif inside and re.match(r"^\s+\S", text) and not text.lstrip().startswith("#"):
                n += 1
            else:
                inside = False
    return n or None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--filters", required=True, help="directory of the filter.d files")
    ap.add_argument("--samples", required=True, help="directory of the sample logs")
    ap.add_argument("--fail2ban-regex", default=shutil.which("fail2ban-regex") or "fail2ban-regex")
    ap.add_argument("names", nargs="*", help="filters to check (default: all)")
    args = ap.parse_args()

    if not os.path.exists(args.fail2ban_regex) and not shutil.which(args.fail2ban_regex):
        # Same convention as tests/lib/require.sh: skipped (77) on a developer
        # machine, a failure when SIPGUARD_STRICT_TESTS=1 (CI).
        strict = os.environ.get("SIPGUARD_STRICT_TESTS") == "1"
        print("%s: requirement missing: fail2ban-regex (package fail2ban; bash .ci/deps)"
              % ("FAIL" if strict else "SKIP"), file=sys.stderr)
        return 1 if strict else 77
    filters = sorted(f[:-5] for f in os.listdir(args.filters)
                     if f.endswith(".conf") and f != "sipguard-common.conf")
    names = args.names or filters
    problems = []
    for n in names:
        if n not in filters:
            problems.append("no filter %s.conf in %s" % (n, args.filters))
    samples = set(os.listdir(args.samples))
    for n in filters:
        if n not in samples:
            problems.append("filter %s has no sample log %s/%s" % (n, args.samples, n))
    for s in sorted(samples):
        if s not in filters:
            problems.append("sample %s/%s has no filter" % (args.samples, s))

    total = 0
    with tempfile.TemporaryDirectory(prefix="sipguard-f2b-samples.") as tmp:
        confdir = os.path.join(tmp, "conf")
        os.makedirs(os.path.join(confdir, "filter.d"))
        # The filters side by side, as the packages install them.
        for f in os.listdir(args.filters):
            if f.endswith(".conf"):
                shutil.copy(os.path.join(args.filters, f), os.path.join(confdir, "filter.d", f))
        for n in names:
            if n not in filters or n not in samples:
                continue
            checked, probs = check_filter(
                n, os.path.join(args.samples, n), confdir, args.fail2ban_regex, tmp,
                count_failregex(os.path.join(args.filters, n + ".conf")))
            total += checked
            print("%-28s %3d lines checked, %d problem(s)" % (n, checked, len(probs)))
            problems.extend(probs)

    if problems:
        print("\n%d problem(s):\n" % len(problems))
        for p in problems:
            print(p + "\n")
        print("fail2ban samples: %d lines checked, %d wrong" % (total, len(problems)))
        return 1
    print("fail2ban samples: %d lines checked, all as annotated" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
