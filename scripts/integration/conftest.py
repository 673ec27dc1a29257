"""Fixtures for stakenet's integration suite: real clients (web3.py, eth-account, requests, websockets)
against the release binary, started the way a user's CI starts it:

    stakenet --port 0 --config-out <file> [extra flags]

`node(extra_args=[...])` is a factory: every call starts a fresh process and returns a `Node`; all of
them are stopped at teardown. When a test fails, the tail of each node's stdout/stderr is attached to
the report. The binary is `$STAKENET_BIN`, else `<repo>/.build/release/stakenet`.
"""
import signal

import pytest
import requests
from web3 import Web3

from stakenode import NodeProcess, NodeStartError, RPCError, binary
from support import raw_hex

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class Node(NodeProcess):
    """One running stakenet process (the shared launcher of stakenode.py), with the suite's helpers.
    `rpc`/`request`/`raw` go through the launcher's keep-alive client; `session` (requests) is there
    for tests that need to set HTTP details themselves."""

    def __init__(self, workdir, extra_args, name: str):
        super().__init__(binary(), workdir, name, extra_args)
        self.extra_args = list(extra_args)
        self.session = requests.Session()
        self._next_id = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self):
        self.exe = binary()
        try:
            super().start(timeout=START_TIMEOUT, poll=0.02)
        except NodeStartError as e:
            pytest.fail(str(e))
        self.w3 = Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 60}))
        return self

    def stop(self, sig=signal.SIGTERM):
        """Stops the process with `sig` and returns its exit code."""
        try:
            code = super().stop(sig, STOP_TIMEOUT)
        except TimeoutError as e:
            raise AssertionError(str(e))
        self.session.close()
        self.session = requests.Session()
        return code

    # -- JSON-RPC --------------------------------------------------------------------------
    def raw(self, payload, timeout=60):
        """POSTs `payload` and returns the decoded JSON answer: str/bytes are sent as they are (to
        send malformed bodies), anything else JSON-encoded."""
        return self.client.raw(payload, timeout)

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
