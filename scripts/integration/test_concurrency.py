"""Concurrency (issue 7): many clients at once — writers staking, unstaking and transferring through
the emulated contracts, readers checking invariants at fixed blocks, and a chaos client warping
time (the operator rebases and serves claims), mining, and taking and reverting snapshots under
everyone's feet. The node must stay consistent throughout and at the end:

- any block a reader pins has aMATICc.totalSupply == aMATICb.totalSharesSupply (reads at one
  block are one consistent state, whatever is being mined or reverted meanwhile);
- afterwards: the same invariant at the head, MATIC's total supply unchanged, blocks link, every
  transaction in the chain has its receipt in its block, each sender's nonces are exactly
  0..N-1 in chain order (contiguous, even across reverts) and equal eth_getTransactionCount,
  every hash a client was given either has a receipt whose block exists and holds it or is
  wholly gone (reverted away), and the writers' ETH balances equal a replay of the chain.
"""
import os
import random
import threading
import time

import requests
from eth_abi import encode
from eth_utils import keccak

from support import CONTRACTS, DEV

DURATION = float(os.environ.get("STAKENET_CONCURRENCY_SECONDS", "20"))
WRITERS = DEV[1:7]
READERS = 3
E18 = 10**18
MATIC, POOL, BONDS, CERTS = CONTRACTS["MATIC"], CONTRACTS["PolygonPool"], CONTRACTS["aMATICb"], CONTRACTS["aMATICc"]


def sel(sig):
    return keccak(text=sig)[:4]


def calldata(sig, types=(), values=()):
    return "0x" + (sel(sig) + encode(list(types), list(values))).hex()


class Client:
    def __init__(self, url):
        self.url = url
        self.s = requests.Session()
        self.n = 0

    def call(self, method, *params):
        self.n += 1
        r = self.s.post(self.url, json={"jsonrpc": "2.0", "id": self.n, "method": method, "params": list(params)},
                        timeout=60).json()
        return r

    def result(self, method, *params):
        r = self.call(method, *params)
        assert "result" in r, f"{method}{params}: {r}"
        return r["result"]

    def batch(self, calls):
        resp = self.s.post(self.url, json=[{"jsonrpc": "2.0", "id": i, "method": m, "params": p}
                                           for i, (m, p) in enumerate(calls)], timeout=60).json()
        by_id = {r["id"]: r for r in resp}
        return [by_id[i] for i in range(len(calls))]

    def uint(self, to, data, block="latest"):
        r = self.call("eth_call", {"to": to, "data": data}, block)
        if "result" not in r:
            return r
        return int(r["result"], 16)


def balance_of(a):
    return calldata("balanceOf(address)", ["address"], [a])


TOTAL_SUPPLY = calldata("totalSupply()")
TOTAL_SHARES = calldata("totalSharesSupply()")


def writer(url, me, others, stop, acked, refused, failures, seed):
    c = Client(url)
    rng = random.Random(seed)
    fee = c.uint(POOL, calldata("ethUnstakeFee()"))
    while not stop.is_set():
        try:
            action = rng.choice(["stakeBonds", "stakeCerts", "stakeBonds", "unstakeBonds", "unstakeCerts",
                                 "bondTransfer", "certTransfer", "eth", "lock"])
            to, value, data = None, 0, "0x"
            amount = rng.randint(1, 40) * E18 // rng.choice([1, 3, 7])
            other = rng.choice(others)
            if action == "stakeBonds":
                to, data = POOL, calldata("stakeAndClaimBonds(uint256)", ["uint256"], [amount + E18])
            elif action == "stakeCerts":
                to, data = POOL, calldata("stakeAndClaimCerts(uint256)", ["uint256"], [amount + E18])
            elif action in ("unstakeBonds", "unstakeCerts"):
                token = BONDS if action == "unstakeBonds" else CERTS
                have = c.uint(token, balance_of(me))
                if not isinstance(have, int) or have == 0:
                    continue
                to, value = POOL, fee
                data = calldata(f"{action}(uint256,uint256,uint256,bytes)", ["uint256", "uint256", "uint256", "bytes"],
                                [rng.randint(1, have), 0, 0, b""])
            elif action in ("bondTransfer", "certTransfer"):
                token = BONDS if action == "bondTransfer" else CERTS
                have = c.uint(token, balance_of(me))
                if not isinstance(have, int) or have == 0:
                    continue
                to, data = token, calldata("transfer(address,uint256)", ["address", "uint256"], [other, rng.randint(1, have)])
            elif action == "lock":
                have = c.uint(BONDS, balance_of(me))
                if not isinstance(have, int) or have == 0:
                    continue
                to, data = BONDS, calldata("lockShares(uint256)", ["uint256"], [rng.randint(1, have) // 2 + 1])
            else:
                to, value = other, rng.randint(1, 10**15)
            r = c.call("eth_sendTransaction", {"from": me, "to": to, "value": hex(value), "data": data})
            if "result" in r:
                acked.append((me, r["result"]))
            elif r["error"]["code"] in (3, -32000, -32003):
                # a revert found by gas estimation (a balance moved under us, a snapshot was reverted…)
                refused.append((action, r["error"]["message"]))
            else:
                failures.append(("writer", action, r))
        except (requests.RequestException, ValueError) as e:
            failures.append(("writer", "transport", repr(e)))
            return


def reader(url, stop, checks, failures, seen_hashes):
    c = Client(url)
    rng = random.Random()
    while not stop.is_set():
        try:
            head = c.call("eth_getBlockByNumber", "latest", False)["result"]
            pin = rng.choice([{"blockHash": head["hash"]}, head["number"]])
            certs = c.uint(CERTS, TOTAL_SUPPLY, pin)
            shares = c.uint(BONDS, TOTAL_SHARES, pin)
            if isinstance(certs, int) and isinstance(shares, int):
                # Two requests are two reads: if the block was reverted between them (number N now
                # names another block, or the hash is gone) they may rightly differ. Compare only
                # when the pinned block outlived both reads. (A single read racing a revert is
                # test_reads_pinned_to_a_block_never_see_another_state's business.)
                now = c.call("eth_getBlockByNumber", head["number"], False)["result"]
                if now is None or now["hash"] != head["hash"]:
                    continue
                checks.append(1)
                if certs != shares:
                    failures.append(("reader", f"at {pin}: aMATICc.totalSupply {certs} != aMATICb.totalSharesSupply {shares}"))
            else:
                for r in (certs, shares):
                    if isinstance(r, dict) and r.get("error", {}).get("code") != -32000:
                        failures.append(("reader", pin, r))  # only "block gone" (reverted) is acceptable
            if seen_hashes:
                h = rng.choice(seen_hashes)[1]
                rc = c.call("eth_getTransactionReceipt", h)["result"]
                if rc is not None:
                    b = c.call("eth_getBlockByNumber", rc["blockNumber"], False)["result"]
                    # the block may have been reverted (and replaced) between the two reads; re-read the receipt then
                    if b is None or b["hash"] != rc["blockHash"]:
                        rc2 = c.call("eth_getTransactionReceipt", h)["result"]
                        if rc2 is not None and rc2["blockHash"] == rc["blockHash"]:
                            failures.append(("reader", f"receipt of {h} names block {rc['blockHash']} which does not exist"))
            logs = c.call("eth_getLogs", {"fromBlock": hex(max(0, int(head["number"], 16) - 20)), "toBlock": head["number"],
                                          "address": [BONDS, CERTS]})
            if "error" in logs and logs["error"]["code"] != -32000:
                failures.append(("reader", "getLogs", logs))
        except (requests.RequestException, ValueError, KeyError, TypeError) as e:
            failures.append(("reader", "transport", repr(e)))
            return


def chaos(url, stop, failures, log, seed):
    c = Client(url)
    rng = random.Random(seed)
    snapshots = []
    while not stop.is_set():
        try:
            op = rng.choice(["warp", "warp", "snapshot", "revert", "mine", "increaseTime"])
            if op == "warp":
                r = c.call("stakenet_warp", rng.randint(3600, 3 * 86_400))
            elif op == "snapshot":
                r = c.call("evm_snapshot")
                if "result" in r:
                    snapshots.append(r["result"])
            elif op == "revert":
                if not snapshots:
                    continue
                i = rng.randrange(len(snapshots))
                r = c.call("evm_revert", snapshots[i])
                if r.get("result") is not True:
                    failures.append(("chaos", f"evm_revert({snapshots[i]}) of a live snapshot", r))
                del snapshots[i:]  # single use: that one and every later one are gone
            elif op == "mine":
                r = c.call("evm_mine")
            else:
                r = c.call("evm_increaseTime", rng.randint(60, 86_400))
                if "result" in r:
                    r = c.call("evm_mine")
            if "error" in r:
                failures.append(("chaos", op, r))
            log.append(op)
            time.sleep(rng.uniform(0.05, 0.3))
        except (requests.RequestException, ValueError) as e:
            failures.append(("chaos", "transport", repr(e)))
            return


def test_many_clients_mixed_reads_writes_warps_and_reverts(dev):
    c = Client(dev.url)
    me = [a.address for a in WRITERS]
    # every writer lets the pool take its MATIC
    for a in me:
        r = c.result("eth_sendTransaction", {"from": a, "to": MATIC,
                                             "data": calldata("approve(address,uint256)", ["address", "uint256"], [POOL, 2**256 - 1])})
        assert dev.receipt(r)["status"] == "0x1"
    matic_supply = c.uint(MATIC, TOTAL_SUPPLY)

    stop = threading.Event()
    acked, refused, failures, checks, chaos_log = [], [], [], [], []
    threads = [threading.Thread(target=writer, args=(dev.url, a, [o for o in me if o != a], stop, acked, refused, failures, i))
               for i, a in enumerate(me)]
    threads += [threading.Thread(target=reader, args=(dev.url, stop, checks, failures, acked)) for _ in range(READERS)]
    threads += [threading.Thread(target=chaos, args=(dev.url, stop, failures, chaos_log, 99))]
    for t in threads:
        t.daemon = True
        t.start()
    time.sleep(DURATION)
    stop.set()
    for t in threads:
        t.join(60)
        assert not t.is_alive(), "a client hung"
    assert not failures, f"{len(failures)} failures, first: {failures[:5]}"
    assert len(acked) > 50 and len(checks) > 50 and "warp" in chaos_log and "revert" in chaos_log, \
        (len(acked), len(checks), chaos_log)

    # --- invariants at the end ----------------------------------------------------------
    assert c.uint(CERTS, TOTAL_SUPPLY) == c.uint(BONDS, TOTAL_SHARES)
    assert c.uint(MATIC, TOTAL_SUPPLY) == matic_supply

    head = int(c.result("eth_blockNumber"), 16)
    blocks = []
    for start in range(0, head + 1, 100):
        resp = c.batch([("eth_getBlockByNumber", [hex(n), True]) for n in range(start, min(head + 1, start + 100))])
        blocks += [r["result"] for r in resp]
    receipts = []
    for start in range(0, head + 1, 100):
        resp = c.batch([("eth_getBlockReceipts", [hex(n)]) for n in range(start, min(head + 1, start + 100))])
        receipts += [r["result"] for r in resp]

    nonces, in_chain = {}, {}
    eth = {a: int(c.result("eth_getBalance", a, "0x0"), 16) for a in me}
    for prev, b in zip(blocks, blocks[1:]):
        assert b["parentHash"] == prev["hash"], f"block {b['number']} does not link to its parent"
    for b, rcs in zip(blocks, receipts):
        assert len(rcs) == len(b["transactions"]), f"block {b['number']}: {len(rcs)} receipts for {len(b['transactions'])} txs"
        for i, (tx, rc) in enumerate(zip(b["transactions"], rcs)):
            assert rc["transactionHash"] == tx["hash"] and rc["blockHash"] == b["hash"] and int(rc["transactionIndex"], 16) == i
            sender = tx["from"].lower()
            n = int(tx["nonce"], 16)
            assert n == nonces.get(sender, 0), f"{sender}: nonce {n} in block {b['number']}, expected {nonces.get(sender, 0)}"
            nonces[sender] = n + 1
            in_chain[tx["hash"]] = b
            frm = next((a for a in me if a.lower() == sender), None)
            to = next((a for a in me if tx["to"] and a.lower() == tx["to"].lower()), None)
            cost = int(rc["gasUsed"], 16) * int(rc["effectiveGasPrice"], 16)
            ok = rc["status"] == "0x1"
            if frm:
                eth[frm] -= cost + (int(tx["value"], 16) if ok else 0)
            if to and ok:
                eth[to] += int(tx["value"], 16)
    for sender, n in nonces.items():
        assert int(c.result("eth_getTransactionCount", sender, "latest"), 16) == n, f"{sender}: nonce differs from chain"
    for a in me:
        assert int(c.result("eth_getBalance", a, "latest"), 16) == eth[a], f"ETH balance of {a} is not the replay of the chain"

    gone = 0
    looked_up = []
    for start in range(0, len(acked), 200):
        chunk = [h for _, h in acked[start:start + 200]]
        resp = c.batch([("eth_getTransactionReceipt", [h]) for h in chunk] + [("eth_getTransactionByHash", [h]) for h in chunk])
        assert all("result" in r for r in resp), resp
        looked_up += [(h, resp[i]["result"], resp[len(chunk) + i]["result"]) for i, h in enumerate(chunk)]
    for h, rc, tx in looked_up:
        if rc is None:
            assert tx is None and h not in in_chain, f"{h}: transaction without a receipt"
            gone += 1
        else:
            assert h in in_chain and in_chain[h]["hash"] == rc["blockHash"], f"{h}: receipt's block does not hold it"
    assert int(c.result("eth_getTransactionCount", me[0], "pending"), 16) == nonces.get(me[0].lower(), 0)
    print(f"concurrency: {len(acked)} writes acknowledged ({gone} reverted away), {len(refused)} refused at estimation, "
          f"{len(checks)} pinned invariant reads, chaos {len(chaos_log)} ops, head {head}")


def test_reads_pinned_to_a_block_never_see_another_state(dev):
    """A read pinned to a block (EIP-1898 blockHash) answers with that block's state or 'not found',
    never another block's, even while evm_revert deletes that block under it. One client keeps
    mining a block (snapshot, transfer, note the balance it left, revert); others read the balance
    at the newest such block by hash. Runs until the first wrong answer or ~15 s."""
    a, b = DEV[1].address, DEV[2].address
    stop = threading.Event()
    known, wrong, answers = [], [], [0, 0]

    def flipper():
        c = Client(dev.url)
        i = 0
        while not stop.is_set():
            snap = c.result("evm_snapshot")
            i += 1
            h = c.result("eth_sendTransaction", {"from": a, "to": b, "value": hex(i)})
            bh = c.result("eth_getTransactionReceipt", h)["blockHash"]
            known.append((bh, int(c.result("eth_getBalance", b, {"blockHash": bh}), 16)))
            assert c.result("evm_revert", snap) is True

    def prober():
        c = Client(dev.url)
        while not stop.is_set():
            if not known:
                continue
            bh, want = known[-1]
            r = c.call("eth_getBalance", b, {"blockHash": bh})
            if "result" in r:
                answers[0] += 1
                if int(r["result"], 16) != want:
                    wrong.append(f"eth_getBalance({b}, {{blockHash: {bh}}}) = {int(r['result'], 16)}, that block has {want}")
                    stop.set()
            else:
                answers[1] += 1
                if r["error"]["code"] != -32000 or "not found" not in r["error"]["message"]:
                    wrong.append(f"unexpected error {r}")
                    stop.set()

    threads = [threading.Thread(target=flipper, daemon=True)] + [threading.Thread(target=prober, daemon=True) for _ in range(3)]
    for t in threads:
        t.start()
    stop.wait(float(os.environ.get("STAKENET_PINNED_READ_SECONDS", "15")))
    stop.set()
    for t in threads:
        t.join(30)
    assert not wrong, f"{wrong[0]} ({answers[0]} answers, {answers[1]} not found)"
    assert answers[0] > 0 and answers[1] > 0, answers
