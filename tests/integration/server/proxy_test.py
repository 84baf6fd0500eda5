"""Integration tests: the real sipguard-proxy on loopback (UDP, IPv4 and
IPv6) in front of backends written in the test (backend.py).

    proxy_test.py PATH/TO/sipguard-proxy PATH/TO/tests/fixtures/sip
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from backend import Backend, header, headers  # noqa: E402
from proxy_harness import Client, Proxy, free_port  # noqa: E402

BINARY = None
FIXTURES = None


def fixture(rel):
    with open(os.path.join(FIXTURES, rel), "rb") as f:
        return f.read().decode("latin-1")


def invite(call_id, max_forwards=70):
    msg = fixture("valid/invite-with-sdp.sip")
    msg = msg.replace("a84b4c76e66710@pc33.example.org", call_id)
    return msg.replace("Max-Forwards: 70", "Max-Forwards: %d" % max_forwards)


def ipv6_available():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


CONFIG = """[flood]
limit = 30
window = 2s
[health]
interval = 1s
"""


class UdpProxyTest(unittest.TestCase):
    """One proxy for the request-path tests; each test uses its own source
    address (127.0.0.x) so the per-source flood counts never mix."""

    @classmethod
    def setUpClass(cls):
        cls.backend = Backend()
        cls.port = free_port()
        cls.v6 = ipv6_available()
        listen = ["--listen", "udp:127.0.0.1:%d" % cls.port]
        if cls.v6:
            cls.port6 = free_port(socket.AF_INET6, host="::1")
            listen += ["--listen", "udp:[::1]:%d" % cls.port6]
        cls.proxy = Proxy(BINARY, listen + ["--backend", cls.backend.endpoint(),
                                            "--trusted", "127.0.0.2/32", "--max-forwards", "10"],
                          config_text=CONFIG).start()
        cls.addr = ("127.0.0.1", cls.port)

    @classmethod
    def tearDownClass(cls):
        rc = cls.proxy.stop()
        cls.backend.close()
        assert rc == 0, "proxy exit status %r: %s" % (rc, cls.proxy.read_stderr())

    def client(self, host):
        c = Client(host)
        self.addCleanup(c.close)
        return c

    def test_ready_was_notified_with_status(self):
        self.assertTrue(any("READY=1" in n for n in self.proxy.notifications))
        self.assertTrue(any("STATUS=" in n for n in self.proxy.notifications))

    def test_valid_invite_is_forwarded_and_the_answer_comes_back(self):
        c = self.client("127.0.0.10")
        c.send(invite("fwd-1@test"), self.addr)
        answer = c.recv()
        self.assertIsNotNone(answer, "no answer")
        self.assertTrue(answer.startswith("SIP/2.0 200 OK"), answer)
        self.assertIn("fwd-1@test", answer)
        got = [m for m, _ in self.backend.requests() if "fwd-1@test" in m]
        self.assertEqual(len(got), 1)
        vias = headers(got[0], "Via")
        self.assertTrue(vias[0].startswith("SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKsg" % self.port),
                        vias)
        self.assertIn("received=127.0.0.10", vias[1])
        self.assertEqual(header(got[0], "Max-Forwards"), "9")

    def test_ipv6_client_is_served_through_an_ipv4_backend(self):
        if not self.v6:
            self.skipTest("no IPv6 loopback")
        c = Client("::1", socket.AF_INET6)
        self.addCleanup(c.close)
        c.send(invite("v6-1@test"), ("::1", self.port6))
        answer = c.recv()
        self.assertIsNotNone(answer, "no answer over IPv6")
        self.assertTrue(answer.startswith("SIP/2.0 200 OK"), answer)
        got = [m for m, _ in self.backend.requests() if "v6-1@test" in m]
        self.assertIn("received=::1", headers(got[0], "Via")[1])

    def test_invalid_request_gets_400_and_one_malformed_event(self):
        c = self.client("127.0.0.11")
        c.send(fixture("cseq-method-mismatch/invite-with-register-cseq.sip"), self.addr)
        answer = c.recv()
        self.assertIsNotNone(answer)
        self.assertTrue(answer.startswith("SIP/2.0 400 "), answer)
        lines = self.proxy.wait_events(r"\|log\|Bad Request/Body from 127\.0\.0\.11 ")
        self.assertEqual(len(lines), 1, self.proxy.events())
        time.sleep(0.2)
        self.assertEqual(
            len([x for x in self.proxy.events() if "from 127.0.0.11 " in x]), 1)

    def test_scanner_is_dropped_with_a_scanner_event(self):
        c = self.client("127.0.0.12")
        c.send(fixture("valid/sipvicious-svmap-options.sip"), self.addr)
        self.assertIsNone(c.recv(timeout=0.5))
        lines = self.proxy.wait_events(r"\|log\|Scanner from 127\.0\.0\.12 ")
        self.assertEqual(len(lines), 1, self.proxy.events())

    def test_max_forwards_zero_gets_483(self):
        c = self.client("127.0.0.13")
        c.send(invite("mf0@test", max_forwards=0), self.addr)
        answer = c.recv()
        self.assertIsNotNone(answer)
        self.assertTrue(answer.startswith("SIP/2.0 483 "), answer)
        self.assertEqual(len(self.proxy.wait_events(r"\|end\|Too Many Hops from 127\.0\.0\.13 ")), 1)

    def test_flood_is_dropped_with_one_event_per_window(self):
        c = self.client("127.0.0.14")
        for i in range(100):
            c.send("junk %d" % i, self.addr)
        lines = self.proxy.wait_events(r"\|log\|Flood from 127\.0\.0\.14 ")
        time.sleep(0.3)
        lines = [x for x in self.proxy.events() if "Flood from 127.0.0.14 " in x]
        self.assertEqual(len(lines), 1, lines)
        # Still over the limit: our valid request is dropped too.
        c.send(invite("flooded@test"), self.addr)
        self.assertIsNone(c.recv(timeout=0.3))

    def test_trusted_source_is_never_flood_limited(self):
        c = self.client("127.0.0.2")
        for i in range(100):
            c.send("junk %d" % i, self.addr)
        c.send(invite("trusted@test"), self.addr)
        answer = c.recv()
        self.assertIsNotNone(answer, "trusted source was limited")
        self.assertTrue(answer.startswith("SIP/2.0 200"), answer)
        time.sleep(0.2)
        self.assertEqual([x for x in self.proxy.events() if "from 127.0.0.2 " in x], [])

    def test_stats_returns_json_counters(self):
        c = self.client("127.0.0.15")
        c.send(invite("stats@test"), self.addr)
        self.assertIsNotNone(c.recv())
        r = self.proxy.stats()
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertGreaterEqual(doc["received"], 2)
        self.assertGreaterEqual(doc["forwarded"]["requests"], 1)
        self.assertGreaterEqual(doc["forwarded"]["responses"], 1)
        self.assertIn("flood", doc["dropped"])
        self.assertIn("written", doc["events"])
        self.assertEqual(doc["backends"][0]["endpoint"], self.backend.endpoint())
        self.assertEqual(oct(os.stat(self.proxy.control).st_mode & 0o777), "0o660")


class HealthTest(unittest.TestCase):
    def test_dead_backend_stops_getting_traffic_and_comes_back(self):
        b1, b2 = Backend(), Backend()
        self.addCleanup(b1.close)
        self.addCleanup(b2.close)
        port = free_port()
        proxy = Proxy(BINARY, ["--listen", "udp:127.0.0.1:%d" % port, "--backend", b1.endpoint(),
                               "--backend", b2.endpoint()], config_text=CONFIG).start()
        self.addCleanup(proxy.stop)
        c = Client("127.0.0.20")
        self.addCleanup(c.close)

        def spread(tag, n=12):
            before1, before2 = len(b1.requests()), len(b2.requests())
            for i in range(n):
                c.send(invite("%s-%d@test" % (tag, i)), ("127.0.0.1", port))
                c.recv(timeout=0.5)
            return len(b1.requests()) - before1, len(b2.requests()) - before2

        on1, on2 = spread("before")
        self.assertGreater(on1, 0)
        self.assertGreater(on2, 0)
        b1.answering = False
        deadline = time.time() + 8
        while time.time() < deadline:
            doc = json.loads(proxy.stats().stdout)
            if not doc["backends"][0]["healthy"]:
                break
            time.sleep(0.25)
        self.assertFalse(doc["backends"][0]["healthy"], doc)
        on1, on2 = spread("down")
        self.assertEqual(on1, 0)
        self.assertEqual(on2, 12)
        b1.answering = True
        deadline = time.time() + 4
        while time.time() < deadline:
            doc = json.loads(proxy.stats().stdout)
            if doc["backends"][0]["healthy"]:
                break
            time.sleep(0.25)
        self.assertTrue(doc["backends"][0]["healthy"], doc)
        on1, _ = spread("back")
        self.assertGreater(on1, 0)
        self.assertGreater(b1.probes, 0)
        self.assertIn("stopped answering", proxy.read_stderr())


class ReloadTest(unittest.TestCase):
    def test_sighup_switches_backends_without_losing_a_packet(self):
        b1, b2 = Backend(), Backend()
        self.addCleanup(b1.close)
        self.addCleanup(b2.close)
        port = free_port()
        base = CONFIG.replace("limit = 30", "limit = 1000") + "[proxy]\nlisten = udp:127.0.0.1:%d\n" % port
        proxy = Proxy(BINARY, [], config_text=base + "backend = %s\n" % b1.endpoint()).start()
        self.addCleanup(proxy.stop)
        c = Client("127.0.0.21")
        self.addCleanup(c.close)
        answered = 0
        for i in range(60):
            if i == 20:
                with open(proxy.config, "w") as f:
                    f.write(base + "backend = %s\n" % b2.endpoint())
                proxy.signal(signal.SIGHUP)
            c.send(invite("reload-%d@test" % i), ("127.0.0.1", port))
            if c.recv(timeout=1) is not None:
                answered += 1
            time.sleep(0.01)
        self.assertEqual(answered, 60, "a request was lost across the reload")
        self.assertGreater(len(b2.requests()), 0, "the new backend list was not applied")
        last = [m for m, _ in b1.requests() + b2.requests() if "reload-59@test" in m]
        self.assertEqual(len([m for m, _ in b2.requests() if "reload-59@test" in m]), 1, last)
        self.assertTrue(proxy.wait_notification("RELOADING=1", 1))
        # A broken config is refused and the running one kept.
        with open(proxy.config, "w") as f:
            f.write(base + "backend = nonsense\n")
        proxy.signal(signal.SIGHUP)
        time.sleep(0.3)
        c.send(invite("after-bad@test"), ("127.0.0.1", port))
        self.assertIsNotNone(c.recv(timeout=1))
        self.assertIn("reload failed", proxy.read_stderr())
        self.assertEqual(proxy.stop(), 0)


def tcp_invite(call_id):
    return fixture("valid/invite.tcp.sip").replace("a84b4c76e66710@pc33.example.org", call_id)


def read_messages(sock, count, timeout=3):
    """Reads `count` whole SIP messages (Content-Length framed) from `sock`."""
    sock.settimeout(timeout)
    data, out = b"", []
    deadline = time.time() + timeout
    while len(out) < count and time.time() < deadline:
        end = data.find(b"\r\n\r\n")
        if end >= 0:
            head = data[:end].decode("latin-1")
            length = 0
            for line in head.split("\r\n"):
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            if len(data) >= end + 4 + length:
                out.append(data[:end + 4 + length].decode("latin-1"))
                data = data[end + 4 + length:]
                continue
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return out


def closed_by_peer(sock, timeout):
    sock.settimeout(timeout)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


class TcpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = Backend()
        cls.port = free_port(kind=socket.SOCK_STREAM)
        config = CONFIG + "[tcp]\nmax-connections-per-source = 3\nidle-timeout = 2s\nheader-timeout = 2s\n"
        cls.proxy = Proxy(BINARY, ["--listen", "tcp:127.0.0.1:%d" % cls.port,
                                   "--listen", "udp:127.0.0.1:%d" % free_port(),
                                   "--backend", cls.backend.endpoint()],
                          config_text=config).start()

    @classmethod
    def tearDownClass(cls):
        rc = cls.proxy.stop()
        cls.backend.close()
        assert rc == 0, "proxy exit status %r: %s" % (rc, cls.proxy.read_stderr())

    def connect(self, source):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.bind((source, 0))
        s.connect(("127.0.0.1", self.port))
        self.addCleanup(s.close)
        return s

    def test_message_split_over_several_segments(self):
        s = self.connect("127.0.0.30")
        msg = tcp_invite("tcp-split@test").encode()
        for part in (msg[:10], msg[10:200], msg[200:]):
            s.sendall(part)
            time.sleep(0.05)
        answers = read_messages(s, 1)
        self.assertEqual(len(answers), 1)
        self.assertTrue(answers[0].startswith("SIP/2.0 200 OK"), answers)
        self.assertIn("tcp-split@test", answers[0])
        got = [m for m, _ in self.backend.requests() if "tcp-split@test" in m]
        self.assertEqual(len(got), 1)
        self.assertIn("received=127.0.0.30", headers(got[0], "Via")[1])

    def test_two_messages_in_one_segment(self):
        s = self.connect("127.0.0.31")
        s.sendall((tcp_invite("tcp-two-a@test") + tcp_invite("tcp-two-b@test")).encode())
        answers = read_messages(s, 2)
        self.assertEqual(len(answers), 2, answers)
        self.assertIn("tcp-two-a@test", answers[0])
        self.assertIn("tcp-two-b@test", answers[1])

    def test_oversize_header_closes_with_an_event(self):
        s = self.connect("127.0.0.32")
        head = "INVITE sip:bob@example.com SIP/2.0\r\n" + "X-Pad: %s\r\n" % ("a" * 1000)
        try:
            for _ in range(70):
                s.sendall(("X-Pad: %s\r\n" % ("a" * 1000)).encode() if _ else head.encode())
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.assertTrue(closed_by_peer(s, 3))
        self.assertEqual(len(self.proxy.wait_events(r"\|log\|Bad Request/Body from 127\.0\.0\.32 ")), 1)

    def test_bad_framing_closes_with_an_event(self):
        s = self.connect("127.0.0.33")
        s.sendall(tcp_invite("tcp-bad@test").replace("Content-Length: 226", "Content-Length: x").encode())
        self.assertTrue(closed_by_peer(s, 3))
        self.assertEqual(len(self.proxy.wait_events(r"\|log\|Bad Request/Body from 127\.0\.0\.33 ")), 1)

    def test_connections_per_source_are_capped(self):
        socks = [self.connect("127.0.0.34") for _ in range(5)]
        time.sleep(0.3)
        closed = [closed_by_peer(s, 0.3) for s in socks]
        self.assertEqual(closed, [False, False, False, True, True])
        other = self.connect("127.0.0.35")  # another source is not affected
        other.sendall(tcp_invite("tcp-other@test").encode())
        self.assertEqual(len(read_messages(other, 1)), 1)

    def test_idle_connection_is_closed(self):
        s = self.connect("127.0.0.36")
        start = time.time()
        self.assertTrue(closed_by_peer(s, 5))
        self.assertGreaterEqual(time.time() - start, 1.5)

    def test_slow_sender_is_closed(self):
        s = self.connect("127.0.0.37")
        msg = tcp_invite("tcp-slow@test").encode()
        start = time.time()
        for i in range(0, 200, 5):  # 5 bytes every 0.2 s: never idle, never whole in time
            try:
                s.sendall(msg[i:i + 5])
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.2)
            if time.time() - start > 4:
                break
        self.assertTrue(closed_by_peer(s, 2))
        self.assertLess(time.time() - start, 6)


class UsageTest(unittest.TestCase):
    def run_proxy(self, args):
        return subprocess.run([BINARY] + args, capture_output=True, text=True, timeout=10)

    def test_bad_flag_is_exit_2_naming_it(self):
        r = self.run_proxy(["--config", "/dev/null/none", "--listen", "udp:nowhere"])
        self.assertEqual(r.returncode, 2)
        r = self.run_proxy(["--listen", "udp:nowhere", "--backend", "udp:127.0.0.1:5"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--listen", r.stderr)
        r = self.run_proxy(["--max-forwards", "0"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("max-forwards", r.stderr)

    def test_bad_config_is_exit_2_naming_file_and_line(self):
        path = os.path.join(Proxy(BINARY, []).dir, "bad.conf")
        with open(path, "w") as f:
            f.write("[proxy]\nlisten = udp:127.0.0.1:5999\nlisen = udp:127.0.0.1:1\n")
        r = self.run_proxy(["--config", path])
        self.assertEqual(r.returncode, 2)
        self.assertIn(path + ":3", r.stderr)


if __name__ == "__main__":
    BINARY, FIXTURES = sys.argv[1], sys.argv[2]
    del sys.argv[1:3]
    import shutil
    import tempfile
    # Every proxy's directory (config, events, sockets) lives under one
    # directory removed at the end.
    tempfile.tempdir = tempfile.mkdtemp(prefix="sipguard-server-it-")
    try:
        result = unittest.main(verbosity=2, exit=False).result
    finally:
        shutil.rmtree(tempfile.tempdir, ignore_errors=True)
    sys.exit(0 if result.wasSuccessful() else 1)
