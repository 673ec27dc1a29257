"""Anvil parity, second round (issue 13): what ethers v6, cast and Hardhat's helpers still met.

Each test drives the real binary the way a client does: a WebSocket opened on a keep-alive
connection that already served HTTP, impersonated accounts in eth_accounts, logs subscriptions with
a block range, Anvil's CLI aliases, the methods of Anvil's EthRequest that were missing, the pending
block, --config-out's Anvil keys and state files with history."""
import base64
import json
import os
import socket
import struct
from urllib.parse import urlparse

from support import CHAIN_ID, DEV, GWEI, eth_transfer, q, same_address

SENDER, OTHER = DEV[5], DEV[6]


# -- a minimal WebSocket client over a raw socket ------------------------------------------------

class RawConn:
    """One TCP connection speaking HTTP/1.1 keep-alive, then (after an upgrade) WebSocket."""

    def __init__(self, url):
        u = urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.sock = socket.create_connection((self.host, self.port), timeout=10)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by the node")
        self.buf += chunk

    def _read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_http_response(self):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        body = b""
        if "content-length" in headers:
            body = self._read_exact(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while True:
                while b"\r\n" not in self.buf:
                    self._fill()
                size_line, self.buf = self.buf.split(b"\r\n", 1)
                size = int(size_line, 16)
                chunk = self._read_exact(size + 2)[:size]
                if size == 0:
                    break
                body += chunk
        return status, headers, body

    def post(self, payload):
        body = json.dumps(payload).encode()
        self.sock.sendall(b"POST / HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                          b"Connection: keep-alive\r\nContent-Length: %d\r\n\r\n" % (self.host.encode(), self.port, len(body))
                          + body)
        return self.read_http_response()

    def upgrade(self):
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET / HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        return int(lines[0].split()[1]), headers, key

    def send_frame(self, payload: bytes, opcode=0x1, fin=True):
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([(0x80 if fin else 0) | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def read_frame(self):
        b0, b1 = self._read_exact(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", self._read_exact(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._read_exact(8))[0]
        assert not b1 & 0x80, "server frames are not masked"
        return b0 & 0x0F, bool(b0 & 0x80), self._read_exact(n)

    def ws_call(self, method, *params, id=1):
        self.send_frame(json.dumps({"jsonrpc": "2.0", "id": id, "method": method, "params": list(params)}).encode())
        op, fin, data = self.read_frame()
        assert op == 0x1 and fin
        return json.loads(data)


# -- 1. WebSocket after HTTP on one keep-alive connection ----------------------------------------

def test_websocket_upgrade_on_a_connection_that_served_http(dev):
    c = RawConn(dev.url)
    try:
        for i in range(3):
            status, headers, body = c.post({"jsonrpc": "2.0", "id": i, "method": "eth_chainId", "params": []})
            assert status == 200 and headers.get("connection", "keep-alive").lower() != "close"
            assert json.loads(body)["result"] == hex(CHAIN_ID)
        status, headers, key = c.upgrade()
        assert status == 101, (status, headers)
        assert headers["upgrade"].lower() == "websocket"
        import hashlib
        expect = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        assert headers["sec-websocket-accept"] == expect
        assert c.ws_call("eth_chainId")["result"] == hex(CHAIN_ID)
        # Subscriptions work on it: a newHeads notification arrives for a mined block.
        sub = c.ws_call("eth_subscribe", "newHeads", id=2)["result"]
        dev.rpc("evm_mine")
        op, _, data = c.read_frame()
        note = json.loads(data)
        assert note["method"] == "eth_subscription" and note["params"]["subscription"] == sub
        # ping → pong with the same payload; a fragmented request is reassembled.
        c.send_frame(b"hi", opcode=0x9)
        assert c.read_frame() == (0xA, True, b"hi")
        msg = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "eth_blockNumber", "params": []}).encode()
        c.send_frame(msg[:10], opcode=0x1, fin=False)
        c.send_frame(msg[10:], opcode=0x0, fin=True)
        op, fin, data = c.read_frame()
        assert json.loads(data) == {"jsonrpc": "2.0", "id": 7, "result": "0x1"}
        # Close handshake: the node echoes the close code.
        c.send_frame(struct.pack(">H", 1000), opcode=0x8)
        op, fin, data = c.read_frame()
        assert op == 0x8 and data[:2] == struct.pack(">H", 1000)
    finally:
        c.close()


def test_websocket_upgrade_first_request_still_works_and_bad_later_upgrade_is_refused(dev):
    c = RawConn(dev.url)
    try:
        status, _, key = c.upgrade()
        assert status == 101
        assert c.ws_call("eth_chainId")["result"] == hex(CHAIN_ID)
    finally:
        c.close()
    c = RawConn(dev.url)
    try:
        assert c.post({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})[0] == 200
        c.sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       b"Sec-WebSocket-Version: 13\r\n\r\n")   # no key
        status, headers, _ = c.read_http_response()
        assert status == 400 and headers["connection"] == "close"   # as a refused first-request upgrade
        assert c.sock.recv(1) == b""
    finally:
        c.close()


# -- 2. eth_accounts lists impersonated accounts; logs subscriptions take a block range -----------

STRANGER = "0x000000000000000000000000000000000000dEaD"
MATIC = "0x7D1AfA7B718fb893dB30A3aBc0Cfc608AaCfeBB0"


def matic_transfer_data(to, amount):
    return "0xa9059cbb" + to[2:].lower().rjust(64, "0") + hex(amount)[2:].rjust(64, "0")


def test_eth_accounts_lists_impersonated_accounts(dev):
    base = dev.rpc("eth_accounts")
    assert [a.lower() for a in base] == [a.address.lower() for a in DEV]
    dev.rpc("anvil_impersonateAccount", STRANGER)
    dev.rpc("anvil_impersonateAccount", DEV[0].address)      # a dev account is not listed twice
    accounts = dev.rpc("eth_accounts")
    assert accounts[:10] == base and len(accounts) == 11 and same_address(accounts[10], STRANGER)
    assert dev.rpc("eth_requestAccounts") == accounts
    dev.rpc("anvil_setBalance", STRANGER, hex(10**18))
    # What a client's getSigner(address) then does: eth_sendTransaction from it.
    h = dev.rpc("eth_sendTransaction", {"from": STRANGER, "to": OTHER.address, "value": "0x1"})
    assert dev.receipt(h)["status"] == "0x1"
    dev.rpc("anvil_stopImpersonatingAccount", STRANGER)
    assert dev.rpc("eth_accounts") == base


def test_logs_subscription_takes_from_and_to_block(dev):
    from websockets.sync.client import connect
    head = int(dev.rpc("eth_blockNumber"), 16)
    with connect(dev.url.replace("http://", "ws://", 1), open_timeout=10) as ws:
        def call(method, *params):
            ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}))
            return json.loads(ws.recv(timeout=10))
        ranged = call("eth_subscribe", "logs", {"address": MATIC, "fromBlock": hex(head + 2), "toBlock": hex(head + 3)})["result"]
        tagged = call("eth_subscribe", "logs", {"address": MATIC, "fromBlock": "latest", "toBlock": "latest"})["result"]
        none = call("eth_subscribe", "logs", {"address": MATIC, "toBlock": "earliest"})["result"]
        for i in range(4):
            dev.receipt(dev.rpc("eth_sendTransaction", {"from": SENDER.address, "to": MATIC,
                                                        "data": matic_transfer_data(OTHER.address, i + 1)}))
        got = {ranged: [], tagged: [], none: []}
        while True:
            try:
                note = json.loads(ws.recv(timeout=1.5))
            except TimeoutError:
                break
            got[note["params"]["subscription"]].append(int(note["params"]["result"]["blockNumber"], 16))
        assert got[ranged] == [head + 2, head + 3]
        assert got[tagged] == [head + 1, head + 2, head + 3, head + 4]
        assert got[none] == []
        err = call("eth_subscribe", "logs", {"blockHash": "0x" + "11" * 32, "fromBlock": "0x1"})
        assert err["error"]["code"] == -32602


# -- 3. Anvil's CLI aliases, parsed by the real binary --------------------------------------------

def run_refused(args):
    """Runs the binary with `args`, which must make it exit non-zero at once; returns its output."""
    import subprocess
    from conftest import binary
    p = subprocess.run([str(binary()), "--port", "0", *args], capture_output=True, text=True, timeout=30)
    assert p.returncode != 0, f"{args} should have been refused: {p.stdout}{p.stderr}"
    return p.stdout + p.stderr


def test_cli_silent_no_mine_chain_and_environment_aliases(node):
    n = node(["--silent", "--no-mine", "--chain", "1337", "--block-base-fee-per-gas", "7", "--block-gas-limit", "40000000"])
    assert n.rpc("eth_chainId") == hex(1337)
    g = n.rpc("eth_getBlockByNumber", "0x0", False)
    assert q(g["baseFeePerGas"]) == 7 and q(g["gasLimit"]) == 40_000_000
    assert n.rpc("anvil_getAutomine") is False
    n.rpc("eth_getBalance", DEV[0].address, "latest")
    assert "eth_getBalance" not in n.log_path.read_text(errors="replace")
    named = node(["--chain", "sepolia"])
    assert named.rpc("eth_chainId") == hex(11155111)


def test_cli_block_time_aliases_and_fractions(node):
    import time
    n = node(["-b", "0.5"])
    time.sleep(2.6)
    assert int(n.rpc("eth_blockNumber"), 16) >= 3      # a block every half second
    assert n.rpc("anvil_getIntervalMining") == 1         # whole seconds, rounded up
    m = node(["--blockTime", "1"])
    time.sleep(2.5)
    assert int(m.rpc("eth_blockNumber"), 16) >= 1


def test_cli_host_lists_and_anvil_ip_addr(node, monkeypatch):
    import requests
    n = node(["--host", "127.0.0.1,127.0.0.2"])
    port = n.url.rstrip("/").rsplit(":", 1)[1]
    for h in ("127.0.0.1", "127.0.0.2"):
        r = requests.post(f"http://{h}:{port}", json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=5)
        assert r.json()["result"] == hex(CHAIN_ID)
    assert f"Listening on 127.0.0.2:{port}" in n.log_path.read_text()
    monkeypatch.setenv("ANVIL_IP_ADDR", "127.0.0.3")
    e = node()
    assert e.url.startswith("http://127.0.0.3:")
    assert e.rpc("eth_chainId") == hex(CHAIN_ID)


def test_cli_order_fees_and_fifo(node):
    for order, expect_first in (("fees", OTHER), ("fifo", SENDER)):
        n = node(["--no-mining", "--order", order])
        assert n.rpc("anvil_nodeInfo")["transactionOrder"] == order
        low = n.send_raw(eth_transfer(SENDER, 0, OTHER.address, fee=10 * GWEI))
        high = n.send_raw(eth_transfer(OTHER, 0, SENDER.address, fee=30 * GWEI))
        n.send_raw(eth_transfer(SENDER, 1, OTHER.address, fee=40 * GWEI))    # must stay after nonce 0
        n.rpc("evm_mine")
        block = n.rpc("eth_getBlockByNumber", "latest", True)
        senders = [tx["from"].lower() for tx in block["transactions"]]
        nonces = [q(tx["nonce"]) for tx in block["transactions"] if same_address(tx["from"], SENDER.address)]
        assert senders[0] == expect_first.address.lower() and nonces == [0, 1], (order, senders)
        assert {low, high} <= {tx["hash"] for tx in block["transactions"]}


def test_cli_auto_impersonate_and_disable_block_gas_limit(node):
    n = node(["--auto-impersonate", "--disable-block-gas-limit"])
    n.rpc("anvil_setBalance", STRANGER, hex(10**18))
    h = n.rpc("eth_sendTransaction", {"from": STRANGER, "to": OTHER.address, "value": "0x1", "gas": hex(40_000_000)})
    assert n.receipt(h)["status"] == "0x1"
    assert q(n.rpc("eth_getBlockByNumber", "latest", False)["gasLimit"]) == 2**64 - 1


def test_cli_hardfork_and_fork_flags(node):
    assert node(["--hardfork", "cancun"]).rpc("eth_chainId") == hex(CHAIN_ID)
    assert node(["--hardfork", "latest"]).rpc("eth_chainId") == hex(CHAIN_ID)
    out = run_refused(["--hardfork", "prague"])
    assert "Cancun" in out and "prague" in out
    assert "unknown hardfork" in run_refused(["--hardfork", "nonsense"])
    out = run_refused(["--fork-url", "https://eth.example"])
    assert "does not fork" in out
    assert "fees or fifo" in run_refused(["--order", "random"])
    assert "chain name" in run_refused(["--chain", "nowhere"])

