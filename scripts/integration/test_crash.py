"""Crash test for durable group commit (issue 7): with --data-dir, a transaction hash or
receipt is returned only once its block is fsynced, so `kill -9` at any moment loses nothing that
was acknowledged.

Each round starts the node on the same data directory, lets several sender threads push
pre-signed transactions (single requests and batches; ETH transfers and MATIC transfers through
the emulated token), and kills the process with SIGKILL at a random moment — a few rounds kill
it while it is still starting up. After every restart:

- every acknowledged transaction (its hash came back) is in the chain with a successful receipt,
  in a block whose hash and transaction list agree with the receipt;
- nonces continue: the chain's nonce N for a sender means exactly its transactions 0..N-1 are
  mined (no gap, nothing acknowledged missing), and `pending` equals `latest` (no ghost pool);
- balances equal a replay of the receipts: start balance − Σ(value + gasUsed × effectiveGasPrice)
  for each sender, start + Σ value for each recipient, and MATIC balances moved by exactly the
  mined token transfers;
- blocks link: each new block's parentHash is the previous block's hash.
"""
import os
import random
import signal
import subprocess
import threading
import time

import coincurve
import requests
import rlp
from eth_utils import keccak

from conftest import Node
from support import CHAIN_ID, CONTRACTS, DEV, GWEI, raw_hex

ROUNDS = int(os.environ.get("STAKENET_CRASH_ROUNDS", "24"))
SENDERS = DEV[1:5]
RECIPIENTS = [DEV[6].address, DEV[7].address]
MATIC = CONTRACTS["MATIC"]
TOKEN_AMOUNT = 10**15
ETH_VALUE = 10**12
MAX_FEE, TIP = 200 * GWEI, GWEI
BATCH_SENDER = 3          # this sender's thread posts batches of 4 transactions
AHEAD = 600               # transactions signed ahead of each sender's nonce before a round
MAX_SEND_SECONDS = 0.6


def transfer_calldata(to, amount):
    return bytes.fromhex("a9059cbb") + bytes(12) + bytes.fromhex(to[2:]) + amount.to_bytes(32, "big")


class Presigned:
    """A sender's transactions, signed with libsecp256k1 (coincurve) for speed; nonce i is an ETH
    transfer unless i % 3 == 2, which is a MATIC transfer. Deterministic: same nonce, same bytes."""

    def __init__(self, account, index):
        self.account = account
        self.key = coincurve.PrivateKey(bytes(account.key))
        self.recipient = RECIPIENTS[index % len(RECIPIENTS)]
        self.raw, self.hash = [], []

    def spec(self, nonce):
        if nonce % 3 == 2:
            return {"to": MATIC, "value": 0, "gas": 80_000, "data": transfer_calldata(self.recipient, TOKEN_AMOUNT)}
        return {"to": self.recipient, "value": ETH_VALUE, "gas": 21_000, "data": b""}

    def sign(self, nonce):
        s = self.spec(nonce)
        fields = [CHAIN_ID, nonce, TIP, MAX_FEE, s["gas"], bytes.fromhex(s["to"][2:]), s["value"], s["data"], []]
        digest = keccak(b"\x02" + rlp.encode(fields))
        sig = self.key.sign_recoverable(digest, hasher=None)
        r, s_, v = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"), sig[64]
        raw = b"\x02" + rlp.encode(fields + [v, r, s_])
        return "0x" + raw.hex(), "0x" + keccak(raw).hex()

    def ensure(self, upto):
        while len(self.raw) < upto:
            raw, h = self.sign(len(self.raw))
            self.raw.append(raw)
            self.hash.append(h)


def post(session, url, payload, timeout=10):
    return session.post(url, json=payload, timeout=timeout).json()


def send_loop(url, pre, start, stop_at, acked, errors, batch):
    """Sends pre-signed transactions from nonce `start` until the node dies or time is up."""
    session = requests.Session()
    nonce = start
    try:
        while nonce < len(pre.raw) and time.monotonic() < stop_at:
            if batch:
                n = min(4, len(pre.raw) - nonce)
                payload = [{"jsonrpc": "2.0", "id": nonce + i, "method": "eth_sendRawTransaction",
                            "params": [pre.raw[nonce + i]]} for i in range(n)]
                resp = post(session, url, payload)
                for item in sorted(resp, key=lambda x: x["id"]):
                    if "result" in item:
                        acked.append((item["id"], item["result"]))
                    else:
                        errors.append((pre.account.address, item["id"], item))
                        return
                nonce += n
            else:
                resp = post(session, url, {"jsonrpc": "2.0", "id": nonce, "method": "eth_sendRawTransaction",
                                           "params": [pre.raw[nonce]]})
                if "result" not in resp:
                    errors.append((pre.account.address, nonce, resp))
                    return
                acked.append((nonce, resp["result"]))
                nonce += 1
    except (requests.RequestException, ValueError):
        return  # the node died under us: whatever was not answered was not acknowledged
    finally:
        session.close()


def batch_call(node, calls):
    out = []
    for i in range(0, len(calls), 250):
        chunk = calls[i:i + 250]
        resp = node.raw([{"jsonrpc": "2.0", "id": j, "method": m, "params": p} for j, (m, p) in enumerate(chunk)])
        by_id = {r["id"]: r for r in resp}
        for j, (m, p) in enumerate(chunk):
            r = by_id[j]
            assert "result" in r, f"{m}{p}: {r}"
            out.append(r["result"])
    return out


def token_balance(node, addr):
    data = "0x70a08231" + addr[2:].lower().rjust(64, "0")
    return int(node.rpc("eth_call", {"to": MATIC, "data": data}, "latest"), 16)


def test_kill_9_during_concurrent_sends_loses_nothing_acknowledged(tmp_path, request):
    seed = int(os.environ.get("STAKENET_CRASH_SEED", str(time.time_ns() % 10**9)))
    print(f"crash test seed {seed} (rerun the same kill timings with STAKENET_CRASH_SEED={seed})")
    rng = random.Random(seed)
    data_dir = tmp_path / "chain"
    args = ["--data-dir", str(data_dir), "-q"]
    senders = [Presigned(a, i) for i, a in enumerate(SENDERS)]

    # Our fast signer must produce exactly what eth-account produces.
    first = senders[0]
    tx0 = {"type": 2, "chainId": CHAIN_ID, "nonce": 0, "maxFeePerGas": MAX_FEE, "maxPriorityFeePerGas": TIP,
           **first.spec(0)}
    assert first.sign(0)[0] == raw_hex(first.account.sign_transaction(tx0))

    node = Node(tmp_path, args, "crash")
    request.node._stakenet_nodes = [node]
    node.start()
    addrs = [s.account.address for s in senders] + RECIPIENTS
    start_eth = {a: node.balance(a) for a in addrs}
    start_matic = {a: token_balance(node, a) for a in addrs}
    seen_head = node.head()  # (number, hash): blocks up to here were already checked
    acked_all = {s.account.address: {} for s in senders}  # nonce -> hash
    stats = {"rounds": 0, "acked": 0, "startup_kills": 0, "mined": 0}

    for rnd in range(ROUNDS):
        nonces = {s.account.address: node.nonce(s.account.address) for s in senders}
        for s in senders:
            s.ensure(nonces[s.account.address] + AHEAD)
        if rnd % 6 == 5:
            # Kill it while it is starting up (after the previous, checked, incarnation stopped).
            node.stop(signal.SIGKILL)
            exe = node.argv[0]
            proc = subprocess.Popen([exe, "--port", "0", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.0, 0.15))
            proc.kill()
            proc.wait()
            stats["startup_kills"] += 1
            node = Node(tmp_path, args, "crash")
            request.node._stakenet_nodes = [node]
            node.start()
            assert {s.account.address: node.nonce(s.account.address) for s in senders} == nonces, \
                "a node killed during startup changed the chain"
            continue

        acked = {s.account.address: [] for s in senders}
        errors = []
        stop_at = time.monotonic() + MAX_SEND_SECONDS + 1
        threads = [threading.Thread(target=send_loop, daemon=True,
                                    args=(node.url, s, nonces[s.account.address], stop_at, acked[s.account.address],
                                          errors, i == BATCH_SENDER - 1))
                   for i, s in enumerate(senders)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.02, MAX_SEND_SECONDS))
        node.proc.kill()  # SIGKILL, mid-flight
        node.proc.wait()
        for t in threads:
            t.join(15)
            assert not t.is_alive(), "a sender thread hung after the node was killed"
        assert not errors, f"round {rnd}: a transaction was refused before the kill: {errors[:3]}"
        for s in senders:
            for nonce, h in acked[s.account.address]:
                assert h == s.hash[nonce], f"node returned {h} for nonce {nonce}, expected {s.hash[nonce]}"
                acked_all[s.account.address][nonce] = h
        stats["acked"] += sum(len(v) for v in acked.values())

        node = Node(tmp_path, args, "crash")
        request.node._stakenet_nodes = [node]
        node.start()
        stats["rounds"] += 1
        check_chain(node, senders, acked_all, start_eth, start_matic, seen_head, rnd)
        seen_head = node.head()

    stats["mined"] = sum(node.nonce(s.account.address) for s in senders)
    node.stop()
    print(f"crash test: {stats}")
    assert stats["rounds"] >= 20 and stats["acked"] > 0, stats


def check_chain(node, senders, acked_all, start_eth, start_matic, seen_head, rnd):
    head_number, head_hash = node.head()
    assert head_number >= seen_head[0], f"round {rnd}: head went back from {seen_head[0]} to {head_number}"
    # Blocks link up from the last checked head.
    if head_number > seen_head[0]:
        blocks = batch_call(node, [("eth_getBlockByNumber", [hex(n), False])
                                   for n in range(seen_head[0], head_number + 1)])
        assert blocks[0]["hash"] == seen_head[1], f"round {rnd}: block {seen_head[0]} changed after a crash"
        for prev, b in zip(blocks, blocks[1:]):
            assert b["parentHash"] == prev["hash"], f"round {rnd}: block {b['number']} does not link to its parent"
        assert blocks[-1]["hash"] == head_hash

    eth_spent, eth_received, matic_moved = {}, {}, {}
    for s in senders:
        a = s.account.address
        latest, pending = node.nonce(a), node.nonce(a, "pending")
        assert pending == latest, f"round {rnd}: {a} pending nonce {pending} != latest {latest} after restart"
        acked = acked_all[a]
        if acked:
            top = max(acked)
            assert latest > top, f"round {rnd}: {a} nonce {latest}, but nonce {top} was acknowledged ({acked[top]})"
        receipts = batch_call(node, [("eth_getTransactionReceipt", [s.hash[n]]) for n in range(latest)])
        for n, r in enumerate(receipts):
            assert r is not None, (f"round {rnd}: {a} nonce {n} ({s.hash[n]}) is not in the chain, but the nonce is {latest}"
                                   + (" — it was acknowledged" if n in acked else ""))
            assert r["status"] == "0x1", f"round {rnd}: {s.hash[n]} failed: {r}"
            assert r["transactionHash"] == s.hash[n]
        # Nothing beyond the nonce was mined (the next transaction has no receipt).
        if latest < len(s.hash):
            assert node.rpc("eth_getTransactionReceipt", s.hash[latest]) is None, f"round {rnd}: receipt beyond nonce {latest}"
        # Acknowledged receipts sit in their blocks.
        for n in sorted(acked)[-5:]:
            r = receipts[n]
            block = node.rpc("eth_getBlockByNumber", r["blockNumber"], False)
            assert block["hash"] == r["blockHash"] and s.hash[n] in block["transactions"], (rnd, r, block["hash"])
        spent = 0
        for n, r in enumerate(receipts):
            spec = s.spec(n)
            spent += spec["value"] + int(r["gasUsed"], 16) * int(r["effectiveGasPrice"], 16)
            if spec["value"]:
                eth_received[s.recipient] = eth_received.get(s.recipient, 0) + spec["value"]
            else:
                matic_moved[a] = matic_moved.get(a, 0) - TOKEN_AMOUNT
                matic_moved[s.recipient] = matic_moved.get(s.recipient, 0) + TOKEN_AMOUNT
        eth_spent[a] = spent
    for a, start in start_eth.items():
        want = start - eth_spent.get(a, 0) + eth_received.get(a, 0)
        assert node.balance(a) == want, f"round {rnd}: ETH balance of {a} is {node.balance(a)}, replay gives {want}"
    for a, start in start_matic.items():
        want = start + matic_moved.get(a, 0)
        assert token_balance(node, a) == want, f"round {rnd}: MATIC of {a} is {token_balance(node, a)}, replay gives {want}"
