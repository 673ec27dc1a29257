"""Account code and storage through real clients: eth_getCode / eth_getStorageAt at the latest and
historical blocks, anvil_setCode / anvil_setStorageAt (and their hardhat_ names), code across
--data-dir restarts and state dumps, and eth_call / eth_estimateGas state overrides in geth's
shape (balance, nonce, code, state, stateDiff).

The overrides target the native contracts' storage (a MATIC balance slot: `_balances` is slot 0 of
the OpenZeppelin 2.x ERC20 layout), since their Swift code reads the same slots bytecode would.
"""
import json
from pathlib import Path

import pytest
from eth_utils import keccak
from web3 import Web3

from support import CONTRACTS, DEV, ETHER, GWEI

REPO = Path(__file__).resolve().parents[2]
INVALID_PARAMS = -32602
MATIC = Web3.to_checksum_address(CONTRACTS["MATIC"])
TARGET = Web3.to_checksum_address("0x00000000000000000000000000000000c0de0001")
CODE = "0x602a60005260206000f3"            # returns 42 from memory (any bytes would do)
OTHER_CODE = "0x6000600055"


def word(x: int) -> str:
    return "0x" + x.to_bytes(32, "big").hex()


def balance_slot(holder: str) -> str:
    """keccak(pad32(holder) ‖ pad32(0)): MATIC's `_balances[holder]`."""
    return "0x" + keccak(bytes.fromhex(holder[2:].rjust(64, "0")) + bytes(32)).hex()


def matic(node):
    abi = json.loads((REPO / "fixtures" / "abi" / "MATIC.json").read_text())
    return node.w3.eth.contract(address=MATIC, abi=abi)


def mine(node, n=1):
    for _ in range(n):
        node.rpc("evm_mine")
    return node.head()[0]


def expect_invalid(node, method, *params, fragments=()):
    err = node.rpc_error(method, *params)
    assert err["code"] == INVALID_PARAMS, err
    for f in fragments:
        assert f in err["message"], (f, err)
    return err


# --- eth_getCode / anvil_setCode ------------------------------------------------------------------

def test_native_contracts_show_the_same_code_at_every_block(dev):
    mine(dev, 2)
    for name, addr in CONTRACTS.items():
        latest = dev.rpc("eth_getCode", addr, "latest")
        assert latest not in ("0x", None) and len(latest) > 2, name
        assert dev.rpc("eth_getCode", addr, "0x0") == latest == dev.rpc("eth_getCode", addr, "0x1"), name
        assert dev.w3.eth.get_code(Web3.to_checksum_address(addr), 0) == bytes.fromhex(latest[2:]), name


def test_set_code_latest_and_historical(dev):
    w3 = dev.w3
    before = mine(dev)                                          # block 1: no code yet
    assert dev.rpc("anvil_setCode", TARGET, CODE) is None       # into block 1's state, as Anvil
    assert dev.rpc("eth_getCode", TARGET, "latest") == CODE
    at = mine(dev, 2)                                           # blocks 2, 3 carry it
    assert dev.rpc("hardhat_setCode", TARGET, OTHER_CODE) is None
    assert w3.eth.get_code(TARGET) == bytes.fromhex(OTHER_CODE[2:])
    assert dev.rpc("eth_getCode", TARGET, hex(at - 1)) == CODE
    assert dev.rpc("eth_getCode", TARGET, hex(before - 1)) == "0x"
    assert dev.rpc("eth_getCode", TARGET, "earliest") == "0x"
    # An EIP-1898 block object works too.
    assert dev.rpc("eth_getCode", TARGET, {"blockNumber": hex(before)}) == CODE
    # Empty code clears it; the account then holds nothing at all.
    dev.rpc("anvil_setCode", TARGET, "0x")
    assert dev.rpc("eth_getCode", TARGET, "latest") == "0x"
    assert dev.rpc("eth_getCode", TARGET, hex(before)) == CODE


def test_code_keeps_its_account_balance_and_nonce(dev):
    dev.rpc("anvil_setBalance", TARGET, hex(5 * ETHER))
    dev.rpc("anvil_setNonce", TARGET, "0x3")
    dev.rpc("anvil_setCode", TARGET, CODE)
    assert dev.balance(TARGET) == 5 * ETHER and dev.nonce(TARGET) == 3
    dev.rpc("anvil_addBalance", TARGET, hex(GWEI))
    dev.rpc("anvil_setNonce", TARGET, "0x4")
    assert dev.balance(TARGET) == 5 * ETHER + GWEI and dev.nonce(TARGET) == 4
    assert dev.rpc("eth_getCode", TARGET, "latest") == CODE
    # An account holding only code is kept (not an empty account).
    dev.rpc("anvil_setBalance", TARGET, "0x0")
    dev.rpc("anvil_setNonce", TARGET, "0x0")
    mine(dev)
    assert dev.rpc("eth_getCode", TARGET, "latest") == CODE


def test_set_code_at_a_native_contract_is_refused(dev):
    head = dev.head()
    for name, addr in CONTRACTS.items():
        code = dev.rpc("eth_getCode", addr, "latest")
        for method in ("anvil_setCode", "hardhat_setCode"):
            expect_invalid(dev, method, addr, CODE, fragments=("param 0", name, "native"))
        assert dev.rpc("eth_getCode", addr, "latest") == code
    assert dev.head() == head


def test_set_code_bad_input_changes_nothing(dev):
    head = dev.head()
    expect_invalid(dev, "anvil_setCode", TARGET, "0x600", fragments=("param 1", "odd"))
    expect_invalid(dev, "anvil_setCode", TARGET, "0xzz", fragments=("param 1",))
    expect_invalid(dev, "anvil_setCode", TARGET, fragments=("param 1",))
    expect_invalid(dev, "anvil_setCode", "0x1234", CODE, fragments=("param 0",))
    expect_invalid(dev, "anvil_setCode", TARGET, CODE, "0x1", fragments=("too many params",))
    expect_invalid(dev, "anvil_setCode", TARGET, "0x" + "00" * (256 * 1024 + 1), fragments=("param 1", "limit"))
    assert dev.rpc("eth_getCode", TARGET, "latest") == "0x"
    assert dev.head() == head
    dev.rpc("anvil_setCode", TARGET, "0x" + "5b" * (256 * 1024))            # the limit itself is fine
    assert len(dev.rpc("eth_getCode", TARGET, "latest")) == 2 + 2 * 256 * 1024


def test_set_code_is_undone_by_evm_revert(dev):
    snap = dev.rpc("evm_snapshot")
    dev.rpc("anvil_setCode", TARGET, CODE)
    mine(dev)
    assert dev.rpc("evm_revert", snap) is True
    assert dev.rpc("eth_getCode", TARGET, "latest") == "0x"
    dev.rpc("anvil_setCode", TARGET, CODE)                  # the same code again after the revert
    assert dev.rpc("eth_getCode", TARGET, "latest") == CODE


# --- eth_getStorageAt / anvil_setStorageAt ----------------------------------------------------------

def test_set_storage_latest_and_historical(dev):
    w3 = dev.w3
    before = mine(dev)
    assert dev.rpc("anvil_setStorageAt", TARGET, "0x5", word(42)) is True
    at = mine(dev)
    assert dev.rpc("hardhat_setStorageAt", TARGET, word(5), "0x7") is True
    assert dev.rpc("eth_getStorageAt", TARGET, "0x5", "latest") == word(7)
    assert w3.eth.get_storage_at(TARGET, 5, before) == (42).to_bytes(32, "big")
    assert dev.rpc("eth_getStorageAt", TARGET, "0x5", hex(before - 1)) == word(0)
    assert dev.rpc("eth_getStorageAt", TARGET, "0x5", hex(at - 1)) == word(42)
    dev.rpc("anvil_setStorageAt", TARGET, "0x5", "0x0")     # zero clears the slot
    assert dev.rpc("eth_getStorageAt", TARGET, "0x5", "latest") == word(0)


def test_set_storage_of_a_native_contract_is_read_by_it(dev):
    holder = Web3.to_checksum_address("0x00000000000000000000000000000000000B0B01")
    token = matic(dev)
    supply = token.functions.totalSupply().call()
    before = mine(dev)
    dev.rpc("anvil_setStorageAt", MATIC, balance_slot(holder), word(1234 * ETHER))
    assert token.functions.balanceOf(holder).call() == 1234 * ETHER
    assert dev.rpc("eth_getStorageAt", MATIC, balance_slot(holder), "latest") == word(1234 * ETHER)
    assert token.functions.balanceOf(holder).call(block_identifier=before - 1) == 0
    assert token.functions.totalSupply().call() == supply, "a raw slot write moves nothing else"
    # The holder can spend it like any MATIC.
    dev.rpc("anvil_impersonateAccount", holder)
    dev.rpc("anvil_setBalance", holder, hex(ETHER))
    tx = token.functions.transfer(DEV[4].address, ETHER).build_transaction({"from": holder, "gas": 200_000})
    rc = dev.w3.eth.wait_for_transaction_receipt(dev.w3.eth.send_transaction(tx))
    assert rc["status"] == 1
    assert token.functions.balanceOf(holder).call() == 1233 * ETHER


def test_set_storage_bad_input(dev):
    head = dev.head()
    over = "0x01" + "00" * 32
    expect_invalid(dev, "anvil_setStorageAt", TARGET, over, "0x1", fragments=("param 1", "32 bytes"))
    expect_invalid(dev, "anvil_setStorageAt", TARGET, "0x1", over, fragments=("param 2", "32 bytes"))
    expect_invalid(dev, "anvil_setStorageAt", TARGET, "0xzz", "0x1", fragments=("param 1",))
    expect_invalid(dev, "anvil_setStorageAt", TARGET, "0x1", fragments=("param 2",))
    expect_invalid(dev, "anvil_setStorageAt", TARGET, "0x1", "0x1", "0x1", fragments=("too many params",))
    assert dev.rpc("eth_getStorageAt", TARGET, "0x1", "latest") == word(0)
    assert dev.head() == head


# --- persistence and dumps ----------------------------------------------------------------------

def test_code_and_storage_survive_a_restart(node, tmp_path):
    data = tmp_path / "chain"
    a = node(["--data-dir", str(data)], name="first")
    mine(a)
    a.rpc("anvil_setCode", TARGET, CODE)
    a.rpc("anvil_setStorageAt", TARGET, "0x1", word(9))
    at = mine(a)
    a.rpc("anvil_setCode", TARGET, OTHER_CODE)
    assert a.stop() == 0
    b = node(["--data-dir", str(data)], name="second")
    assert b.rpc("eth_getCode", TARGET, "latest") == OTHER_CODE
    assert b.rpc("eth_getCode", TARGET, hex(at - 1)) == CODE
    assert b.rpc("eth_getCode", TARGET, "0x0") == "0x"
    assert b.rpc("eth_getStorageAt", TARGET, "0x1", "latest") == word(9)
    assert b.rpc("eth_getCode", CONTRACTS["aMATICb"], "0x0") not in ("0x", None)


def test_dump_carries_code_and_loads_it(node):
    a = node(name="source")
    a.rpc("anvil_setCode", TARGET, CODE)
    a.rpc("anvil_setStorageAt", TARGET, "0x2", word(3))
    blob = a.rpc("anvil_dumpState")
    doc = json.loads(bytes.fromhex(blob[2:]))
    assert doc["stakenet"] == "state/2"
    assert doc["accounts"][TARGET.lower()]["code"] == CODE
    assert doc["accounts"][CONTRACTS["MATIC"].lower()]["code"] == a.rpc("eth_getCode", MATIC, "latest")

    b = node(name="target")
    assert b.rpc("anvil_loadState", blob) is True
    assert b.rpc("eth_getCode", TARGET, "latest") == CODE
    assert b.rpc("eth_getStorageAt", TARGET, "0x2", "latest") == word(3)

    # A state/1 dump (from before accounts had code) still loads; it leaves code alone.
    c = node(name="older")
    c.rpc("anvil_setCode", TARGET, OTHER_CODE)
    old = dict(doc, stakenet="state/1")
    assert c.rpc("anvil_loadState", old) is True
    assert c.rpc("eth_getCode", TARGET, "latest") == OTHER_CODE
    assert c.rpc("eth_getStorageAt", TARGET, "0x2", "latest") == word(3)
    assert c.rpc("eth_getCode", MATIC, "latest") == a.rpc("eth_getCode", MATIC, "latest")
    err = c.rpc_error("anvil_loadState", dict(doc, stakenet="state/9"))
    assert err["code"] == INVALID_PARAMS and "state/9" in err["message"], err


# --- eth_call / eth_estimateGas state overrides ---------------------------------------------------

def test_state_diff_overrides_one_matic_balance(dev):
    token = matic(dev)
    holder = Web3.to_checksum_address("0x00000000000000000000000000000000000B0B02")
    alice = DEV[0].address
    real = token.functions.balanceOf(alice).call()
    assert real > 0
    diff = {MATIC: {"stateDiff": {balance_slot(holder): word(77)}}}
    assert token.functions.balanceOf(holder).call(state_override=diff) == 77
    assert token.functions.balanceOf(alice).call(state_override=diff) == real, "stateDiff keeps the other slots"
    # The raw JSON-RPC shape, at a historical block too.
    call = {"to": MATIC, "data": token.encode_abi("balanceOf", [holder])}
    assert dev.rpc("eth_call", call, "0x0", {MATIC: {"stateDiff": {balance_slot(holder): word(5)}}}) == word(5)
    # Nothing was written.
    assert token.functions.balanceOf(holder).call() == 0
    assert dev.rpc("eth_getStorageAt", MATIC, balance_slot(holder), "latest") == word(0)


def test_state_override_replaces_the_whole_storage(dev):
    token = matic(dev)
    holder = Web3.to_checksum_address("0x00000000000000000000000000000000000B0B03")
    full = {MATIC: {"state": {balance_slot(holder): word(5)}}}
    assert token.functions.balanceOf(holder).call(state_override=full) == 5
    assert token.functions.balanceOf(DEV[0].address).call(state_override=full) == 0
    assert token.functions.totalSupply().call(state_override=full) == 0
    assert token.functions.totalSupply().call() > 0


def test_overrides_make_a_transfer_possible(dev):
    """A holder with no MATIC and no ETH: transfer succeeds in eth_call and eth_estimateGas only
    with its balance slot and its ETH balance overridden."""
    token = matic(dev)
    holder = Web3.to_checksum_address("0x00000000000000000000000000000000000B0B04")
    call = {"from": holder, "to": MATIC, "data": token.encode_abi("transfer", [DEV[1].address, 10])}
    err = dev.rpc_error("eth_call", call, "latest")
    assert err["code"] == 3, err
    ov = {MATIC: {"stateDiff": {balance_slot(holder): word(10)}}, holder: {"balance": hex(ETHER), "nonce": "0x4"}}
    assert dev.rpc("eth_call", call, "latest", ov) == word(1)
    gas = dev.w3.eth.estimate_gas(dict(call, **{"from": Web3.to_checksum_address(holder)}), "latest", ov)
    assert 21_000 < gas < 200_000
    # ETH value needs the balance override too.
    pay = {"from": holder, "to": DEV[1].address, "value": hex(GWEI)}
    assert dev.rpc_error("eth_call", pay, "latest")["code"] == -32003
    assert dev.rpc("eth_call", pay, "latest", {holder: {"balance": hex(ETHER)}}) == "0x"


def test_code_override_is_for_the_call_only(dev):
    ov = {TARGET: {"code": CODE, "balance": "0x1"}}
    assert dev.rpc("eth_call", {"to": TARGET, "data": "0x"}, "latest", ov) == word(42), "the overriding code runs"
    assert dev.rpc("eth_call", {"to": TARGET, "data": "0x"}, "latest") == "0x"
    assert dev.rpc("eth_getCode", TARGET, "latest") == "0x"
    assert dev.balance(TARGET) == 0


def test_bad_overrides_are_invalid_params(dev):
    head = dev.head()
    call = {"to": MATIC, "data": matic(dev).encode_abi("totalSupply", [])}
    cases = [
        ({MATIC: {"state": {}, "stateDiff": {}}}, ("state", "stateDiff")),
        ({MATIC: {"code": "0x6000"}}, (".code", "MATIC", "native")),
        ({TARGET: {"code": "0x600"}}, (".code", "odd")),
        ({TARGET: {"balance": "lots"}}, (".balance",)),
        ({TARGET: {"nonce": "0x10000000000000000"}}, (".nonce", "64 bits")),
        ({TARGET: {"stateDiff": {"0x1": "0xzz"}}}, (".stateDiff",)),
        ({TARGET: {"state": {"0x01" + "00" * 32: "0x1"}}}, (".state", "32 bytes")),
        ({TARGET: {"state": "0x1"}}, (".state", "object")),
        ({TARGET: {"storage": {}}}, ("unknown override field storage",)),
        ({"0x12": {"balance": "0x1"}}, ("param 2", "0x12")),
    ]
    for ov, fragments in cases:
        for method in ("eth_call", "eth_estimateGas"):
            expect_invalid(dev, method, call, "latest", ov, fragments=fragments)
    with pytest.raises(Exception):
        matic(dev).functions.totalSupply().call(state_override={MATIC: {"state": {}, "stateDiff": {}}})
    assert dev.head() == head
