"""Signed ETH transfers of every supported type, their receipts, blocks and fee accounting."""
import pytest
from eth_account import Account
from hexbytes import HexBytes

from support import (CHAIN_ID, DEV, ETHER, GAS_LIMIT, GWEI, ZERO_BLOOM, header_rlp_hash, next_base_fee, q,
                     same_address)
from rpcschema import assert_conforms

SENDER, RECIPIENT = DEV[1], DEV[2]
VALUE = 1_500_000_000_000_000_123  # 1.5 ETH and some wei: catches rounding anywhere


def legacy(nonce, chain_id=CHAIN_ID, gas_price=3 * GWEI, value=VALUE, gas=21_000, to=None):
    tx = {"nonce": nonce, "gasPrice": gas_price, "gas": gas, "to": to or RECIPIENT.address, "value": value, "data": b""}
    if chain_id is not None:
        tx["chainId"] = chain_id
    return tx


def access_list_tx(nonce, access_list=(), gas_price=3 * GWEI, gas=21_000):
    return {"type": 1, "chainId": CHAIN_ID, "nonce": nonce, "gasPrice": gas_price, "gas": gas,
            "to": RECIPIENT.address, "value": VALUE, "data": b"", "accessList": list(access_list)}


def dynamic_fee_tx(nonce, max_fee=5 * GWEI, tip=2 * GWEI, gas=21_000, chain_id=CHAIN_ID):
    return {"type": 2, "chainId": chain_id, "nonce": nonce, "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip,
            "gas": gas, "to": RECIPIENT.address, "value": VALUE, "data": b""}


CASES = {
    "legacy-eip155": (legacy(0), 0, 21_000),
    "legacy-pre155": (legacy(0, chain_id=None), 0, 21_000),
    "eip2930": (access_list_tx(0), 1, 21_000),
    "eip2930-with-list": (access_list_tx(0, [{"address": DEV[5].address, "storageKeys": ["0x" + "00" * 31 + "01"]}],
                                         gas=30_000), 1, 21_000 + 2_400 + 1_900),
    "eip1559": (dynamic_fee_tx(0), 2, 21_000),
}


@pytest.mark.parametrize("case", list(CASES))
def test_signed_transfer(dev, case):
    tx, tx_type, gas_used = CASES[case]
    signed = SENDER.sign_transaction(tx)
    coinbase = dev.rpc("eth_coinbase")
    before = {a: dev.balance(a) for a in (SENDER.address, RECIPIENT.address, coinbase)}
    parent = dev.rpc("eth_getBlockByNumber", "latest", False)

    tx_hash = dev.send_raw(signed)
    assert tx_hash == "0x" + bytes(signed.hash).hex()

    # receipt
    rc = dev.receipt(tx_hash)
    assert rc["status"] == "0x1"
    assert q(rc["type"]) == tx_type
    assert q(rc["gasUsed"]) == gas_used
    assert q(rc["cumulativeGasUsed"]) == gas_used  # automine: one transaction per block
    assert same_address(rc["from"], SENDER.address) and same_address(rc["to"], RECIPIENT.address)
    assert rc["contractAddress"] is None
    assert rc["logs"] == [] and rc["logsBloom"] == ZERO_BLOOM
    assert rc["transactionHash"] == tx_hash and q(rc["transactionIndex"]) == 0
    assert q(rc["blockNumber"]) == q(parent["number"]) + 1

    # block, by number and by hash, hashes and full
    block = dev.rpc("eth_getBlockByNumber", rc["blockNumber"], False)
    assert block["hash"] == rc["blockHash"]
    assert block["parentHash"] == parent["hash"]
    assert block["transactions"] == [tx_hash]
    assert q(block["gasUsed"]) == gas_used and q(block["gasLimit"]) == GAS_LIMIT
    assert q(block["timestamp"]) >= q(parent["timestamp"])
    assert block["uncles"] == [] and block["withdrawals"] == [] and q(block["difficulty"]) == 0
    assert same_address(block["miner"], coinbase)
    assert len(bytes.fromhex(block["logsBloom"][2:])) == 256
    assert q(block["size"]) > 0
    base_fee = q(block["baseFeePerGas"])
    assert base_fee == next_base_fee(q(parent["baseFeePerGas"]), q(parent["gasUsed"]), q(parent["gasLimit"]))
    assert header_rlp_hash(block) == block["hash"], "block hash is not keccak256(rlp(header)) of the fields returned"
    full = dev.rpc("eth_getBlockByHash", block["hash"], True)
    assert {k: v for k, v in full.items() if k != "transactions"} == {k: v for k, v in block.items() if k != "transactions"}
    assert len(full["transactions"]) == 1

    # transaction, three ways
    by_hash = dev.rpc("eth_getTransactionByHash", tx_hash)
    assert full["transactions"][0] == by_hash
    assert dev.rpc("eth_getTransactionByBlockNumberAndIndex", block["number"], "0x0") == by_hash
    assert dev.rpc("eth_getTransactionByBlockHashAndIndex", block["hash"], "0x0") == by_hash
    assert q(by_hash["type"]) == tx_type and q(by_hash["nonce"]) == 0 and q(by_hash["value"]) == VALUE
    assert same_address(by_hash["from"], SENDER.address) and same_address(by_hash["to"], RECIPIENT.address)
    assert by_hash["blockHash"] == block["hash"] and by_hash["input"] == "0x" and q(by_hash["gas"]) == tx["gas"]
    assert q(by_hash["r"]) == signed.r and q(by_hash["s"]) == signed.s
    if tx_type == 0:
        assert q(by_hash["v"]) == signed.v
    else:
        assert q(by_hash["chainId"]) == CHAIN_ID and q(by_hash["yParity"]) == signed.v
        assert [(e["address"].lower(), e["storageKeys"]) for e in by_hash["accessList"]] == \
               [(e["address"].lower(), e["storageKeys"]) for e in tx.get("accessList", [])]

    # fees: sender pays value + gasUsed * effectiveGasPrice; the tip goes to the coinbase
    if tx_type == 2:
        effective = min(tx["maxFeePerGas"], base_fee + tx["maxPriorityFeePerGas"])
    else:
        effective = tx["gasPrice"]
    assert q(rc["effectiveGasPrice"]) == effective
    fee = gas_used * effective
    assert dev.balance(SENDER.address) == before[SENDER.address] - VALUE - fee
    assert dev.balance(RECIPIENT.address) == before[RECIPIENT.address] + VALUE
    if coinbase.lower() not in (SENDER.address.lower(), RECIPIENT.address.lower()):
        assert dev.balance(coinbase) == before[coinbase] + gas_used * (effective - base_fee)
    assert dev.nonce(SENDER.address) == 1

    # the same through web3.py's formatters
    wr = dev.w3.eth.get_transaction_receipt(tx_hash)
    assert wr["status"] == 1 and wr["gasUsed"] == gas_used and wr["effectiveGasPrice"] == effective
    wb = dev.w3.eth.get_block(wr["blockNumber"], full_transactions=True)
    assert wb["transactions"][0]["hash"] == HexBytes(tx_hash) and wb["baseFeePerGas"] == base_fee
    assert dev.w3.eth.get_block(wr["blockNumber"])["transactions"] == [HexBytes(tx_hash)]

    # every object as the execution-apis schemas say (last, so the checks above report first)
    assert_conforms("eth_getTransactionReceipt", rc)
    assert_conforms("eth_getBlockByNumber", block)
    assert_conforms("eth_getBlockByHash", full)
    assert_conforms("eth_getTransactionByHash", by_hash)


def test_several_transfers_chain_and_base_fee_rule(dev):
    """Ten transfers of mixed types: ten blocks, each linked to its parent, base fee by EIP-1559."""
    sender = DEV[3]
    hashes = []
    for i in range(10):
        tx = [legacy(i), access_list_tx(i), dynamic_fee_tx(i)][i % 3]
        hashes.append(dev.send_raw(sender.sign_transaction(tx)))
    assert dev.rpc("eth_blockNumber") == "0xa"
    blocks = [dev.rpc("eth_getBlockByNumber", hex(n), False) for n in range(11)]
    for parent, child, h in zip(blocks, blocks[1:], hashes):
        assert child["parentHash"] == parent["hash"]
        assert child["transactions"] == [h]
        assert q(child["baseFeePerGas"]) == next_base_fee(q(parent["baseFeePerGas"]), q(parent["gasUsed"]),
                                                         q(parent["gasLimit"]))
        assert header_rlp_hash(child) == child["hash"]
    assert dev.nonce(sender.address) == 10
    assert dev.rpc("eth_getBlockTransactionCountByNumber", "0x5") == "0x1"
    assert dev.rpc("eth_getBlockTransactionCountByHash", blocks[5]["hash"]) == "0x1"
    receipts = dev.rpc("eth_getBlockReceipts", "0x5")
    assert_conforms("eth_getBlockReceipts", receipts)
    assert receipts == [dev.receipt(hashes[4])]


def test_send_transaction_from_dev_account(dev):
    a0, a1 = DEV[0].address, DEV[1].address
    before0, before1 = dev.balance(a0), dev.balance(a1)
    value = 2 * ETHER + 7
    tx_hash = dev.w3.eth.send_transaction({"from": a0, "to": a1, "value": value})
    rc = dev.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
    assert rc["status"] == 1 and rc["gasUsed"] == 21_000
    tx = dev.w3.eth.get_transaction(tx_hash)
    assert tx["from"] == a0 and tx["to"] == a1 and tx["value"] == value
    assert dev.balance(a0) == before0 - value - rc["gasUsed"] * rc["effectiveGasPrice"]
    assert dev.balance(a1) == before1 + value

    # legacy-priced, with an explicit nonce
    tx_hash = dev.w3.eth.send_transaction({"from": a0, "to": a1, "value": 1, "gasPrice": 4 * GWEI, "nonce": 1})
    rc = dev.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
    assert rc["status"] == 1 and rc["type"] == 0 and rc["effectiveGasPrice"] == 4 * GWEI
    assert dev.nonce(a0) == 2


def test_send_transaction_from_unknown_account_fails(dev):
    stranger = Account.from_key(b"\x11" * 32).address
    before = dev.head()
    err = dev.rpc_error("eth_sendTransaction", {"from": stranger, "to": DEV[1].address, "value": "0x1"})
    assert err["code"] != 0
    assert dev.head() == before


def test_nonce_gap_is_queued_then_mined(dev):
    sender = DEV[4]
    later = dev.send_raw(sender.sign_transaction(dynamic_fee_tx(1)))
    assert dev.rpc("eth_blockNumber") == "0x0", "a nonce above the next one must wait in the queue"
    assert dev.rpc("eth_getTransactionReceipt", later) is None
    assert dev.nonce(sender.address) == 0
    first = dev.send_raw(sender.sign_transaction(dynamic_fee_tx(0)))
    r0, r1 = dev.receipt(first), dev.receipt(later)
    assert r0["status"] == "0x1" and r1["status"] == "0x1"
    assert (q(r0["blockNumber"]), q(r0["transactionIndex"])) < (q(r1["blockNumber"]), q(r1["transactionIndex"]))
    assert dev.nonce(sender.address) == 2


def test_estimate_gas_for_transfer(dev):
    assert dev.w3.eth.estimate_gas({"from": DEV[0].address, "to": DEV[1].address, "value": 1}) == 21_000
    assert q(dev.rpc("eth_estimateGas", {"from": DEV[0].address, "to": DEV[1].address, "value": "0x1"})) == 21_000
