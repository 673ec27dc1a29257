"""Anvil's other names and smaller cheats, as viem's test client and Hardhat's helpers call them:
aliases, anvil_setCoinbase, anvil_removePoolTransactions, anvil_setLoggingEnabled, anvil_getIntervalMining,
eth_sendUnsignedTransaction, eth_getRawTransactionByHash, eth_createAccessList, txpool_inspect."""
import time

from eth_utils import keccak

from support import CHAIN_ID, DEV, GWEI, eth_transfer, q, same_address

SENDER, OTHER = DEV[5], DEV[6]
STRANGER = "0x000000000000000000000000000000000000dEaD"


def transfer(acct, nonce, value=GWEI, to=None, fee=50 * GWEI):
    return eth_transfer(acct, nonce, to or OTHER.address, value=value, fee=fee)


def test_aliases_answer_like_their_originals(dev):
    assert dev.rpc("eth_networkId") == dev.rpc("net_version") == str(CHAIN_ID)
    t0 = dev.rpc("anvil_increaseTime", 100)
    assert dev.rpc("evm_increaseTime", 0) == t0
    dev.rpc("evm_setAccountNonce", STRANGER, "0x7")
    assert dev.nonce(STRANGER) == 7
    dev.rpc("hardhat_autoImpersonateAccount", True)
    dev.rpc("hardhat_dropAllTransactions")


def test_set_coinbase_receives_the_tips(dev):
    cb = "0x00000000000000000000000000000000C0FFEE00"
    dev.rpc("anvil_setCoinbase", cb)
    assert same_address(dev.rpc("eth_coinbase"), cb)
    before = dev.balance(cb)
    rc = dev.receipt(dev.send_raw(transfer(SENDER, dev.nonce(SENDER.address))))
    block = dev.rpc("eth_getBlockByNumber", rc["blockNumber"], False)
    assert same_address(block["miner"], cb)
    tip = q(rc["effectiveGasPrice"]) - q(block["baseFeePerGas"])
    assert dev.balance(cb) - before == tip * 21_000 > 0
    dev.rpc("hardhat_setCoinbase", STRANGER)
    assert same_address(dev.rpc("eth_coinbase"), STRANGER)


def test_remove_pool_transactions_of_one_sender(node):
    n = node(["--no-mining"])
    mine = [n.send_raw(transfer(SENDER, i)) for i in range(3)]
    other = n.send_raw(transfer(OTHER, 0, to=SENDER.address))
    assert q(n.rpc("txpool_status")["pending"]) == 4
    assert n.rpc("anvil_removePoolTransactions", SENDER.address) is None
    assert n.rpc("txpool_status") == {"pending": "0x1", "queued": "0x0"}
    assert all(n.rpc("eth_getTransactionByHash", h) is None for h in mine)
    assert n.rpc("eth_getTransactionByHash", other) is not None


def test_txpool_inspect_summarises_like_geth(node):
    n = node(["--no-mining"])
    n.send_raw(transfer(SENDER, 0, value=5, fee=7 * GWEI))
    n.send_raw(transfer(SENDER, 2, value=6, fee=7 * GWEI))  # nonce gap: queued
    r = n.rpc("txpool_inspect")
    sender = next(k for k in r["pending"] if same_address(k, SENDER.address))
    assert r["pending"][sender] == {"0": f"{OTHER.address}: 5 wei + 21000 gas × {7 * GWEI} wei"}
    queued = next(k for k in r["queued"] if same_address(k, SENDER.address))
    assert list(r["queued"][queued]) == ["2"]


def test_interval_mining_getter(dev):
    assert dev.rpc("anvil_getIntervalMining") is None
    dev.rpc("evm_setIntervalMining", 3)
    assert dev.rpc("anvil_getIntervalMining") == 3
    dev.rpc("evm_setAutomine", True)
    assert dev.rpc("anvil_getIntervalMining") is None


def test_send_unsigned_transaction_from_any_address(dev):
    dev.rpc("anvil_setBalance", STRANGER, hex(10**18))
    h = dev.rpc("eth_sendUnsignedTransaction", {"from": STRANGER, "to": OTHER.address, "value": hex(12345)})
    rc = dev.receipt(h)
    assert rc["status"] == "0x1" and same_address(rc["from"], STRANGER)
    assert dev.rpc("eth_getRawTransactionByHash", h) is not None


def test_raw_transaction_by_hash(node):
    n = node(["--no-mining"])
    signed = transfer(SENDER, 0)
    h = n.send_raw(signed)
    raw = "0x" + bytes(signed.raw_transaction).hex()
    assert n.rpc("eth_getRawTransactionByHash", h) == raw      # pending
    n.rpc("evm_mine")
    assert n.rpc("eth_getRawTransactionByHash", h) == raw      # mined
    assert n.rpc("debug_getRawTransaction", h) == raw
    assert n.rpc("eth_getRawTransactionByHash", "0x" + keccak(b"none").hex()) is None


def test_create_access_list(dev):
    r = dev.rpc("eth_createAccessList", {"from": SENDER.address, "to": OTHER.address, "value": "0x1"}, "latest")
    assert r == {"accessList": [], "gasUsed": hex(21_000)}
    e = dev.rpc_error("eth_createAccessList", {"from": SENDER.address}, "latest", {})
    assert e["code"] == -32602


def test_logging_switch_silences_the_console(node):
    n = node()
    n.rpc("anvil_setLoggingEnabled", False)
    n.rpc("eth_chainId")
    silent_marker = n.send_raw(transfer(SENDER, n.nonce(SENDER.address)))
    time.sleep(0.2)
    log = n.log_path.read_text()
    assert silent_marker not in log and "eth_chainId" not in log.split("anvil_setLoggingEnabled")[-1]
    n.rpc("hardhat_setLoggingEnabled", True)
    loud = n.send_raw(transfer(SENDER, n.nonce(SENDER.address)))
    time.sleep(0.2)
    assert loud in n.log_path.read_text()


def test_min_gas_price_is_refused_after_london(dev):
    e = dev.rpc_error("anvil_setMinGasPrice", "0x1")
    assert e["code"] == -32000 and "EIP-1559" in e["message"]
