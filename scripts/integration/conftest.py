"""Fixtures for stakenet's integration suite: real clients (web3.py, eth-account, requests, websockets)
against the release binary, started the way a user's CI starts it:

    stakenet --port 0 --config-out <file> [extra flags]

`node(extra_args=[...])` is a factory: every call starts a fresh process and returns a `Node`; all of
them are stopped at teardown. When a test fails, the tail of each node's stdout/stderr is attached to
the report. The binary is `$STAKENET_BIN`, else `<repo>/.build/release/stakenet`.
"""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from web3 import Web3

from support import raw_hex

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def binary() -> Path:
    return Path(os.environ.get("STAKENET_BIN", REPO / ".build" / "release" / "stakenet"))


class RPCError(Exception):
    def __init__(self, response):
        self.response = response
        err = response.get("error") or {}
        self.code = err.get("code")
        self.message = err.get("message", "")
        self.data = err.get("data")
        super().__init__(json.dumps(response))


class Node:
    """One running stakenet process."""

    def __init__(self, workdir: Path, extra_args, name: str):
        self.workdir = workdir
        self.extra_args = list(extra_args)
        self.name = name
        self.config_path = workdir / f"{name}.config.json"
        self.log_path = workdir / f"{name}.log"
        self.proc = None
        self.config = None
        self.url = None
        self.session = requests.Session()
        self._next_id = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self):
        exe = binary()
        if not exe.exists():
            pytest.fail(f"stakenet binary not found at {exe} (build it with `swift build -c release` "
                        f"or set STAKENET_BIN)")
        if self.config_path.exists():
            self.config_path.unlink()
        self.argv = [str(exe), "--port", "0", "--config-out", str(self.config_path), *self.extra_args]
        log = open(self.log_path, "ab")
        log.write(f"$ {' '.join(self.argv)}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"stakenet exited with code {self.proc.returncode} during startup:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"stakenet did not answer eth_chainId within {START_TIMEOUT}s:\n{self.log_tail()}")
            if self.config is None:
                try:
                    self.config = json.loads(self.config_path.read_text())
                    self.url = self.config["url"]
                except (FileNotFoundError, json.JSONDecodeError, KeyError):
                    self.config = None
            if self.config is not None:
                try:
                    r = self.session.post(self.url, json={"jsonrpc": "2.0", "id": 0, "method": "eth_chainId",
                                                          "params": []}, timeout=2)
                    if r.status_code == 200 and "result" in r.json():
                        break
                except (requests.RequestException, ValueError):
                    pass
            time.sleep(0.02)
        self.w3 = Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 60}))
        return self

    def stop(self, sig=signal.SIGTERM):
        """Stops the process with `sig` and returns its exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(sig)
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"stakenet did not exit within {STOP_TIMEOUT}s of signal {sig}")
        self.session.close()
        self.session = requests.Session()
        return self.proc.returncode

    def log_tail(self, lines=300):
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "<no log>"
        rows = text.splitlines()
        head = "" if len(rows) <= lines else f"... ({len(rows) - lines} earlier lines)\n"
        return head + "\n".join(rows[-lines:])

    # -- JSON-RPC --------------------------------------------------------------------------
    def raw(self, payload, timeout=60):
        """POSTs `payload` and returns the decoded JSON answer: str/bytes are sent as they are (to
        send malformed bodies), anything else JSON-encoded."""
        if isinstance(payload, (str, bytes)):
            r = self.session.post(self.url, data=payload, timeout=timeout,
                                  headers={"Content-Type": "application/json"})
        else:
            r = self.session.post(self.url, json=payload, timeout=timeout)
        try:
            return r.json()
        except ValueError:
            raise AssertionError(f"HTTP {r.status_code}, body is not JSON: {r.text[:500]!r}")

    def request(self, method, *params):
        """The whole response object of one call."""
        self._next_id += 1
        return self.raw({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": list(params)})

    def rpc(self, method, *params):
        """The result of one call; raises RPCError carrying the response on an error."""
        resp = self.request(method, *params)
        if "error" in resp:
            raise RPCError(resp)
        assert "result" in resp, f"{method}: response has neither result nor error: {resp}"
        return resp["result"]

    def rpc_error(self, method, *params):
        """Calls a method that must fail; returns the error object."""
        resp = self.request(method, *params)
        assert "error" in resp and "result" not in resp, f"{method} should have failed, got {resp}"
        err = resp["error"]
        assert isinstance(err.get("code"), int) and isinstance(err.get("message"), str), f"malformed error: {resp}"
        return err

    # -- helpers ---------------------------------------------------------------------------
    def head(self):
        b = self.rpc("eth_getBlockByNumber", "latest", False)
        return int(b["number"], 16), b["hash"]

    def balance(self, addr, block="latest"):
        return int(self.rpc("eth_getBalance", addr, block), 16)

    def nonce(self, addr, block="latest"):
        return int(self.rpc("eth_getTransactionCount", addr, block), 16)

    def base_fee(self, block="latest"):
        return int(self.rpc("eth_getBlockByNumber", block, False)["baseFeePerGas"], 16)

    def send_raw(self, signed):
        """Sends an eth-account SignedTransaction; returns the tx hash (0x hex)."""
        return self.rpc("eth_sendRawTransaction", raw_hex(signed))

    def receipt(self, tx_hash):
        r = self.rpc("eth_getTransactionReceipt", tx_hash)
        assert r is not None, f"no receipt for {tx_hash}"
        return r


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and report.when in ("setup", "call"):
        for n in getattr(item, "_stakenet_nodes", []):
            report.sections.append((f"stakenet {n.name} output ({n.log_path})", n.log_tail()))


@pytest.fixture
def node(request, tmp_path):
    """Factory: `node(extra_args=[...])` starts a fresh stakenet and returns its Node."""
    nodes = []
    request.node._stakenet_nodes = nodes

    def start(extra_args=(), name=None):
        n = Node(tmp_path, extra_args, name or f"node{len(nodes)}")
        nodes.append(n)
        return n.start()

    yield start
    for n in nodes:
        try:
            n.stop()
        except AssertionError:
            pass


@pytest.fixture
def dev(node):
    """A node with default settings."""
    return node()
