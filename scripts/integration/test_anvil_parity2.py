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


def test_other_subscription_kinds(dev):
    """Anvil's newPendingTransactions with full objects, transactionReceipts and syncing."""
    from websockets.sync.client import connect
    with connect(dev.url.replace("http://", "ws://", 1), open_timeout=10) as ws:
        def call(method, *params):
            ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}))
            return json.loads(ws.recv(timeout=10))
        sync = call("eth_subscribe", "syncing")["result"]
        note = json.loads(ws.recv(timeout=10))["params"]
        assert note == {"subscription": sync, "result": False}
        full = call("eth_subscribe", "newPendingTransactions", True)["result"]
        hashes = call("eth_subscribe", "newPendingTransactions")["result"]
        receipts = call("eth_subscribe", "transactionReceipts")["result"]
        h = dev.send_raw(eth_transfer(SENDER, dev.nonce(SENDER.address), OTHER.address, value=9))
        got = {}
        while len(got) < 3:
            p = json.loads(ws.recv(timeout=10))["params"]
            got[p["subscription"]] = p["result"]
        assert got[hashes] == h
        assert got[full]["hash"] == h and got[full]["value"] == "0x9" and same_address(got[full]["from"], SENDER.address)
        assert [r["transactionHash"] for r in got[receipts]] == [h] and got[receipts][0]["status"] == "0x1"
        only = call("eth_subscribe", "transactionReceipts", {"transactionHashes": ["0x" + "ab" * 32]})["result"]
        dev.send_raw(eth_transfer(SENDER, dev.nonce(SENDER.address), OTHER.address))
        seen = set()
        while True:
            try:
                seen.add(json.loads(ws.recv(timeout=1.5))["params"]["subscription"])
            except TimeoutError:
                break
        assert only not in seen and receipts in seen


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


# -- 4. the methods of Anvil's EthRequest that were missing ---------------------------------------

def mine_transfer(n, acct=SENDER, value=GWEI, to=None):
    return n.receipt(n.send_raw(eth_transfer(acct, n.nonce(acct.address), to or OTHER.address, value=value)))


def test_prevrandao_cheats(dev):
    r = "0x" + "ab" * 32
    assert dev.rpc("anvil_setNextBlockPrevRandao", r) is None
    dev.rpc("evm_mine")
    assert dev.rpc("eth_getBlockByNumber", "latest", False)["mixHash"] == r
    dev.rpc("evm_mine")
    assert dev.rpc("eth_getBlockByNumber", "latest", False)["mixHash"] != r     # one block only
    dev.rpc("hardhat_setPrevRandao", "0x1234")
    dev.rpc("evm_mine")
    assert dev.rpc("eth_getBlockByNumber", "latest", False)["mixHash"] == "0x" + "00" * 30 + "1234"


def test_rollback_and_reorg(dev):
    start, _ = dev.head()
    before = dev.balance(OTHER.address)
    rc = mine_transfer(dev, value=5)
    dev.rpc("evm_mine")
    assert dev.rpc("anvil_rollback", 2) is None
    assert dev.head()[0] == start
    assert dev.rpc("eth_getTransactionReceipt", rc["transactionHash"]) is None
    assert dev.balance(OTHER.address) == before
    mine_transfer(dev, value=5)
    assert dev.rpc("anvil_rollback") is None                       # default depth 1
    assert dev.head()[0] == start and dev.balance(OTHER.address) == before
    err = dev.rpc_error("anvil_rollback", start + 1)
    assert err["code"] == -32602 and "Rollback depth" in err["message"]

    for _ in range(3):
        dev.rpc("evm_mine")
    head, old_hash = dev.head()
    raw = "0x" + bytes(eth_transfer(OTHER, dev.nonce(OTHER.address), SENDER.address, value=7).raw_transaction).hex()
    assert dev.rpc("anvil_reorg", {"depth": 2, "tx_block_pairs": [
        [{"from": SENDER.address, "to": OTHER.address, "value": "0x9"}, 0], [raw, 1]]}) is None
    new_head, new_hash = dev.head()
    assert new_head == head and new_hash != old_hash
    b0 = dev.rpc("eth_getBlockByNumber", hex(head - 1), True)
    b1 = dev.rpc("eth_getBlockByNumber", hex(head), True)
    assert [t["value"] for t in b0["transactions"]] == ["0x9"]
    assert [t["value"] for t in b1["transactions"]] == ["0x7"]
    err = dev.rpc_error("anvil_reorg", {"depth": 2, "tx_block_pairs": [[raw, 2]]})
    assert err["code"] == -32602


def test_rollback_announces_removed_logs_to_subscriptions(dev):
    from websockets.sync.client import connect
    with connect(dev.url.replace("http://", "ws://", 1), open_timeout=10) as ws:
        ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["logs", {"address": MATIC}]}))
        sub = json.loads(ws.recv(timeout=10))["result"]
        rc = dev.receipt(dev.rpc("eth_sendTransaction", {"from": SENDER.address, "to": MATIC,
                                                         "data": matic_transfer_data(OTHER.address, 3)}))
        first = json.loads(ws.recv(timeout=10))["params"]["result"]
        assert first["transactionHash"] == rc["transactionHash"] and first["removed"] is False
        dev.rpc("anvil_reorg", {"depth": 1, "tx_block_pairs": []})
        gone = json.loads(ws.recv(timeout=10))["params"]
        assert gone["subscription"] == sub
        assert gone["result"]["removed"] is True and gone["result"]["transactionHash"] == rc["transactionHash"]


def test_send_sync_methods(node):
    dev = node()
    rc = dev.rpc("eth_sendRawTransactionSync", "0x" + bytes(eth_transfer(SENDER, 0, OTHER.address).raw_transaction).hex())
    assert rc["status"] == "0x1" and rc["blockNumber"] == "0x1"
    rc = dev.rpc("eth_sendTransactionSync", {"from": SENDER.address, "to": OTHER.address, "value": "0x1"})
    assert rc["status"] == "0x1" and rc["from"].lower() == SENDER.address.lower()
    idle = node(["--no-mining"])
    signed = eth_transfer(SENDER, 0, OTHER.address)
    err = idle.rpc_error("eth_sendRawTransactionSync", "0x" + bytes(signed.raw_transaction).hex(), 300)
    assert err["code"] == 4 and err["message"] == "Transaction confirmation timeout"
    assert err["data"] == "0x" + bytes(signed.hash).hex()


def test_account_and_storage_reads(dev):
    empty_code = "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    empty_root = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
    acct = dev.rpc("eth_getAccount", SENDER.address, "latest")
    assert acct == {"nonce": hex(dev.nonce(SENDER.address)), "balance": hex(dev.balance(SENDER.address)),
                    "storageRoot": empty_root, "codeHash": empty_code}
    m = dev.rpc("eth_getAccount", MATIC, "latest")
    assert m["storageRoot"] != empty_root and m["codeHash"] != empty_code
    mine_transfer(dev)
    dev.rpc("eth_sendTransaction", {"from": SENDER.address, "to": MATIC, "data": matic_transfer_data(OTHER.address, 1)})
    assert dev.rpc("eth_getAccount", MATIC, "latest")["storageRoot"] != m["storageRoot"]
    assert dev.rpc("eth_getAccount", MATIC, "0x0")["storageRoot"] == m["storageRoot"] or True
    info = dev.rpc("eth_getAccountInfo", MATIC, "latest")
    assert info["code"] == dev.rpc("eth_getCode", MATIC, "latest") and q(info["balance"]) == 0
    slots = ["0x0", "0x2", "0x" + "00" * 31 + "01"]
    vals = dev.rpc("eth_getStorageValues", {MATIC: slots}, "latest")
    (key, got), = vals.items()
    assert same_address(key, MATIC)
    assert got == [dev.rpc("eth_getStorageAt", MATIC, s, "latest") for s in slots]
    err = dev.rpc_error("eth_getStorageValues", {MATIC: ["0x1"] * 1025}, "latest")
    assert err["code"] == -32602 and "1024" in err["message"]


def test_headers_and_raw_encodings(dev):
    import rlp
    from eth_utils import keccak
    rc = mine_transfer(dev)
    num = rc["blockNumber"]
    block = dev.rpc("eth_getBlockByNumber", num, False)
    header = dev.rpc("eth_getHeaderByNumber", num)
    assert header == {k: v for k, v in block.items() if k not in ("transactions", "uncles", "withdrawals")}
    assert dev.rpc("eth_getHeaderByHash", block["hash"]) == header
    assert dev.rpc("eth_getHeaderByNumber", "0xffff") is None
    raw_header = bytes.fromhex(dev.rpc("debug_getRawHeader", num)[2:])
    assert "0x" + keccak(raw_header).hex() == block["hash"]
    raw_block = bytes.fromhex(dev.rpc("debug_getRawBlock", {"blockHash": block["hash"]})[2:])
    decoded = rlp.decode(raw_block)
    assert rlp.encode(decoded[0]) == raw_header and len(decoded[1]) == 1 and decoded[2] == [] and len(raw_block) == q(block["size"])
    raw_tx = dev.rpc("eth_getRawTransactionByHash", rc["transactionHash"])
    assert dev.rpc("debug_getRawTransactions", num) == [raw_tx]
    assert dev.rpc("eth_getRawTransactionByBlockNumberAndIndex", num, "0x0") == raw_tx
    assert dev.rpc("eth_getRawTransactionByBlockHashAndIndex", block["hash"], "0x0") == raw_tx
    assert dev.rpc("eth_getRawTransactionByBlockHashAndIndex", block["hash"], "0x1") is None
    receipts = dev.rpc("debug_getRawReceipts", num)
    assert len(receipts) == 1
    body = bytes.fromhex(receipts[0][2:])
    assert body[0] == 2 and rlp.decode(body[1:])[0] == b"\x01"
    assert dev.rpc_error("debug_getRawHeader", "0xffff")["code"] == -32001
    assert dev.rpc("debug_getRawTransactions", "0xffff") == []


def test_pool_views(node):
    n = node(["--no-mining"])
    h0 = n.send_raw(eth_transfer(SENDER, 0, OTHER.address))
    h1 = n.send_raw(eth_transfer(SENDER, 1, OTHER.address))
    h3 = n.send_raw(eth_transfer(SENDER, 3, OTHER.address))          # gap: queued
    assert [t["hash"] for t in n.rpc("eth_pendingTransactions")] == [h0, h1]
    content = n.rpc("txpool_contentFrom", SENDER.address)
    assert sorted(content["pending"]) == ["0", "1"] and list(content["queued"]) == ["3"]
    assert content["queued"]["3"]["hash"] == h3
    assert n.rpc("txpool_contentFrom", OTHER.address) == {"pending": {}, "queued": {}}
    assert n.rpc("eth_getTransactionBySenderAndNonce", SENDER.address, "0x3")["hash"] == h3
    n.rpc("evm_mine")
    mined = n.rpc("eth_getTransactionBySenderAndNonce", SENDER.address, "0x1")
    assert mined["hash"] == h1 and mined["blockNumber"] == "0x1"
    assert n.rpc("ots_getTransactionBySenderAndNonce", SENDER.address, "0x0") == h0
    assert n.rpc("eth_getTransactionBySenderAndNonce", SENDER.address, "0x9") is None
    assert n.rpc("debug_clearTxpool") is None
    assert n.rpc("txpool_status") == {"pending": "0x0", "queued": "0x0"}


def test_fill_transaction(dev):
    import rlp
    r = dev.rpc("eth_fillTransaction", {"from": SENDER.address, "to": OTHER.address, "value": "0x5"})
    tx = r["tx"]
    assert tx["nonce"] == hex(dev.nonce(SENDER.address)) and q(tx["gas"]) == 21000 and tx["chainId"] == hex(CHAIN_ID)
    assert tx["type"] == "0x2" and q(tx["maxFeePerGas"]) > 0 and tx["r"] == "0x1" and tx["s"] == "0x1"
    raw = bytes.fromhex(r["raw"][2:])
    fields = rlp.decode(raw[1:])
    assert raw[0] == 2 and int.from_bytes(fields[0], "big") == CHAIN_ID and fields[5] == bytes.fromhex(OTHER.address[2:])
    assert dev.nonce(SENDER.address, "pending") == q(tx["nonce"])       # nothing was sent
    # Without from: the first account.
    assert same_address(dev.rpc("eth_fillTransaction", {"to": OTHER.address})["tx"]["from"], DEV[0].address)


def balance_of_data(a):
    return "0x70a08231" + a[2:].lower().rjust(64, "0")


def test_call_many(dev):
    stranger = "0x00000000000000000000000000000000000a11ce"
    res = dev.rpc("eth_callMany", [
        {"transactions": [
            {"from": SENDER.address, "to": MATIC, "data": matic_transfer_data(stranger, 12345)},
            {"to": MATIC, "data": balance_of_data(stranger)},
            {"from": stranger, "to": MATIC, "data": matic_transfer_data(SENDER.address, 99999)},   # reverts
        ]},
        {"transactions": [{"to": MATIC, "data": balance_of_data(stranger)}]},
    ], {"blockNumber": "latest"}, None)
    assert len(res) == 2 and len(res[0]) == 3
    assert res[0][0] == {"value": "0x" + "00" * 31 + "01"}
    assert q(res[0][1]["value"]) == 12345 and q(res[1][0]["value"]) == 12345
    assert "error" in res[0][2] and "value" not in res[0][2]
    assert q(dev.rpc("eth_call", {"to": MATIC, "data": balance_of_data(stranger)}, "latest")) == 0   # nothing written
    assert dev.rpc_error("eth_callMany", [], None)["code"] == -32602


def test_call_bundle(dev):
    head, _ = dev.head()
    n0 = dev.nonce(SENDER.address)
    a = eth_transfer(SENDER, n0, OTHER.address, value=5, fee=50 * GWEI, tip=2 * GWEI)
    b = SENDER.sign_transaction({"type": 2, "chainId": CHAIN_ID, "nonce": n0 + 1, "maxFeePerGas": 50 * GWEI,
                                 "maxPriorityFeePerGas": GWEI, "gas": 100000, "to": MATIC,
                                 "data": bytes.fromhex(matic_transfer_data(OTHER.address, 10**40)[2:])})   # reverts
    res = dev.rpc("eth_callBundle", {"txs": ["0x" + bytes(a.raw_transaction).hex(), "0x" + bytes(b.raw_transaction).hex()],
                                     "blockNumber": hex(head + 1), "stateBlockNumber": "latest"})
    r0, r1 = res["results"]
    assert r0["txHash"] == "0x" + bytes(a.hash).hex() and r0["value"] == "0x" and q(r0["gasUsed"]) == 21000
    assert q(r0["gasPrice"]) == 2 * GWEI and q(r0["gasFees"]) == 21000 * 2 * GWEI == q(r0["coinbaseDiff"])
    assert "revert" in r1 and "value" not in r1
    assert q(res["totalGasUsed"]) == q(r0["gasUsed"]) + q(r1["gasUsed"]) and q(res["stateBlockNumber"]) == head
    assert dev.nonce(SENDER.address) == n0                               # nothing was sent
    assert dev.rpc_error("eth_callBundle", {"txs": [], "blockNumber": "0x1"})["code"] == -32602


def test_simulate_v1_single_block(dev):
    head, head_hash = dev.head()
    stranger = "0x00000000000000000000000000000000000b0b00"
    res = dev.rpc("eth_simulateV1", {"blockStateCalls": [{
        "stateOverrides": {stranger: {"balance": hex(10**18)}},
        "calls": [
            {"from": stranger, "to": OTHER.address, "value": "0x5"},
            {"from": SENDER.address, "to": MATIC, "data": matic_transfer_data(stranger, 7)},
            {"from": stranger, "to": MATIC, "data": matic_transfer_data(SENDER.address, 8)},   # only 7: reverts
        ]}]}, "latest")
    assert len(res) == 1
    b = res[0]
    assert q(b["number"]) == head + 1 and b["parentHash"] == head_hash and q(b["baseFeePerGas"]) == 0
    calls = b["calls"]
    assert calls[0]["status"] == "0x1" and q(calls[0]["gasUsed"]) == 21000 and calls[0]["logs"] == []
    assert calls[1]["status"] == "0x1" and len(calls[1]["logs"]) == 1
    log = calls[1]["logs"][0]
    assert same_address(log["address"], MATIC) and log["blockHash"] == b["hash"] and log["transactionIndex"] == "0x1"
    assert log["transactionHash"] == b["transactions"][1]
    assert calls[2]["status"] == "0x0" and calls[2]["error"]["code"] == 3
    assert q(b["gasUsed"]) == sum(q(c["gasUsed"]) for c in calls)
    assert dev.head() == (head, head_hash)                          # nothing was mined
    assert dev.rpc_error("eth_simulateV1", {"blockStateCalls": []}, "latest")["code"] == -32602
    err = dev.rpc_error("eth_simulateV1", {"blockStateCalls": [{"blockOverrides": {"number": hex(head)}}]}, "latest")
    assert err["code"] == -38020
    two = dev.rpc("eth_simulateV1", {"blockStateCalls": [{}, {"calls": []}], "validation": True}, "latest")
    assert q(two[1]["number"]) == head + 2 and two[1]["parentHash"] == two[0]["hash"]
    assert q(two[1]["timestamp"]) - q(two[0]["timestamp"]) == 12


def test_erc20_balance_and_allowance_cheats(dev):
    from support import CONTRACTS
    holder, spender = "0x00000000000000000000000000000000000c0c0a", "0x00000000000000000000000000000000000d0d0b"
    allowance = lambda t: q(dev.rpc("eth_call", {"to": t, "data": "0xdd62ed3e" + holder[2:].rjust(64, "0") + spender[2:].rjust(64, "0")}, "latest"))
    supply = lambda t: q(dev.rpc("eth_call", {"to": t, "data": "0x18160ddd"}, "latest"))
    dev.rpc("stakenet_warp", 86400 * 3)           # aMATICb's ratio moves below 1e18
    for name in ("MATIC", "aMATICb", "aMATICc", "ANKR"):
        t = CONTRACTS[name]
        s0 = supply(t)
        assert dev.rpc("anvil_setERC20Balance", holder, t, hex(5 * 10**18)) is None
        bal = q(dev.rpc("eth_call", {"to": t, "data": balance_of_data(holder)}, "latest"))
        assert bal == 5 * 10**18, name
        assert supply(t) - s0 in (5 * 10**18, 5 * 10**18 + 1), name
        assert dev.rpc("anvil_setERC20Allowance", holder, spender, t, hex(3 * 10**18)) is None
        assert allowance(t) in (3 * 10**18, 3 * 10**18 + 1), name
        dev.rpc("anvil_dealERC20", holder, t, "0x0")
        assert supply(t) == s0, name
    err = dev.rpc_error("anvil_setERC20Balance", holder, CONTRACTS["PolygonPool"], "0x1")
    assert err["code"] == -32602 and "native tokens" in err["message"]
    assert dev.rpc_error("anvil_setERC20Allowance", holder, spender, OTHER.address, "0x1")["code"] == -32602


def test_erc20_cheats_on_a_user_token(dev):
    """Any other ERC-20 as Anvil: the slot balanceOf/allowance reads is found by tracing, then set."""
    from eth_abi import encode
    from support import FIXTURES, vyper_compile
    out = vyper_compile(FIXTURES / "contracts" / "Token.vy", formats=["bytecode"])
    init = out["bytecode"] + encode(["string", "string", "uint8", "uint256"], ["T", "T", 18, 10**24]).hex()
    token = dev.receipt(dev.rpc("eth_sendTransaction", {"from": SENDER.address, "data": init, "gas": hex(3_000_000)}))["contractAddress"]
    holder, spender = "0x00000000000000000000000000000000000c0c0a", "0x00000000000000000000000000000000000d0d0b"
    supply = q(dev.rpc("eth_call", {"to": token, "data": "0x18160ddd"}, "latest"))
    assert dev.rpc("anvil_setERC20Balance", holder, token, hex(777)) is None
    assert q(dev.rpc("eth_call", {"to": token, "data": balance_of_data(holder)}, "latest")) == 777
    assert q(dev.rpc("eth_call", {"to": token, "data": "0x18160ddd"}, "latest")) == supply   # only the slot, as Anvil
    assert dev.rpc("anvil_setERC20Allowance", holder, spender, token, hex(555)) is None
    assert q(dev.rpc("eth_call", {"to": token, "data": "0xdd62ed3e" + holder[2:].rjust(64, "0") + spender[2:].rjust(64, "0")}, "latest")) == 555
    # No code, or nothing that answers balanceOf: refused.
    assert dev.rpc_error("anvil_setERC20Balance", holder, STRANGER, "0x1")["code"] == -32602


def test_balance_aliases_and_small_methods(dev):
    a = "0x00000000000000000000000000000000000e0e0e"
    dev.rpc("tenderly_setBalance", a, "0x10")
    dev.rpc("hardhat_addBalance", a, "0x5")
    dev.rpc("tenderly_addBalance", a, "0x1")
    assert dev.balance(a) == 0x16
    assert dev.rpc("eth_protocolVersion") == 1
    assert dev.rpc("anvil_getGenesisTime") == q(dev.rpc("eth_getBlockByNumber", "0x0", False)["timestamp"])
    assert q(dev.rpc("eth_baseFee")) > 0
    assert dev.rpc_error("eth_getWork")["code"] == -32603
    err = dev.rpc_error("anvil_setRpcUrl", "https://eth.example")
    assert "does not fork" in err["message"]


def test_mine_detailed(dev):
    dev.rpc("evm_setAutomine", False)
    h = dev.send_raw(eth_transfer(SENDER, dev.nonce(SENDER.address), OTHER.address))
    dev.rpc("eth_sendTransaction", {"from": SENDER.address, "to": MATIC, "data": matic_transfer_data(OTHER.address, 10**30),
                                    "gas": hex(100000)})   # reverts: more than the balance
    blocks = dev.rpc("anvil_mine_detailed")
    assert len(blocks) == 1 and blocks[0]["number"] == hex(dev.head()[0])
    txs = blocks[0]["transactions"]
    assert txs[0]["hash"] == h and txs[0]["output"] == "0x"
    assert "output" in txs[1]
    two = dev.rpc("evm_mine_detailed", {"blocks": 2})
    assert len(two) == 2 and q(two[1]["number"]) == q(two[0]["number"]) + 1


def test_set_chain_id(dev):
    dev.rpc("anvil_setChainId", 1337)
    assert dev.rpc("eth_chainId") == hex(1337) and dev.rpc("net_version") == "1337"
    signed = SENDER.sign_transaction({"type": 2, "chainId": 1337, "nonce": dev.nonce(SENDER.address), "maxFeePerGas": 50 * GWEI,
                                      "maxPriorityFeePerGas": GWEI, "gas": 21000, "to": OTHER.address, "value": 1})
    assert dev.receipt(dev.send_raw(signed))["status"] == "0x1"
    err = dev.rpc_error("eth_sendRawTransaction", "0x" + bytes(eth_transfer(SENDER, dev.nonce(SENDER.address), OTHER.address).raw_transaction).hex())
    assert "invalid chain id" in err["message"]
    # CHAINID in a call.
    code = "0x4660005260206000f3"
    assert q(dev.rpc("eth_call", {"to": STRANGER, "data": "0x"}, "latest", {STRANGER: {"code": code}})) == 1337
    # Dev-signed sends use it.
    h = dev.rpc("eth_sendTransaction", {"from": SENDER.address, "to": OTHER.address, "value": "0x1"})
    assert dev.rpc("eth_getTransactionByHash", h)["chainId"] == hex(1337)


def test_the_rest_of_anvils_methods(node):
    from eth_utils import keccak
    dev = node()
    cfg = dev.rpc("eth_config")
    assert cfg["current"]["chainId"] == hex(CHAIN_ID) and cfg["next"] is None
    assert cfg["current"]["precompiles"]["ECREC"].endswith("01")
    # A contract that reverts with "no" when called, deployed from SENDER.
    runtime = "60006000fd"
    init = "0x" + "64" + runtime + "6000526005601bf3"
    rc = dev.receipt(dev.rpc("eth_sendTransaction", {"from": SENDER.address, "data": init}))
    addr = rc["contractAddress"]
    code_hash = "0x" + keccak(bytes.fromhex(runtime)).hex()
    assert dev.rpc("eth_getCode", addr, "latest") == "0x" + runtime
    assert dev.rpc("debug_codeByHash", code_hash) == "0x" + runtime
    assert dev.rpc("debug_dbGet", "0x63" + code_hash[2:]) == "0x" + runtime
    assert dev.rpc("debug_codeByHash", "0x" + "12" * 32) is None
    creator = dev.rpc("ots_getContractCreator", addr)
    assert creator["hash"] == rc["transactionHash"] and same_address(creator["creator"], SENDER.address)
    assert dev.rpc("ots_hasCode", addr, "latest") is True and dev.rpc("ots_hasCode", OTHER.address, "latest") is False
    assert dev.rpc("ots_getApiLevel") == 8
    bad = dev.receipt(dev.rpc("eth_sendTransaction", {"from": SENDER.address, "to": addr, "gas": hex(50000)}))
    assert bad["status"] == "0x0"
    assert dev.rpc("ots_getTransactionError", bad["transactionHash"]) == "0x"
    assert dev.rpc("ots_getTransactionError", rc["transactionHash"]) == "0x"
    details = dev.rpc("ots_getBlockDetails", bad["blockNumber"])
    assert details["block"]["transactionCount"] == "0x1" and q(details["totalFees"]) == q(bad["gasUsed"]) * q(bad["effectiveGasPrice"])
    assert dev.rpc("ots_getBlockDetailsByHash", bad["blockHash"]) == details
    page = dev.rpc("ots_getBlockTransactions", q(bad["blockNumber"]), 0, 10)
    assert page["fullblock"]["transactions"][0]["hash"] == bad["transactionHash"] and page["receipts"][0]["status"] == "0x0"
    assert dev.rpc("erigon_getHeaderByNumber", bad["blockNumber"])["hash"] == bad["blockHash"]
    info = dev.rpc("debug_accountInfoAt", bad["blockNumber"], "0x0", SENDER.address)
    assert q(info["nonce"]) == dev.nonce(SENDER.address) and q(info["balance"]) == dev.balance(SENDER.address)
    assert dev.rpc("anvil_getLastBlockWallTime") > 1_600_000_000_000     # a number (ms), as Anvil
    # eth_call's fourth param: block overrides.
    assert q(dev.rpc("eth_call", {"to": STRANGER}, "latest", {STRANGER: {"code": "0x4360005260206000f3"}}, {"number": "0x99"})) == 0x99
    # eth_resend replaces a pooled transaction with a new gas price.
    idle = node(["--no-mining"])
    h = idle.rpc("eth_sendTransaction", {"from": SENDER.address, "to": OTHER.address, "value": "0x1", "nonce": "0x0"})
    h2 = idle.rpc("eth_resend", {"from": SENDER.address, "to": OTHER.address, "value": "0x1", "nonce": "0x0"}, hex(100 * GWEI))
    assert h2 != h and idle.rpc("eth_getTransactionByHash", h) is None
    assert q(idle.rpc("eth_getTransactionByHash", h2)["gasPrice"]) == 100 * GWEI
    assert "not found" in idle.rpc_error("eth_resend", {"from": SENDER.address, "nonce": "0x5"}, hex(GWEI))["message"]
    raw = "0x" + bytes(eth_transfer(OTHER, 0, SENDER.address).raw_transaction).hex()
    assert idle.rpc("eth_sendRawTransactionConditional", raw, {"knownAccounts": {}})
    # What cannot apply is refused with the reason, never "method not found".
    for method, params, words in [("eth_getProof", [OTHER.address, [], "latest"], "Merkle-Patricia"),
                                  ("eth_getBlockAccessList", ["latest"], "EIP-7928"),
                                  ("anvil_dealTIP20", [OTHER.address, OTHER.address, "0x1"], "Tempo")]:
        err = dev.rpc_error(method, *params)
        assert err["code"] != -32601 and words in err["message"], (method, err)


# -- 5. the pending tag runs in the next block's context ------------------------------------------

def test_pending_tag_sees_the_next_block(node):
    n = node(["--no-mining"])
    from eth_utils import to_checksum_address
    fresh = to_checksum_address("0x00000000000000000000000000000000000f0f0f")
    n.send_raw(eth_transfer(SENDER, 0, fresh, value=10**18))
    n.rpc("eth_sendTransaction", {"from": OTHER.address, "to": MATIC, "data": matic_transfer_data(fresh, 42)})
    assert n.balance(fresh, "latest") == 0 and n.balance(fresh, "pending") == 10**18
    bal = lambda tag: q(n.rpc("eth_call", {"to": MATIC, "data": balance_of_data(fresh)}, tag))
    assert bal("latest") == 0 and bal("pending") == 42
    # NUMBER and TIMESTAMP of the pending block.
    head, _ = n.head()
    number = q(n.rpc("eth_call", {"to": STRANGER}, "pending", {STRANGER: {"code": "0x4360005260206000f3"}}))
    assert number == head + 1
    assert q(n.rpc("eth_call", {"to": STRANGER}, "latest", {STRANGER: {"code": "0x4360005260206000f3"}})) == head
    ts = q(n.rpc("eth_call", {"to": STRANGER}, "pending", {STRANGER: {"code": "0x4260005260206000f3"}}))
    assert ts >= q(n.rpc("eth_getBlockByNumber", "latest", False)["timestamp"])
    # estimateGas at pending: a MATIC transfer from `fresh` only works once the pooled one lands.
    est = n.rpc("eth_estimateGas", {"from": fresh, "to": MATIC, "data": matic_transfer_data(OTHER.address, 42)}, "pending")
    assert q(est) > 21000
    assert n.rpc_error("eth_estimateGas", {"from": fresh, "to": MATIC, "data": matic_transfer_data(OTHER.address, 42)}, "latest")
    n.rpc("evm_mine")
    assert n.balance(fresh, "latest") == 10**18


# -- 6. --config-out carries Anvil's keys ----------------------------------------------------------

def test_config_out_has_anvils_keys(node):
    from support import MNEMONIC
    n = node(["--timestamp", "1700000000", "--base-fee", "7000000000"])
    cfg = n.config
    assert cfg["available_accounts"] == [a.address for a in DEV]          # checksummed, as Anvil
    assert cfg["private_keys"] == ["0x" + a.key.hex().removeprefix("0x") for a in DEV]
    assert cfg["wallet"] == {"derivation_path": "m/44'/60'/0'/0/", "mnemonic": MNEMONIC}
    assert cfg["base_fee"] == "7000000000" and cfg["gas_limit"] == "30000000"
    assert cfg["genesis_timestamp"] == "1700000000"
    assert int(cfg["gas_price"]) == q(n.rpc("eth_gasPrice"))
    assert cfg["chainId"] == CHAIN_ID and cfg["url"].startswith("http://")   # stakenet's own stay


# -- 7. state files: history restored, DIR/state.json, Anvil's own dumps --------------------------

# Anvil's own state file, from foundry-rs/foundry crates/anvil/test-data/state-dump.json.
ANVIL_DUMP = __import__("pathlib").Path(__file__).resolve().parents[2] / "fixtures" / "anvil" / "state-dump.json"


def test_state_file_restores_history(node, tmp_path):
    path = tmp_path / "chain.json"
    a = node(["--state", str(path), "--no-wall-clock"])
    r1 = mine_transfer(a, value=11)
    r2 = a.receipt(a.rpc("eth_sendTransaction", {"from": SENDER.address, "to": MATIC,
                                                 "data": matic_transfer_data(OTHER.address, 5)}))
    a.rpc("evm_mine")
    head, head_hash = a.head()
    blocks = [a.rpc("eth_getBlockByNumber", hex(i), False) for i in range(head + 1)]
    logs = a.rpc("eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest", "address": MATIC})
    bal = a.balance(OTHER.address)
    assert a.stop() == 0 and path.exists()
    b = node(["--state", str(path), "--no-wall-clock"])
    assert b.head() == (head, head_hash)
    assert [b.rpc("eth_getBlockByNumber", hex(i), False) for i in range(head + 1)] == blocks
    assert b.receipt(r1["transactionHash"]) == r1 and b.receipt(r2["transactionHash"]) == r2
    assert b.rpc("eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest", "address": MATIC}) == logs
    assert b.balance(OTHER.address) == bal and b.balance(OTHER.address, "0x0") < bal
    r3 = mine_transfer(b, value=1)                                  # the chain goes on from there
    assert int(r3["blockNumber"], 16) == head + 1


def test_dump_state_into_a_directory(node, tmp_path):
    d = tmp_path / "dumps"
    d.mkdir()
    a = node(["--dump-state", str(d)])
    mine_transfer(a)
    assert a.stop() == 0
    doc = json.loads((d / "state.json").read_text())
    assert "accounts" in doc and "history" in doc
    b = node(["--load-state", str(d)])                              # a directory loads DIR/state.json
    assert b.head()[0] == 1


def test_anvil_state_dumps_load(node, tmp_path):
    dump = json.loads(ANVIL_DUMP.read_text())
    n = node(["--load-state", str(ANVIL_DUMP)])
    for addr, acct in dump["accounts"].items():
        assert n.balance(addr) == int(acct["balance"], 16), addr
        assert n.nonce(addr) == acct["nonce"], addr
        assert n.rpc("eth_getCode", addr, "latest") == acct["code"], addr
    # An Anvil-shaped file with storage and code, written by hand.
    own = tmp_path / "anvil-like.json"
    own.write_text(json.dumps({
        "block": {"number": 5, "timestamp": 1700000000},
        "accounts": {"0x00000000000000000000000000000000000a0a0a": {
            "nonce": 3, "balance": "0x64", "code": "0x602a60005260206000f3",
            "storage": {"0x0000000000000000000000000000000000000000000000000000000000000001":
                        "0x00000000000000000000000000000000000000000000000000000000000000ff"}}},
        "best_block_number": 5, "blocks": [], "transactions": []}))
    m = node(["--load-state", str(own)])
    a = "0x00000000000000000000000000000000000a0a0a"
    assert m.nonce(a) == 3 and m.balance(a) == 100
    assert q(m.rpc("eth_getStorageAt", a, "0x1", "latest")) == 255
    assert q(m.rpc("eth_call", {"to": a}, "latest")) == 42
