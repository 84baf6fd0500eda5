"""Starting and talking to a real sipguard-proxy for the integration tests.

Proxy: the binary on free loopback ports (IPv4 and IPv6 UDP), with an empty
config file unless one is given (so /etc/sipguard/proxy.conf never leaks in),
events written to a file, a control socket, and a NOTIFY_SOCKET the harness
creates: start() returns once READY=1 arrived there. stop() sends SIGTERM to
the one process it started and waits for it.
"""
import os
import re
import signal
import socket
import subprocess
import tempfile
import time


def free_port(family=socket.AF_INET, kind=socket.SOCK_DGRAM, host="127.0.0.1"):
    """A port free for UDP and TCP alike on `host` (the kernel's pick)."""
    for _ in range(50):
        s = socket.socket(family, kind)
        s.bind((host, 0))
        port = s.getsockname()[1]
        s.close()
        other = socket.socket(family, socket.SOCK_STREAM if kind == socket.SOCK_DGRAM
                              else socket.SOCK_DGRAM)
        try:
            other.bind((host, port))
            return port
        except OSError:
            continue
        finally:
            other.close()
    raise RuntimeError("no free port")


class Proxy:
    def __init__(self, binary, args, config_text="", workers=2):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="sipguard-proxy-test-")
        self.config = os.path.join(self.dir, "proxy.conf")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.events_path = os.path.join(self.dir, "events.log")
        self.control = os.path.join(self.dir, "proxy.sock")
        self.args = ["--config", self.config, "--log-target", self.events_path,
                     "--control", self.control, "--workers", str(workers)] + args
        self.proc = None
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.notify = None
        self.notifications = []

    def start(self, timeout=5):
        notify_path = os.path.join(self.dir, "notify.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(notify_path)
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
        env.pop("WATCHDOG_USEC", None)
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen([self.binary] + self.args, env=env, stderr=self.stderr)
        if not self.wait_notification("READY=1", timeout):
            self.stop()
            raise AssertionError("no READY=1; stderr: " + self.read_stderr())
        return self

    def wait_notification(self, text, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(text in n for n in self.notifications):
                return True
            self.notify.settimeout(max(0.01, deadline - time.time()))
            try:
                self.notifications.append(self.notify.recv(4096).decode())
            except socket.timeout:
                pass
            if self.proc.poll() is not None:
                return False
        return any(text in n for n in self.notifications)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.notify:
            self.notify.close()
            self.notify = None
            self.stderr.close()
        return self.proc.returncode if self.proc else None

    def read_stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def events(self):
        try:
            with open(self.events_path) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def wait_events(self, pattern, count=1, timeout=3):
        deadline = time.time() + timeout
        while True:
            found = [line for line in self.events() if re.search(pattern, line)]
            if len(found) >= count or time.time() > deadline:
                return found
            time.sleep(0.05)

    def stats(self):
        r = subprocess.run([self.binary, "stats", "--control", self.control],
                           capture_output=True, text=True, timeout=10)
        return r


class Client:
    def __init__(self, host="127.0.0.1", family=socket.AF_INET):
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]

    def send(self, data, dest):
        self.sock.sendto(data if isinstance(data, bytes) else data.encode(), dest)

    def recv(self, timeout=2):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recvfrom(65535)[0].decode("latin-1")
        except socket.timeout:
            return None

    def close(self):
        self.sock.close()
