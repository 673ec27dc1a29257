"""Storage failures under --data-dir: a failed read or write stops the block (nothing committed,
nothing acknowledged), the request gets -32603 naming the cause, the node logs it and keeps
serving, writes work again once the fault clears, and a restart shows exactly what was
acknowledged.

Faults are injected through the test-only control file named by STAKENET_TEST_STORAGE_FAULTS
(the node polls it; it holds `read`, `write` and/or `sync`). Every faulted node runs beside a
reference node without faults that receives only the requests that succeeded; with
--no-wall-clock both chains must end with the same block hashes, which proves that nothing of a
failed request was committed (a block hash covers the state commitment, the timestamp and every
transaction).
"""
import signal
import time

import pytest

from support import DEV, empty_account, eth_transfer, q, raw_hex

FLAGS = ["--no-wall-clock", "--timestamp", "1700000000"]
BOB = DEV[2].address
DAY = 86_400


class Faults:
    def __init__(self, path):
        self.path = path
        path.write_text("")

    def on(self, *kinds):
        self.path.write_text(" ".join(kinds) + "\n")
        time.sleep(0.15)   # the node polls every 10 ms

    def off(self):
        self.path.write_text("")
        time.sleep(0.15)


@pytest.fixture
def pair(node, tmp_path, monkeypatch):
    """(faulty node with --data-dir, its Faults, reference node without faults)."""
    control = tmp_path / "faults"
    faults = Faults(control)
    monkeypatch.setenv("STAKENET_TEST_STORAGE_FAULTS", str(control))
    n = node(["--data-dir", str(tmp_path / "chain"), *FLAGS], name="faulty")
    monkeypatch.delenv("STAKENET_TEST_STORAGE_FAULTS")
    ref = node(FLAGS, name="reference")
    assert "WARNING: STAKENET_TEST_STORAGE_FAULTS is set" in n.log_path.read_text()
    return n, faults, ref


def both(n, ref, method, *params):
    a, b = n.rpc(method, *params), ref.rpc(method, *params)
    assert a == b, f"{method}: {a} != {b}"
    return a


def assert_storage_error(err, kind):
    assert err["code"] == -32603, err
    assert "storage I/O error" in err["message"] and f"injected {kind} fault" in err["message"], err


def fingerprint(n, addrs, hashes=()):
    """What a client can see: the head, balances and nonces, and every given receipt."""
    number, head_hash = n.head()
    return {
        "head": (number, head_hash),
        "blocks": [n.rpc("eth_getBlockByNumber", hex(i), False)["hash"] for i in range(number + 1)],
        "balances": [n.balance(a) for a in addrs],
        "nonces": [n.nonce(a) for a in addrs],
        "receipts": [n.rpc("eth_getTransactionReceipt", h) for h in hashes],
        "status": n.rpc("stakenet_status"),
    }


def assert_same_chain(n, ref, addrs):
    a, b = fingerprint(n, addrs), fingerprint(ref, addrs)
    for k in a:
        assert a[k] == b[k], f"{k}: faulty node {a[k]} != reference {b[k]}"


def restart_and_compare(n, addrs, hashes):
    before = fingerprint(n, addrs, hashes)
    assert n.stop(signal.SIGTERM) == 0
    n.config = n.url = None   # a new port: read the new --config-out
    n.start()   # the fault variable is no longer set: a plain restart on the same --data-dir
    after = fingerprint(n, addrs, hashes)
    for k in before:
        assert after[k] == before[k], f"{k} differs after restart"


def txhash(signed):
    return "0x" + signed.hash.hex().removeprefix("0x")


def log_text(n):
    return n.log_path.read_text(errors="replace")


def test_read_fault_fails_the_transaction_and_commits_nothing(pair):
    n, faults, ref = pair
    sender = DEV[1]
    fresh = empty_account("storage-fault read").address
    h0 = both(n, ref, "eth_sendRawTransaction", raw_hex(eth_transfer(sender, 0, BOB)))
    addrs = [sender.address, BOB]     # not `fresh`: reading it would put it in the head-state cache
    before = fingerprint(n, addrs)

    # The recipient was never read, so the block must read it from LevelDB: that read fails.
    signed = eth_transfer(sender, 1, fresh, value=7)
    tx = raw_hex(signed)
    faults.on("read")
    assert_storage_error(n.rpc_error("eth_sendRawTransaction", tx), "read")
    # A state read that reaches the database fails too, instead of answering "empty account".
    assert_storage_error(n.rpc_error("eth_getBalance", empty_account("never read").address, "latest"), "read")
    # Lookups that answer null for "absent" fail too, instead of a wrong null.
    assert_storage_error(n.rpc_error("eth_getBlockByNumber", "0x0", False), "read")
    assert_storage_error(n.rpc_error("eth_getTransactionReceipt", h0), "read")
    assert n.rpc("eth_chainId") == "0x7a69"
    faults.off()

    assert fingerprint(n, addrs) == before, "a failed read committed something"
    assert n.rpc("eth_getTransactionByHash", txhash(signed)) is None, \
        "the failed transaction is neither mined nor kept in the pool"
    assert n.balance(empty_account("never read").address) == 0
    log = log_text(n)
    assert "storage error" in log and "was not mined, nothing of it was committed" in log, log[-2000:]

    # Writes work again; the same transaction now goes through on both chains.
    h1 = both(n, ref, "eth_sendRawTransaction", tx)
    assert n.receipt(h1)["status"] == "0x1" and n.balance(fresh) == 7
    assert_same_chain(n, ref, addrs + [fresh])
    restart_and_compare(n, addrs + [fresh], [h0, h1])


def test_write_fault_fails_transactions_and_time_changes_and_reads_go_on(pair):
    n, faults, ref = pair
    sender = DEV[3]
    h0 = both(n, ref, "eth_sendRawTransaction", raw_hex(eth_transfer(sender, 0, BOB)))
    addrs = [sender.address, BOB]
    before = fingerprint(n, addrs)

    faults.on("write")
    assert_storage_error(n.rpc_error("eth_sendRawTransaction", raw_hex(eth_transfer(sender, 1, BOB))), "write")
    assert_storage_error(n.rpc_error("evm_increaseTime", hex(DAY)), "write")
    assert_storage_error(n.rpc_error("stakenet_warp", 30 * DAY), "write")
    assert_storage_error(n.rpc_error("evm_mine"), "write")
    assert_storage_error(n.rpc_error("anvil_mine", "0x5"), "write")
    assert_storage_error(n.rpc_error("anvil_setBalance", BOB, hex(1)), "write")
    # Reads go on from committed blocks.
    assert fingerprint(n, addrs) == before
    assert n.rpc("eth_getTransactionReceipt", h0)["status"] == "0x1"
    faults.off()

    assert fingerprint(n, addrs) == before, "a failed write committed something"
    assert "the chain clock was not changed" in log_text(n)
    # The failed evm_increaseTime/stakenet_warp moved no clock: the next block's timestamp (and
    # hash) equal the reference's, which never saw them.
    h1 = both(n, ref, "eth_sendRawTransaction", raw_hex(eth_transfer(sender, 1, BOB)))
    both(n, ref, "evm_mine")
    assert_same_chain(n, ref, addrs)
    restart_and_compare(n, addrs, [h0, h1])


def test_mining_fault_keeps_the_pool(pair):
    n, faults, ref = pair
    sender = DEV[4]
    # Never read before the block: its read reaches LevelDB (a read fault cannot be masked by
    # the head-state cache). Read faults come first: the write-fault attempt reads it.
    fresh = empty_account("storage-fault mining").address
    both(n, ref, "evm_setAutomine", False)
    h = both(n, ref, "eth_sendRawTransaction", raw_hex(eth_transfer(sender, 0, fresh, value=3)))
    addrs = [sender.address]
    before = fingerprint(n, addrs)

    for kind in ("read", "write"):
        faults.on(kind)
        assert_storage_error(n.rpc_error("evm_mine"), kind)
        faults.off()
        assert fingerprint(n, addrs) == before
        pending = n.rpc("eth_getTransactionByHash", h)
        assert pending is not None and pending["blockNumber"] is None, "the failed block must leave the pool as it was"

    both(n, ref, "evm_mine")
    assert n.receipt(h)["status"] == "0x1" and n.balance(fresh) == 3
    assert_same_chain(n, ref, addrs + [fresh])
    restart_and_compare(n, addrs + [fresh], [h])


def test_fault_during_a_warp_rebase_block(pair):
    n, faults, ref = pair
    sender = DEV[5]
    fresh = empty_account("storage-fault warp").address
    addrs = [sender.address]          # `fresh` is read only after the faults
    both(n, ref, "evm_increaseTime", hex(3 * DAY))
    status = n.rpc("stakenet_status")
    before = fingerprint(n, addrs)

    # The next block carries the three due rebases; it fails on the unread recipient.
    tx = raw_hex(eth_transfer(sender, 0, fresh, value=5))
    faults.on("read")
    assert_storage_error(n.rpc_error("eth_sendRawTransaction", tx), "read")
    faults.off()
    assert fingerprint(n, addrs) == before and n.rpc("stakenet_status") == status, "no rebase may be committed"

    faults.on("write")
    assert_storage_error(n.rpc_error("eth_sendRawTransaction", tx), "write")
    assert_storage_error(n.rpc_error("stakenet_warp", DAY), "write")
    faults.off()
    assert fingerprint(n, addrs) == before

    h = both(n, ref, "eth_sendRawTransaction", tx)
    after = n.rpc("stakenet_status")
    assert q(after["ratio"]) < q(status["ratio"]), "the rebases ran in the block that succeeded"
    both(n, ref, "stakenet_warp", DAY)
    assert n.balance(fresh) == 5
    assert_same_chain(n, ref, addrs + [fresh])
    restart_and_compare(n, addrs + [fresh], [h])


def test_fsync_fault_fails_the_request_and_acknowledges_nothing(pair):
    n, faults, ref = pair
    sender = DEV[6]
    addrs = [sender.address, BOB]
    before = fingerprint(n, addrs)
    tx = eth_transfer(sender, 0, BOB)

    faults.on("sync")
    assert_storage_error(n.rpc_error("eth_sendRawTransaction", raw_hex(tx)), "sync")
    # Not durable, so not published: readers still see the old head.
    assert fingerprint(n, addrs) == before
    faults.off()
    assert "are not acknowledged" in log_text(n)

    # The block was written (only its fsync failed), so the next durable round publishes it:
    # a client checks a failed send by hash.
    n.rpc("evm_mine")
    ref.rpc("eth_sendRawTransaction", raw_hex(tx))
    ref.rpc("evm_mine")
    h = txhash(tx)
    assert n.receipt(h)["status"] == "0x1"
    assert_same_chain(n, ref, addrs)
    restart_and_compare(n, addrs, [h])


def test_interval_mining_logs_failures_and_resumes(node, tmp_path, monkeypatch):
    control = tmp_path / "faults"
    faults = Faults(control)
    monkeypatch.setenv("STAKENET_TEST_STORAGE_FAULTS", str(control))
    n = node(["--data-dir", str(tmp_path / "chain"), "--block-time", "0.2"], name="interval")
    time.sleep(0.5)
    faults.on("write")
    stuck = n.head()
    time.sleep(1.0)
    assert n.head() == stuck, "no interval block can be committed while writes fail"
    assert "interval mining:" in log_text(n)
    faults.off()
    deadline = time.monotonic() + 5
    while n.head()[0] <= stuck[0]:
        assert time.monotonic() < deadline, "interval mining did not resume"
        time.sleep(0.05)
