"""A tiny UDP SIP backend for the proxy's integration tests.

Answers every request with a final response (200 by default, or what
`status_for(request)` returns) sent to the datagram's source address, the way
symmetric-signalling servers do, and records what it received. It runs in a
thread of the test process; `answering = False` makes it ignore requests
(a dead backend for the health-check tests).
"""
import re
import socket
import threading


def header(msg, name):
    m = re.search(r"^" + re.escape(name) + r":\s*(.*?)\r$", msg, re.M | re.I)
    return m.group(1) if m else None


def headers(msg, name):
    return re.findall(r"^" + re.escape(name) + r":\s*(.*?)\r$", msg, re.M | re.I)


def response_for(request, status=200, reason="OK"):
    """A response copying Via, From, To, Call-ID and CSeq of `request`."""
    lines = ["SIP/2.0 %d %s" % (status, reason)]
    for line in request.split("\r\n")[1:]:
        if not line:
            break
        name = line.split(":", 1)[0].strip().lower()
        if name in ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq"):
            lines.append(line)
    lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Backend:
    def __init__(self, host="127.0.0.1", family=socket.AF_INET):
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.host = host
        self.received = []  # (text, source) of non-probe requests
        self.probes = 0
        self.answering = True
        self.status_for = lambda request: (200, "OK")
        self.lock = threading.Lock()
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def endpoint(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "udp:%s:%d" % (host, self.port)

    def _run(self):
        while not self._stop:
            try:
                data, src = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            text = data.decode("latin-1")
            if text.startswith("SIP/2.0"):
                continue
            probe = "health check" in (header(text, "User-Agent") or "")
            with self.lock:
                if probe:
                    self.probes += 1
                else:
                    self.received.append((text, src))
            if not self.answering:
                continue
            status, reason = (200, "OK") if probe else self.status_for(text)
            if text.startswith("ACK "):
                continue
            self.sock.sendto(response_for(text, status, reason), src)

    def requests(self):
        with self.lock:
            return list(self.received)

    def close(self):
        self._stop = True
        self.thread.join(1)
        self.sock.close()
