"""`--data-dir` restarts and reproducible chains with `--no-wall-clock`."""
import signal

from support import CHAIN_ID, DEV, GWEI, q


def txs(node, sender, start_nonce=0):
    """Three signed transfers of different types and one eth_sendTransaction; returns their hashes."""
    to = DEV[7].address
    base = {"to": to, "data": b"", "gas": 21_000, "chainId": CHAIN_ID}
    signed = [
        {**base, "nonce": start_nonce, "gasPrice": 3 * GWEI, "value": 11},
        {**base, "type": 1, "nonce": start_nonce + 1, "gasPrice": 3 * GWEI, "value": 22, "accessList": []},
        {**base, "type": 2, "nonce": start_nonce + 2, "maxFeePerGas": 4 * GWEI, "maxPriorityFeePerGas": GWEI,
         "value": 33},
    ]
    hashes = [node.send_raw(sender.sign_transaction(t)) for t in signed]
    hashes.append(node.rpc("eth_sendTransaction", {"from": DEV[0].address, "to": to, "value": "0x2c"}))
    return hashes


def capture(node, hashes):
    number, head_hash = node.head()
    watched = [a.address for a in DEV[:8]] + [node.rpc("eth_coinbase")]
    return {
        "head": (number, head_hash),
        "blocks": [node.rpc("eth_getBlockByNumber", hex(n), True) for n in range(number + 1)],
        "balances": {a: node.balance(a) for a in watched},
        "nonces": {a: node.nonce(a) for a in watched},
        "receipts": {h: node.receipt(h) for h in hashes},
        "transactions": {h: node.rpc("eth_getTransactionByHash", h) for h in hashes},
        "historic": node.balance(DEV[1].address, "0x1"),
    }


def test_restart_with_data_dir_resumes_everything(node, tmp_path):
    data = tmp_path / "chain"
    first = node(["--data-dir", str(data)], name="first")
    hashes = txs(first, DEV[1])
    before = capture(first, hashes)
    assert before["head"][0] == 4
    assert first.stop(signal.SIGTERM) == 0, "SIGTERM should shut down cleanly"
    assert data.is_dir() and any(data.iterdir()), "--data-dir left nothing on disk"

    second = node(["--data-dir", str(data)], name="second")
    after = capture(second, hashes)
    for key in before:
        assert after[key] == before[key], f"{key} differs after restart"

    # the chain goes on from where it stopped
    more = txs(second, DEV[1], start_nonce=3)
    rc = second.receipt(more[0])
    assert q(rc["blockNumber"]) == 5
    assert second.rpc("eth_getBlockByNumber", "0x5", False)["parentHash"] == before["head"][1]
    assert second.nonce(DEV[1].address) == 6


def test_kill_9_loses_nothing_acknowledged(node, tmp_path):
    data = tmp_path / "chain"
    first = node(["--data-dir", str(data)], name="first")
    hashes = txs(first, DEV[2])
    before = capture(first, hashes)  # every receipt was returned: all of it must survive
    first.stop(signal.SIGKILL)

    second = node(["--data-dir", str(data)], name="second")
    after = capture(second, hashes)
    for key in before:
        assert after[key] == before[key], f"{key} differs after kill -9"


def test_without_data_dir_state_is_fresh(node):
    first = node(name="first")
    txs(first, DEV[1])
    first.stop()
    second = node(name="second")
    assert second.rpc("eth_blockNumber") == "0x0"
    assert second.nonce(DEV[1].address) == 0


def test_same_timestamp_same_hashes(node):
    flags = ["--no-wall-clock", "--timestamp", "1700000000"]
    chains = []
    for name in ("a", "b"):
        n = node(flags, name=name)
        assert q(n.rpc("eth_getBlockByNumber", "0x0", False)["timestamp"]) == 1_700_000_000
        hashes = txs(n, DEV[3])
        chains.append([n.rpc("eth_getBlockByNumber", hex(i), False)["hash"] for i in range(5)] + hashes)
        n.stop()
    assert chains[0] == chains[1]
