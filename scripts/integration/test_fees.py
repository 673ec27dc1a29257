"""Fee methods and the pending view."""
from support import CHAIN_ID, DEV, GWEI, next_base_fee, q, raw_hex
from rpcschema import assert_conforms


def pending_base_fee(node):
    b = node.rpc("eth_getBlockByNumber", "latest", False)
    return next_base_fee(q(b["baseFeePerGas"]), q(b["gasUsed"]), q(b["gasLimit"]))


def tip_tx(sender, nonce, tip):
    return sender.sign_transaction({"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "maxFeePerGas": 10 * GWEI,
                                    "maxPriorityFeePerGas": tip, "gas": 21_000, "to": DEV[9].address,
                                    "value": 1, "data": b""})


def test_gas_price_and_priority_fee(dev):
    # Anvil's eth_gasPrice: the base fee the next block will have, plus the 1 gwei default tip.
    assert q(dev.rpc("eth_gasPrice")) == pending_base_fee(dev) + GWEI
    assert dev.w3.eth.gas_price == pending_base_fee(dev) + GWEI
    assert q(dev.rpc("eth_maxPriorityFeePerGas")) == GWEI
    dev.send_raw(tip_tx(DEV[1], 0, GWEI))
    assert q(dev.rpc("eth_gasPrice")) == pending_base_fee(dev) + GWEI


def test_fee_history(dev):
    tips = [GWEI, 3 * GWEI, 2 * GWEI]
    for i, tip in enumerate(tips):
        dev.send_raw(tip_tx(DEV[1], i, tip))
    blocks = [dev.rpc("eth_getBlockByNumber", hex(n), False) for n in range(4)]

    fh = dev.rpc("eth_feeHistory", "0x3", "latest", [25, 75])
    assert_conforms("eth_feeHistory", fh)
    assert q(fh["oldestBlock"]) == 1
    assert [q(x) for x in fh["baseFeePerGas"]] == [q(b["baseFeePerGas"]) for b in blocks[1:]] + [pending_base_fee(dev)]
    assert fh["gasUsedRatio"] == [q(b["gasUsed"]) / q(b["gasLimit"]) for b in blocks[1:]]
    assert [[q(r) for r in rs] for rs in fh["reward"]] == [[t, t] for t in tips]

    # web3.py's wrapper, a JSON-number count, and a count past genesis (clamped)
    w = dev.w3.eth.fee_history(2, "latest", [50])
    assert w["oldestBlock"] == 2 and len(w["baseFeePerGas"]) == 3
    fh = dev.rpc("eth_feeHistory", 100, "latest", [])
    assert q(fh["oldestBlock"]) == 0 and len(fh["gasUsedRatio"]) == 4 and len(fh["baseFeePerGas"]) == 5
    assert "reward" not in fh or fh["reward"] in (None, [])
    fh = dev.rpc("eth_feeHistory", "0x2", "pending", [50])
    assert_conforms("eth_feeHistory", fh)
    fh = dev.rpc("eth_feeHistory", "0x1", "0x2", [10])
    assert q(fh["oldestBlock"]) == 2 and [q(r) for r in fh["reward"][0]] == [3 * GWEI]


def test_fee_history_rejects_bad_percentiles(dev):
    for pct in ([75, 25], [101], [-1]):
        assert dev.rpc_error("eth_feeHistory", "0x1", "latest", pct)["code"] in (-32602, -32000)


def test_transaction_count_pending_with_automine(dev):
    a = DEV[1].address
    assert dev.w3.eth.get_transaction_count(a, "pending") == 0
    dev.send_raw(tip_tx(DEV[1], 0, GWEI))
    assert dev.w3.eth.get_transaction_count(a, "pending") == 1
    assert dev.w3.eth.get_transaction_count(a, "latest") == 1
    assert dev.w3.eth.get_transaction_count(a, "earliest") == 0


def test_no_mining_keeps_transactions_pending(node):
    n = node(["--no-mining"])
    a = DEV[1].address
    h0 = n.send_raw(tip_tx(DEV[1], 0, GWEI))
    h1 = n.send_raw(tip_tx(DEV[1], 1, GWEI))
    assert n.rpc("eth_blockNumber") == "0x0"
    assert n.rpc("eth_getTransactionReceipt", h0) is None
    assert n.nonce(a, "latest") == 0
    assert n.nonce(a, "pending") == 2
    tx = n.rpc("eth_getTransactionByHash", h1)
    assert tx is not None and tx["blockHash"] is None and tx["blockNumber"] is None
    # resending a pending transaction
    err = n.rpc_error("eth_sendRawTransaction", raw_hex(tip_tx(DEV[1], 0, GWEI)))
    assert "already known" in err["message"], err


def test_no_mining_then_evm_mine(node):
    n = node(["--no-mining"])
    hashes = [n.send_raw(tip_tx(DEV[1], i, GWEI)) for i in range(3)]
    n.rpc("evm_mine")
    assert n.rpc("eth_blockNumber") == "0x1"
    block = n.rpc("eth_getBlockByNumber", "0x1", False)
    assert block["transactions"] == hashes
    receipts = [n.receipt(h) for h in hashes]
    assert [q(r["cumulativeGasUsed"]) for r in receipts] == [21_000, 42_000, 63_000]
    assert [q(r["transactionIndex"]) for r in receipts] == [0, 1, 2]
    assert n.nonce(DEV[1].address) == 3
