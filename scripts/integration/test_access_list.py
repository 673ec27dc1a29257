"""eth_createAccessList as geth builds it: the call runs with an access-list tracer, again with the list it recorded
until the list stops changing; the answer is the list, the gas the call uses with it and, when it fails, geth's VM
error. fixtures/contracts/Keeper.vy touches its own storage and an ERC-20's (fixtures/contracts/Token.vy, or the
native MATIC, whose slots are not listed: its gas is a fixed figure warm slots do not lower)."""
from pathlib import Path

import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from support import CHAIN_ID, CONTRACTS, DEV, GWEI, q, vyper_compile

SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "contracts"
GAS = 300_000


@pytest.fixture(scope="module")
def build():
    out = {}
    for name in ("Keeper", "Token"):
        out[name] = vyper_compile(SOURCES / f"{name}.vy", formats=["abi", "bytecode", "layout"])
    return out


def slot_of(build, name, var):
    return build[name]["layout"]["storage_layout"][var]["slot"]


def word(n):
    return "0x" + n.to_bytes(32, "big").hex()


def send(dev, acct, to, data, access_list=(), gas=GAS):
    tx = {"type": 2, "chainId": CHAIN_ID, "nonce": dev.nonce(acct.address), "to": to, "value": 0, "data": data,
          "gas": gas, "maxFeePerGas": 10 * GWEI, "maxPriorityFeePerGas": GWEI, "accessList": list(access_list)}
    return dev.receipt(dev.send_raw(acct.sign_transaction(tx)))


def deploy(dev, acct, build, name, ctor_args=b""):
    data = build[name]["bytecode"] + ctor_args.hex()
    tx = {"type": 2, "chainId": CHAIN_ID, "nonce": dev.nonce(acct.address), "value": 0, "data": data,
          "gas": 3_000_000, "maxFeePerGas": 10 * GWEI, "maxPriorityFeePerGas": GWEI}
    rc = dev.receipt(dev.send_raw(acct.sign_transaction(tx)))
    assert rc["status"] == "0x1"
    return to_checksum_address(rc["contractAddress"])


def as_sets(access_list):
    return {e["address"].lower(): sorted(e["storageKeys"]) for e in access_list}


KEEP = "0x" + keccak(text="keep()")[:4].hex()
BOOM = "0x" + keccak(text="boom()")[:4].hex()


def addr_word(a):
    return bytes(12) + bytes.fromhex(a[2:])


def test_access_list_has_the_slots_of_the_callee_and_of_the_contract_it_reads(dev, build):
    token = deploy(dev, DEV[0], build, "Token", encode(["string", "string", "uint8", "uint256"], ["T", "T", 18, 10**24]))
    keeper = deploy(dev, DEV[0], build, "Keeper", addr_word(token))
    user = DEV[0]
    r = dev.rpc("eth_createAccessList", {"from": user.address, "to": keeper, "data": KEEP, "gas": hex(GAS)}, "latest")
    # Vyper's HashMap slot: keccak256(slot ‖ key)
    balance_slot = int.from_bytes(keccak(slot_of(build, "Token", "balanceOf").to_bytes(32, "big") + addr_word(user.address)), "big")
    want = {
        keeper.lower(): sorted(word(slot_of(build, "Keeper", v)) for v in ("token", "count", "last")),
        token.lower(): [word(balance_slot)],
    }
    assert set(r) == {"accessList", "gasUsed"} and as_sets(r["accessList"]) == want
    # the recipient carries slots only; the sender and precompiles never appear
    assert user.address.lower() not in as_sets(r["accessList"])
    # sending the transaction with that list uses exactly the reported gas
    rc = send(dev, user, keeper, KEEP, access_list=r["accessList"])
    assert rc["status"] == "0x1" and q(rc["gasUsed"]) == q(r["gasUsed"])
    # a list passed in is kept (an unrelated slot stays) and extended
    extra = {"address": token, "storageKeys": [word(7)]}
    r2 = dev.rpc("eth_createAccessList", {"from": user.address, "to": keeper, "data": KEEP, "accessList": [extra]},
                 "latest")
    assert as_sets(r2["accessList"]) == {**want, token.lower(): sorted([word(balance_slot), word(7)])}


def test_native_contracts_are_listed_by_address_without_slots(dev, build):
    keeper = deploy(dev, DEV[0], build, "Keeper", addr_word(CONTRACTS["MATIC"]))
    user = DEV[1]
    r = dev.rpc("eth_createAccessList", {"from": user.address, "to": keeper, "data": KEEP}, "latest")
    assert as_sets(r["accessList"]) == {
        keeper.lower(): sorted(word(slot_of(build, "Keeper", v)) for v in ("token", "count", "last")),
        CONTRACTS["MATIC"].lower(): [],
    }
    rc = send(dev, user, keeper, KEEP, access_list=r["accessList"])
    assert rc["status"] == "0x1" and q(rc["gasUsed"]) == q(r["gasUsed"])
    # a call straight to a native contract touches no opcode: nothing to list
    transfer = "0xa9059cbb" + bytes(12).hex() + DEV[2].address[2:].lower() + (1).to_bytes(32, "big").hex()
    r = dev.rpc("eth_createAccessList", {"from": user.address, "to": CONTRACTS["MATIC"], "data": transfer}, "latest")
    assert r["accessList"] == []
    assert q(r["gasUsed"]) == q(dev.rpc("eth_estimateGas", {"from": user.address, "to": CONTRACTS["MATIC"], "data": transfer}))


def test_a_failing_call_reports_geths_vm_error_with_its_list(dev, build):
    keeper = deploy(dev, DEV[0], build, "Keeper", addr_word(CONTRACTS["MATIC"]))
    r = dev.rpc("eth_createAccessList", {"from": DEV[1].address, "to": keeper, "data": BOOM, "gas": hex(GAS)}, "latest")
    assert r["error"] == "execution reverted"
    assert as_sets(r["accessList"]) == {keeper.lower(): [word(slot_of(build, "Keeper", "count"))]}
    rc = send(dev, DEV[1], keeper, BOOM, access_list=r["accessList"])
    assert rc["status"] == "0x0" and q(rc["gasUsed"]) == q(r["gasUsed"])
    # out of gas: geth's message, and the slots touched before it ran out
    r = dev.rpc("eth_createAccessList", {"from": DEV[1].address, "to": keeper, "data": KEEP, "gas": hex(30_000)}, "latest")
    assert r["error"] == "out of gas" and q(r["gasUsed"]) == 30_000
    assert as_sets(r["accessList"]) == {keeper.lower(): [word(slot_of(build, "Keeper", "count"))]}
