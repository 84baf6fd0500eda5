#!/usr/bin/python3
"""Small helpers of the fail2ban integration test (bounded in count and time).

  nethelper.py respond PORT LIFETIME
      UDP responder on 0.0.0.0:PORT: answers every datagram with a SIP-like
      "SIP/2.0 200 OK"; exits by itself after LIFETIME seconds.
  nethelper.py probe HOST PORT COUNT TIMEOUT
      Sends COUNT SIP OPTIONS datagrams to HOST:PORT, waits up to TIMEOUT
      seconds for each answer; prints the number of answers.
  nethelper.py journal COMM IDENT LINE...
      Writes each LINE to the journal with sd_journal_send() as
      MESSAGE=LINE, SYSLOG_IDENTIFIER=IDENT, PRIORITY=4, from a process whose
      name (journald's trusted _COMM) is COMM, as a real OpenSIPS would.
"""

import ctypes
import socket
import sys
import time


def respond(port, lifetime):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    end = time.monotonic() + lifetime
    answered = 0
    while time.monotonic() < end and answered < 10000:
        s.settimeout(max(0.05, end - time.monotonic()))
        try:
            data, peer = s.recvfrom(4096)
        except socket.timeout:
            continue
        s.sendto(b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", peer)
        answered += 1
    return 0


def probe(host, port, count, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    answers = 0
    for i in range(count):
        msg = ("OPTIONS sip:probe@%s SIP/2.0\r\nCall-ID: probe-%d\r\nCSeq: %d OPTIONS\r\n"
               "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n" % (host, i, i + 1))
        s.sendto(msg.encode(), (host, port))
        try:
            s.recvfrom(4096)
            answers += 1
        except socket.timeout:
            pass
    print(answers)
    return 0


def journal(comm, ident, lines):
    from systemd import journal as sdj
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_NAME = 15
    if libc.prctl(PR_SET_NAME, comm.encode()[:15], 0, 0, 0) != 0:
        print("prctl(PR_SET_NAME) failed", file=sys.stderr)
        return 1
    for line in lines:
        sdj.send(line, SYSLOG_IDENTIFIER=ident, PRIORITY="4")
    # journald reads _COMM from /proc/<pid> when the datagram arrives: stay
    # alive a moment so it still finds this process.
    time.sleep(0.3)
    return 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "respond":
        return respond(int(argv[1]), float(argv[2]))
    if len(argv) == 5 and argv[0] == "probe":
        return probe(argv[1], int(argv[2]), min(int(argv[3]), 100), float(argv[4]))
    if len(argv) >= 4 and argv[0] == "journal":
        return journal(argv[1], argv[2], argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
