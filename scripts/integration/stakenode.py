"""Starting a stakenet process and talking JSON-RPC to it: the one launcher and client that the
integration suite (conftest.py) and the benchmarks (scripts/bench_driver.py) both use.

Standard library only, so the benchmarks import it without pytest. A node is started the way a
user's CI starts it:

    stakenet --port 0 --config-out <file> [extra flags]

then `--config-out` is read for the URL and the node is ready once `eth_chainId` answers.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def binary() -> Path:
    """The binary under test: `$STAKENET_BIN`, else `<repo>/.build/release/stakenet`."""
    return Path(os.environ.get("STAKENET_BIN", REPO / ".build" / "release" / "stakenet"))


class RPCError(Exception):
    """A JSON-RPC error answer; `response` is the whole answer object."""

    def __init__(self, response):
        self.response = response
        err = response.get("error") or {}
        self.code = err.get("code")
        self.message = err.get("message", "")
        self.data = err.get("data")
        super().__init__(json.dumps(response))


class NodeStartError(Exception):
    """The process exited or did not answer during startup; the message carries its log's tail."""


class RPCClient:
    """JSON-RPC over one keep-alive HTTP/1.1 connection (http.client: no per-call overhead worth
    measuring). A broken connection is closed and reopened by the next call."""

    def __init__(self, url, timeout=60.0):
        u = urllib.parse.urlparse(url)
        self.url, self.host, self.port, self.timeout = url, u.hostname, u.port, timeout
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self.next_id = 0

    def post(self, body: bytes, timeout=None, headers=None):
        """POSTs `body`; returns (HTTP status, response bytes)."""
        t = timeout or self.timeout
        self.conn.timeout = t
        if self.conn.sock is not None:
            self.conn.sock.settimeout(t)
        try:
            self.conn.request("POST", "/", body, {"Content-Type": "application/json", **(headers or {})})
            r = self.conn.getresponse()
            data = r.read()
            if r.will_close:
                self.conn.close()
            return r.status, data
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise

    def raw(self, payload, timeout=None):
        """Sends `payload` (str/bytes as they are, to send malformed bodies; anything else as JSON)
        and returns the decoded answer; an answer that is not JSON is an AssertionError."""
        body = payload.encode() if isinstance(payload, str) else payload if isinstance(payload, bytes) \
            else json.dumps(payload).encode()
        status, data = self.post(body, timeout)
        try:
            return json.loads(data)
        except ValueError:
            raise AssertionError(f"HTTP {status}, body is not JSON: {data[:500]!r}")

    def request(self, method, *params, timeout=None):
        """The whole answer object of one call."""
        self.next_id += 1
        return self.raw({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": list(params)}, timeout)

    def call(self, method, *params, timeout=None):
        """The result of one call; an error answer raises RPCError."""
        resp = self.request(method, *params, timeout=timeout)
        if "error" in resp:
            raise RPCError(resp)
        assert "result" in resp, f"{method}: answer has neither result nor error: {resp}"
        return resp["result"]

    def close(self):
        self.conn.close()


def probe_chain_id(host, port) -> bool:
    """One eth_chainId over a fresh socket; True when the answer has a result."""
    body = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}'
    req = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
           b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    try:
        with socket.create_connection((host, port), timeout=2.0) as s:
            s.sendall(req)
            buf = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
                if b"\r\n\r\n" in buf and b"}" in buf.split(b"\r\n\r\n", 1)[1]:
                    break
        return buf.startswith(b"HTTP/1.1 200") and b'"result"' in buf
    except OSError:
        return False


class NodeProcess:
    """One stakenet process: `start()` launches it and waits until it answers, `stop()` signals it."""

    def __init__(self, exe, workdir, name, args=()):
        self.exe, self.workdir, self.name, self.args = Path(exe), Path(workdir), name, list(args)
        self.config_path = self.workdir / f"{name}.config.json"
        self.log_path = self.workdir / f"{name}.log"
        self.proc = None
        self.config = None
        self.url = None
        self.client = None
        self.startup_ms = None

    def start(self, timeout=30.0, poll=0.0005):
        """Launches the process and returns self once `eth_chainId` answers; NodeStartError if it
        exits or stays silent for `timeout` seconds (the process is then killed)."""
        if not self.exe.exists():
            raise NodeStartError(f"stakenet binary not found at {self.exe} "
                                 f"(build it with `swift build -c release` or set STAKENET_BIN)")
        if self.config_path.exists():
            self.config_path.unlink()
        self.config, self.url = None, None
        self.argv = [str(self.exe), "--port", "0", "--config-out", str(self.config_path), *self.args]
        with open(self.log_path, "ab") as log:
            log.write(f"$ {' '.join(self.argv)}\n".encode())
            log.flush()
            t0 = time.perf_counter()
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        u = None
        while True:
            if self.proc.poll() is not None:
                raise NodeStartError(f"stakenet exited with code {self.proc.returncode} during startup:\n"
                                     f"{self.log_tail()}")
            if time.perf_counter() - t0 > timeout:
                self.kill()
                raise NodeStartError(f"stakenet did not answer eth_chainId within {timeout:.0f} s:\n{self.log_tail()}")
            if u is None:
                try:
                    self.config = json.loads(self.config_path.read_text())
                    u = urllib.parse.urlparse(self.config["url"])
                except (OSError, ValueError, KeyError):
                    self.config, u = None, None
            if u is not None and probe_chain_id(u.hostname, u.port):
                break
            time.sleep(poll)
        self.startup_ms = (time.perf_counter() - t0) * 1000
        self.url = self.config["url"]
        self.client = RPCClient(self.url)
        return self

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Signals the process and waits; returns its exit code (None if never started). A process
        that outlives `timeout` is killed and TimeoutError raised."""
        if self.client is not None:
            self.client.close()
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise TimeoutError(f"stakenet did not exit within {timeout}s of signal {sig}")
        return self.proc.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, lines=300):
        try:
            rows = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "<no log>"
        head = "" if len(rows) <= lines else f"... ({len(rows) - lines} earlier lines)\n"
        return head + "\n".join(rows[-lines:])
