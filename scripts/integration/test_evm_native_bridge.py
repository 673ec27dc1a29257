"""The seam between stakenet's EVM and its five native (Swift) contracts, driven only through JSON-RPC.

A Vyper contract (`Probe`, compiled at test time for Cancun) calls MATIC, PolygonPool, aMATICb, aMATICc and
ANKR the way any contract would (CALL, STATICCALL, DELEGATECALL; CALLCODE from hand-written bytecode
installed with anvil_setCode), and each test checks one behaviour of the bridge against what a Solidity
contract at that address would do on a real chain:

- msg.sender inside the native call is the calling contract;
- ETH sent with the call reaches the native contract (the pool's payable ETH unstake-fee path);
- the native gas table is charged against the forwarded gas, exactly;
- revert data is bubbled byte for byte up to the EOA's eth_call error and a failed receipt;
- EVM logs and native logs interleave in execution order in one receipt;
- one journal: an EVM revert after a native write undoes the write;
- STATICCALL into a state-changing native function fails, into a view works;
- DELEGATECALL and CALLCODE into a native address fail with empty revert data;
- EXTCODESIZE/EXTCODEHASH/EXTCODECOPY of the native addresses agree with eth_getCode.

The operator runs in manual mode, so the blocks hold nothing but the tests' own transactions.
"""

import pytest
from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.logs import DISCARD

from support import AnkrSession, CONTRACTS, DEV, ETHER, empty_account, q, same_address, vyper_compile

ARGS = ["--no-wall-clock", "--timestamp", "1700000000", "--operator", "manual"]
E18 = ETHER
TX_GAS = 1_000_000
ERROR_SELECTOR = bytes.fromhex("08c379a0")
# GasTable.swift: the execution gas of one native function, whatever its arguments
MATIC_TRANSFER_GAS = 30_500

PROBE = r'''
# pragma version ~=0.4.3
"""
@notice Calls into other contracts every way the EVM can, for the native-bridge tests.
"""

interface IERC20:
    def transfer(to: address, amount: uint256) -> bool: nonpayable
    def approve(spender: address, amount: uint256) -> bool: nonpayable
    def balanceOf(a: address) -> uint256: view

event Marker:
    n: uint256

MATIC: immutable(IERC20)


@deploy
def __init__(matic: address):
    MATIC = IERC20(matic)


@payable
@external
def __default__():
    pass


@external
def transfer_matic(to: address, amount: uint256) -> bool:
    return extcall MATIC.transfer(to, amount)


@external
def approve_matic(spender: address, amount: uint256) -> bool:
    return extcall MATIC.approve(spender, amount)


@view
@external
def matic_balance(a: address) -> uint256:
    return staticcall MATIC.balanceOf(a)


@payable
@external
def call(target: address, data: Bytes[2048], value_: uint256) -> (bool, Bytes[2048]):
    """CALL with the given value (taken from this contract's balance); never reverts."""
    ok: bool = False
    out: Bytes[2048] = b""
    ok, out = raw_call(target, data, max_outsize=2048, value=value_, revert_on_failure=False)
    return ok, out


@external
def call_gas(target: address, data: Bytes[2048], gas_: uint256) -> bool:
    """CALL forwarding exactly gas_ (no return data copied, so only the callee's cost differs)."""
    return raw_call(target, data, gas=gas_, revert_on_failure=False)


@external
def relay(target: address, data: Bytes[2048]) -> Bytes[2048]:
    """CALL; re-raises the callee's revert data as it is, else returns its output."""
    ok: bool = False
    out: Bytes[2048] = b""
    ok, out = raw_call(target, data, max_outsize=2048, revert_on_failure=False)
    if not ok:
        raw_revert(out)
    return out


@view
@external
def static(target: address, data: Bytes[2048]) -> (bool, Bytes[2048]):
    ok: bool = False
    out: Bytes[2048] = b""
    ok, out = raw_call(target, data, max_outsize=2048, is_static_call=True, revert_on_failure=False)
    return ok, out


@external
def static_gas(target: address, data: Bytes[2048], gas_: uint256) -> bool:
    return raw_call(target, data, gas=gas_, is_static_call=True, revert_on_failure=False)


@external
def delegate(target: address, data: Bytes[2048]) -> (bool, Bytes[2048]):
    ok: bool = False
    out: Bytes[2048] = b""
    ok, out = raw_call(target, data, max_outsize=2048, is_delegate_call=True, revert_on_failure=False)
    return ok, out


@external
def sandwich(to: address, amount: uint256):
    log Marker(n=1)
    extcall MATIC.transfer(to, amount)
    log Marker(n=2)


@external
def transfer_then_revert(to: address, amount: uint256):
    extcall MATIC.transfer(to, amount)
    raise "Probe: undone"


@external
def inner_fails_outer_goes_on(to: address, amount: uint256) -> bool:
    """A sub-call (to itself) that moves MATIC and then reverts; this frame logs and succeeds."""
    ok: bool = raw_call(self, abi_encode(to, amount, method_id=method_id("transfer_then_revert(address,uint256)")),
                        revert_on_failure=False)
    log Marker(n=3)
    return ok


@view
@external
def code_of(a: address) -> (uint256, bytes32, Bytes[6], DynArray[bytes1, 64]):
    """EXTCODESIZE, EXTCODEHASH, EXTCODECOPY of the first 6 bytes, and every byte by EXTCODECOPY."""
    out: DynArray[bytes1, 64] = []
    n: uint256 = a.codesize
    for i: uint256 in range(n, bound=64):
        out.append(convert(slice(a.code, i, 1), bytes1))
    return n, a.codehash, slice(a.code, 0, 6), out
'''


def callcode_runtime(opcode):
    """Hand-written runtime code: calldata is `target (32-byte word) ‖ payload`. It runs
    `opcode`(gas, target, callvalue, payload) — CALL (0xf1) or CALLCODE (0xf2) — and returns three
    words: success, returndatasize, and the first 32 bytes of the return data (zero if shorter)."""
    code = bytes([
        0x60, 0x20, 0x36, 0x03,        # len = calldatasize - 32
        0x60, 0x20, 0x5F, 0x37,        # calldatacopy(0, 32, len)
        0x5F, 0x5F,                    # retSize 0, retOffset 0
        0x60, 0x20, 0x36, 0x03,        # argsSize = len
        0x5F,                          # argsOffset 0
        0x34,                          # value = callvalue
        0x5F, 0x35,                    # target = calldataload(0)
        0x5A,                          # gas
        opcode,                        # CALL / CALLCODE -> success
        0x5F, 0x52,                    # mstore(0, success)
        0x3D, 0x60, 0x20, 0x52,        # mstore(32, returndatasize)
        0x5F, 0x60, 0x40, 0x52,        # mstore(64, 0)
        0x60, 0x20, 0x3D, 0x10,        # returndatasize < 32 ?
        0x60, 0x2B, 0x57,              #   then skip the copy
        0x60, 0x20, 0x5F, 0x60, 0x40, 0x3E,  # returndatacopy(64, 0, 32)
        0x5B,                          # JUMPDEST (0x2b)
        0x60, 0x60, 0x5F, 0xF3,        # return(0, 96)
    ])
    assert code[0x2B] == 0x5B
    return code


# -- compiling, the node, helpers ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def probe_build():
    out = vyper_compile(PROBE, "Probe")
    return out["abi"], bytes.fromhex(out["bytecode"][2:])


def intrinsic_gas(data: bytes) -> int:
    return 21_000 + sum(16 if b else 4 for b in data)


def error_data(reason) -> bytes:
    return ERROR_SELECTOR + encode(["string"], [reason])


class Bridge(AnkrSession):
    def __init__(self, node, probe_build):
        super().__init__(node)
        self.fee_collector = Web3.to_checksum_address(node.config["operator"]["feeCollector"])
        abi, bytecode = probe_build
        factory = self.w3.eth.contract(abi=abi, bytecode=bytecode)
        h = factory.constructor(self.matic.address).transact({"from": DEV[0].address, "gas": 3_000_000})
        rc = self.w3.eth.wait_for_transaction_receipt(h, timeout=30)
        assert rc["status"] == 1, rc
        self.probe = self.w3.eth.contract(address=rc["contractAddress"], abi=abi)

    def send(self, fn, sender=DEV[0].address, value=0, gas=TX_GAS):
        """Mines a web3 function call from an unlocked dev account; the receipt whatever its status."""
        h = fn.transact({"from": sender, "value": value, "gas": gas})
        return self.w3.eth.wait_for_transaction_receipt(h, timeout=30)

    def ok(self, fn, sender=DEV[0].address, value=0, gas=TX_GAS):
        rc = self.send(fn, sender, value, gas)
        assert rc["status"] == 1, f"transaction failed: {rc}"
        return rc

    def data(self, fn) -> bytes:
        return bytes.fromhex(fn._encode_transaction_data()[2:])

    def exec_gas(self, rc, fn) -> int:
        """gasUsed minus the intrinsic gas of the transaction's calldata."""
        return rc["gasUsed"] - intrinsic_gas(self.data(fn))

    def call_error(self, fn, sender=DEV[0].address, method="eth_call"):
        params = {"from": sender, "to": fn.address, "data": fn._encode_transaction_data()}
        return self.node.rpc_error(method, *([params, "latest"] if method == "eth_call" else [params]))

    def matic_of(self, a):
        return self.matic.functions.balanceOf(a).call()


@pytest.fixture
def b(node, probe_build):
    return Bridge(node(ARGS), probe_build)


def topic_address(t) -> str:
    return to_checksum_address(bytes(t)[12:])


def decoded(contract, rc, event):
    return [dict(e["args"]) for e in getattr(contract.events, event)().process_receipt(rc, errors=DISCARD)
            if same_address(e["address"], contract.address)]


# -- msg.sender -----------------------------------------------------------------------------------------------------

def test_msg_sender_inside_a_native_call_is_the_calling_contract(b):
    probe, eoa, to = b.probe.address, DEV[0].address, DEV[5].address
    b.ok(b.matic.functions.transfer(probe, 10 * E18), eoa)
    eoa0, to0 = b.matic_of(eoa), b.matic_of(to)
    assert b.matic_of(probe) == 10 * E18

    rc = b.ok(b.probe.functions.transfer_matic(to, 3 * E18 + 7), eoa)
    # the log is MATIC's, and its `from` is the contract, not the EOA that sent the transaction
    assert len(rc["logs"]) == 1 and same_address(rc["logs"][0]["address"], b.matic.address)
    assert decoded(b.matic, rc, "Transfer") == [{"from": probe, "to": to, "value": 3 * E18 + 7}]
    assert b.matic_of(probe) == 7 * E18 - 7
    assert b.matic_of(to) == to0 + 3 * E18 + 7
    assert b.matic_of(eoa) == eoa0
    # the contract's view of its own balance through STATICCALL agrees
    assert b.probe.functions.matic_balance(probe).call() == 7 * E18 - 7

    # an allowance is recorded for the contract as owner
    spender = DEV[6].address
    rc = b.ok(b.probe.functions.approve_matic(spender, 12345), eoa)
    assert decoded(b.matic, rc, "Approval") == [{"owner": probe, "spender": spender, "value": 12345}]
    assert b.matic.functions.allowance(probe, spender).call() == 12345
    assert b.matic.functions.allowance(eoa, spender).call() == 0

    # the contract cannot spend what the EOA holds: with 0 MATIC of its own the transfer reverts (MATIC is
    # OpenZeppelin 2.1: SafeMath's bare require, so no reason), exactly as the same call from the contract's
    # address does, and unlike the same call from the EOA
    b.ok(b.probe.functions.transfer_matic(to, 7 * E18 - 7), eoa)
    assert b.matic_of(probe) == 0
    err = b.call_error(b.probe.functions.transfer_matic(to, 1), eoa)
    assert err == {"code": 3, "message": "execution reverted", "data": "0x"}, err
    direct = b.matic.encode_abi("transfer", args=[to, 1])
    assert b.node.rpc_error("eth_call", {"from": probe, "to": b.matic.address, "data": direct}, "latest") == err
    assert b.node.rpc("eth_call", {"from": eoa, "to": b.matic.address, "data": direct}, "latest") == "0x" + "00" * 31 + "01"


def test_staking_through_a_contract_makes_the_contract_the_staker(b):
    probe, eoa = b.probe.address, DEV[0].address
    b.ok(b.matic.functions.transfer(probe, 5 * E18), eoa)
    approve = b.matic.encode_abi("approve", args=[b.pool.address, 2 * E18])
    stake = b.pool.encode_abi("stakeAndClaimBonds", args=[2 * E18])
    b.ok(b.probe.functions.call(b.matic.address, approve, 0), eoa)
    rc = b.ok(b.probe.functions.call(b.pool.address, stake, 0), eoa)
    assert decoded(b.pool, rc, "StakePending") == [{"staker": probe, "amount": 2 * E18}]
    assert decoded(b.matic, rc, "Transfer") == [{"from": probe, "to": b.pool.address, "value": 2 * E18}]
    assert b.bonds.functions.balanceOf(probe).call() == 2 * E18
    assert b.bonds.functions.balanceOf(eoa).call() == 0
    assert b.pool.functions.pendingStakesOf(probe).call() == 2 * E18
    assert b.matic_of(probe) == 3 * E18


def test_ankr_fee_signature_is_checked_for_the_contract_as_staker(b):
    """The notary signs (fee, useBeforeBlock, staker); inside a call from the probe the staker is the probe, so
    a signature made out to the EOA is refused and one made out to the probe is accepted."""
    probe, eoa = b.probe.address, DEV[0].address
    ankr = b.c["ANKR"]
    b.stake_certs(eoa, 10 * E18)
    b.ok(b.certs.functions.transfer(probe, 4 * E18), eoa)
    b.ok(ankr.functions.transfer(probe, 10 * E18), eoa)
    fee = 3 * E18
    b.ok(b.probe.functions.call(ankr.address, ankr.encode_abi("approve", args=[b.pool.address, fee]), 0), eoa)
    assert ankr.functions.allowance(probe, b.pool.address).call() == fee
    use_before = b.w3.eth.block_number + 50

    def sig_for(staker):
        return bytes.fromhex(b.node.rpc("stakenet_unstakeFeeSignature", hex(fee), use_before, staker)[2:])

    wrong = b.pool.encode_abi("unstakeCerts", args=[2 * E18, fee, use_before, sig_for(eoa)])
    ok, out = b.probe.functions.call(b.pool.address, wrong, 0).call({"from": eoa})
    assert ok is False and out == error_data("PolygonPool: invalid unstake fee signature")

    right = b.pool.encode_abi("unstakeCerts", args=[2 * E18, fee, use_before, sig_for(probe)])
    fc0 = ankr.functions.balanceOf(b.fee_collector).call()
    rc = b.ok(b.probe.functions.call(b.pool.address, right, 0), eoa)
    assert decoded(ankr, rc, "Transfer") == [{"from": probe, "to": b.fee_collector, "value": fee}]
    assert decoded(b.pool, rc, "MaticClaimPending") == [{"claimer": probe, "amount": 2 * E18}]
    assert ankr.functions.balanceOf(probe).call() == 7 * E18
    assert ankr.functions.balanceOf(b.fee_collector).call() == fc0 + fee
    assert b.certs.functions.balanceOf(probe).call() == 2 * E18


# -- ETH value ------------------------------------------------------------------------------------------------------

def test_eth_sent_with_the_call_reaches_the_pool_fee_path(b):
    probe, eoa = b.probe.address, DEV[0].address
    b.stake_certs(eoa, 20 * E18)
    b.ok(b.certs.functions.transfer(probe, 6 * E18), eoa)
    fee = b.pool.functions.ethUnstakeFee().call()
    assert fee == 25 * 10**15
    fc0, pool_eth0 = b.node.balance(b.fee_collector), b.node.balance(b.pool.address)

    unstake = b.pool.encode_abi("unstakeCerts", args=[4 * E18, 0, 0, b""])
    # one wei short of the fee: the pool's own reason comes back, nothing moves
    ok, out = b.probe.functions.call(b.pool.address, unstake, fee - 1).call({"from": eoa, "value": fee - 1})
    assert ok is False and out == error_data("PolygonPool: not enough ETH to pay fee")

    value = fee + 999   # the pool forwards all of msg.value to the fee collector
    rc = b.ok(b.probe.functions.call(b.pool.address, unstake, value), eoa, value=value)
    assert decoded(b.pool, rc, "EthFeeCollected") == [{"claimer": probe, "amount": value}]
    assert decoded(b.pool, rc, "MaticClaimPending") == [{"claimer": probe, "amount": 4 * E18}]
    assert b.node.balance(b.fee_collector) == fc0 + value
    assert b.node.balance(b.pool.address) == pool_eth0
    assert b.node.balance(probe) == 0
    assert b.certs.functions.balanceOf(probe).call() == 2 * E18
    assert b.pool.functions.pendingMaticClaimsOf(probe).call() == 4 * E18


def test_eth_to_a_non_payable_native_function_reverts_with_empty_data_and_stays(b):
    probe, eoa, to = b.probe.address, DEV[0].address, DEV[5].address
    b.ok(b.matic.functions.transfer(probe, 2 * E18), eoa)
    h = b.node.rpc("eth_sendTransaction", {"from": eoa, "to": probe, "value": hex(E18)})
    assert b.w3.eth.wait_for_transaction_receipt(h, timeout=30)["status"] == 1
    assert b.node.balance(probe) == E18
    transfer = b.matic.encode_abi("transfer", args=[to, E18])
    ok, out = b.probe.functions.call(b.matic.address, transfer, 1).call({"from": eoa})
    assert (ok, out) == (False, b"")
    # the same call without value works: only the value made it fail
    ok, out = b.probe.functions.call(b.matic.address, transfer, 0).call({"from": eoa})
    assert ok is True and decode(["bool"], out) == (True,)

    to0 = b.matic_of(to)
    rc = b.ok(b.probe.functions.call(b.matic.address, transfer, 10**9), eoa)
    assert rc["logs"] == []
    assert b.node.balance(probe) == E18 and b.node.balance(b.matic.address) == 0
    assert b.matic_of(probe) == 2 * E18 and b.matic_of(to) == to0
    # plain ETH (no calldata) to a native contract is refused too
    ok, out = b.probe.functions.call(b.certs.address, b"", 5).call({"from": eoa})
    assert (ok, out) == (False, b"")


# -- gas --------------------------------------------------------------------------------------------------------------

def test_native_gas_is_charged_against_the_forwarded_gas(b):
    probe, eoa, to = b.probe.address, DEV[0].address, DEV[5].address
    b.ok(b.matic.functions.transfer(probe, 10 * E18), eoa)
    b.ok(b.matic.functions.transfer(to, 1), eoa)             # `to` is a holder already: no first-write case
    nowhere = empty_account("native bridge gas control").address
    transfer = b.matic.encode_abi("transfer", args=[to, E18])

    # the reads of eth_call: one unit short fails, the table's figure succeeds
    assert b.probe.functions.call_gas(b.matic.address, transfer, MATIC_TRANSFER_GAS - 1).call({"from": eoa}) is False
    assert b.probe.functions.call_gas(b.matic.address, transfer, MATIC_TRANSFER_GAS).call({"from": eoa}) is True

    # mined: the control is the same code path calling an empty account (no code, no cost in the callee)
    ctl = b.probe.functions.call_gas(nowhere, transfer, MATIC_TRANSFER_GAS)
    rc_ctl = b.ok(ctl, eoa)
    base = b.exec_gas(rc_ctl, ctl)

    short = b.probe.functions.call_gas(b.matic.address, transfer, MATIC_TRANSFER_GAS - 1)
    rc = b.ok(short, eoa)                                   # the outer call survives the inner out-of-gas
    assert rc["logs"] == [] and b.matic_of(probe) == 10 * E18
    # an out-of-gas callee consumes all it was given
    assert b.exec_gas(rc, short) - base == MATIC_TRANSFER_GAS - 1

    enough = b.probe.functions.call_gas(b.matic.address, transfer, MATIC_TRANSFER_GAS)
    rc = b.ok(enough, eoa)
    assert decoded(b.matic, rc, "Transfer") == [{"from": probe, "to": to, "value": E18}]
    assert b.matic_of(probe) == 9 * E18
    # the callee's cost is the table's figure, on top of the caller's own work
    assert b.exec_gas(rc, enough) - base == MATIC_TRANSFER_GAS

    # plenty forwarded: still exactly the figure (unused gas comes back to the caller)
    plenty = b.probe.functions.call_gas(b.matic.address, transfer, 500_000)
    rc = b.ok(plenty, eoa)
    assert b.exec_gas(rc, plenty) - base == MATIC_TRANSFER_GAS


def test_estimate_gas_covers_the_native_call_exactly(b):
    probe, eoa, to = b.probe.address, DEV[0].address, DEV[5].address
    b.ok(b.matic.functions.transfer(probe, 10 * E18), eoa)
    fn = b.probe.functions.transfer_matic(to, E18)
    est = q(b.node.rpc("eth_estimateGas", {"from": eoa, "to": probe, "data": fn._encode_transaction_data()}))
    assert est > intrinsic_gas(b.data(fn)) + MATIC_TRANSFER_GAS
    # one unit less: the all-but-1/64 the probe can forward no longer covers the native figure; the native
    # call runs out of gas and the probe (Vyper's extcall) reverts
    rc = b.send(fn, eoa, gas=est - 1)
    assert rc["status"] == 0 and rc["logs"] == [] and rc["gasUsed"] < est - 1
    assert b.matic_of(probe) == 10 * E18
    rc = b.send(fn, eoa, gas=est)
    assert rc["status"] == 1 and rc["gasUsed"] <= est
    assert b.matic_of(probe) == 9 * E18


# -- revert data --------------------------------------------------------------------------------------------------------

def test_native_revert_reason_bubbles_byte_for_byte(b):
    probe, eoa, to = b.probe.address, DEV[0].address, DEV[5].address
    b.stake_bonds(eoa, 10 * E18)
    b.ok(b.bonds.functions.transfer(probe, 5 * E18), eoa)
    assert b.bonds.functions.balanceOf(probe).call() == 5 * E18
    reason = "ERC20: transfer amount exceeds balance"
    too_much = b.bonds.encode_abi("transfer", args=[to, 5 * E18 + 1])

    # the native contract's own answer to the probe as sender
    direct = b.node.rpc_error("eth_call", {"from": probe, "to": b.bonds.address, "data": too_much}, "latest")
    assert direct == {"code": 3, "message": f"execution reverted: {reason}", "data": "0x" + error_data(reason).hex()}

    # the raw bytes the probe receives
    ok, out = b.probe.functions.call(b.bonds.address, too_much, 0).call({"from": eoa})
    assert ok is False and out == error_data(reason)

    # re-raised by the probe: the EOA's eth_call and eth_estimateGas see the same error, data and all
    relay = b.probe.functions.relay(b.bonds.address, too_much)
    assert b.call_error(relay, eoa) == direct
    assert b.call_error(relay, eoa, method="eth_estimateGas") == direct

    # mined: a failed receipt, no logs, nothing moved
    eth0 = b.node.balance(eoa)
    rc = b.send(relay, eoa, gas=300_000)
    assert rc["status"] == 0 and rc["logs"] == []
    assert rc["gasUsed"] < 300_000                     # a revert returns the unused gas
    assert b.node.balance(eoa) == eth0 - rc["gasUsed"] * rc["effectiveGasPrice"]
    assert b.bonds.functions.balanceOf(probe).call() == 5 * E18
    assert b.bonds.functions.balanceOf(to).call() == 0

    # the control: within the balance the relay returns the native output (true)
    out = b.probe.functions.relay(b.bonds.address, b.bonds.encode_abi("transfer", args=[to, 5 * E18])).call({"from": eoa})
    assert decode(["bool"], out) == (True,)


# -- logs -------------------------------------------------------------------------------------------------------------

def test_evm_and_native_logs_in_execution_order(b):
    probe, eoa, to = b.probe.address, DEV[0].address, DEV[5].address
    b.ok(b.matic.functions.transfer(probe, 10 * E18), eoa)
    rc = b.ok(b.probe.functions.sandwich(to, 4 * E18), eoa)
    logs = rc["logs"]
    assert [lg["address"] for lg in logs] == [probe, b.matic.address, probe]
    marker = Web3.keccak(text="Marker(uint256)")
    transfer = Web3.keccak(text="Transfer(address,address,uint256)")
    assert [bytes(lg["topics"][0]) for lg in logs] == [marker, transfer, marker]
    assert [int.from_bytes(bytes(lg["data"]), "big") for lg in (logs[0], logs[2])] == [1, 2]
    assert topic_address(logs[1]["topics"][1]) == probe and topic_address(logs[1]["topics"][2]) == to
    assert int.from_bytes(bytes(logs[1]["data"]), "big") == 4 * E18
    assert [lg["logIndex"] for lg in logs] == [0, 1, 2]
    assert all(lg["transactionHash"] == rc["transactionHash"] and lg["blockNumber"] == rc["blockNumber"]
               for lg in logs)
    # eth_getLogs answers the same three, in the same order
    got = b.node.rpc("eth_getLogs", {"fromBlock": hex(rc["blockNumber"]), "toBlock": hex(rc["blockNumber"])})
    assert [(g["address"].lower(), q(g["logIndex"])) for g in got] == \
        [(probe.lower(), 0), (b.matic.address.lower(), 1), (probe.lower(), 2)]
    # the block's bloom has the native contract in it
    bloom = int.from_bytes(bytes(rc["logsBloom"]), "big")
    h = keccak(bytes.fromhex(b.matic.address[2:]))
    for i in (0, 2, 4):
        bit = ((h[i] << 8) | h[i + 1]) & 2047
        assert bloom >> bit & 1, "MATIC's address is missing from the receipt's logsBloom"
    assert b.matic_of(probe) == 6 * E18


# -- one journal ----------------------------------------------------------------------------------------------------

def test_evm_revert_after_a_native_write_undoes_it(b):
    probe, eoa, to = b.probe.address, DEV[0].address, DEV[5].address
    b.ok(b.matic.functions.transfer(probe, 10 * E18), eoa)
    probe0, to0 = b.matic_of(probe), b.matic_of(to)
    supply0 = b.matic.functions.totalSupply().call()

    fn = b.probe.functions.transfer_then_revert(to, 3 * E18)
    err = b.call_error(fn, eoa)
    assert err["code"] == 3 and err["message"] == "execution reverted: Probe: undone", err
    rc = b.send(fn, eoa, gas=300_000)
    assert rc["status"] == 0 and rc["logs"] == []
    assert b.matic_of(probe) == probe0 and b.matic_of(to) == to0
    assert b.matic.functions.totalSupply().call() == supply0

    # a reverted sub-call inside a successful transaction: only its own writes and logs are dropped
    fn = b.probe.functions.inner_fails_outer_goes_on(to, 3 * E18)
    assert fn.call({"from": eoa}) is False
    rc = b.ok(fn, eoa)
    assert [lg["address"] for lg in rc["logs"]] == [probe]
    assert decoded(b.probe, rc, "Marker") == [{"n": 3}]
    assert b.matic_of(probe) == probe0 and b.matic_of(to) == to0
    # the control: the same transfer not followed by a revert does move the MATIC
    b.ok(b.probe.functions.transfer_matic(to, 3 * E18), eoa)
    assert b.matic_of(probe) == probe0 - 3 * E18 and b.matic_of(to) == to0 + 3 * E18


# -- STATICCALL -------------------------------------------------------------------------------------------------------

def test_staticcall_to_a_native_view_works_and_to_a_write_fails(b):
    probe, eoa, to = b.probe.address, DEV[0].address, DEV[5].address
    b.ok(b.matic.functions.transfer(probe, 10 * E18), eoa)
    balance_of = b.matic.encode_abi("balanceOf", args=[probe])
    ok, out = b.probe.functions.static(b.matic.address, balance_of).call({"from": eoa})
    assert ok is True and decode(["uint256"], out) == (10 * E18,)
    ok, out = b.probe.functions.static(b.certs.address, b.certs.encode_abi("ratio", args=[])).call({"from": eoa})
    assert ok is True and decode(["uint256"], out) == (E18,)

    transfer = b.matic.encode_abi("transfer", args=[to, E18])
    approve = b.matic.encode_abi("approve", args=[to, E18])
    stake = b.pool.encode_abi("stakeAndClaimBonds", args=[E18])
    for target, data in ((b.matic.address, transfer), (b.matic.address, approve), (b.pool.address, stake)):
        ok, out = b.probe.functions.static(target, data).call({"from": eoa})
        assert (ok, out) == (False, b""), data
    # the same calls as CALL succeed (the control)
    ok, _ = b.probe.functions.call(b.matic.address, transfer, 0).call({"from": eoa})
    assert ok is True

    # mined: the static write fails like an EVM write in a static context, consuming the gas it was given
    nowhere = empty_account("native bridge static control").address
    ctl = b.probe.functions.static_gas(nowhere, transfer, 100_000)
    base = b.exec_gas(b.ok(ctl, eoa), ctl)
    fn = b.probe.functions.static_gas(b.matic.address, transfer, 100_000)
    rc = b.ok(fn, eoa)
    assert rc["logs"] == []
    assert b.exec_gas(rc, fn) - base == 100_000
    assert b.matic_of(probe) == 10 * E18 and b.matic.functions.allowance(probe, to).call() == 0


# -- DELEGATECALL and CALLCODE ----------------------------------------------------------------------------------------

def test_delegatecall_to_a_native_address_fails_with_empty_data(b):
    probe, eoa, to = b.probe.address, DEV[0].address, DEV[5].address
    b.ok(b.matic.functions.transfer(probe, 10 * E18), eoa)
    calls = {
        "MATIC": b.matic.encode_abi("transfer", args=[to, E18]),
        "PolygonPool": b.pool.encode_abi("getMinimumStake", args=[]),
        "aMATICb": b.bonds.encode_abi("balanceOf", args=[probe]),
        "aMATICc": b.certs.encode_abi("ratio", args=[]),
        "ANKR": b.c["ANKR"].encode_abi("totalSupply", args=[]),
    }
    for name, data in calls.items():
        ok, out = b.probe.functions.delegate(CONTRACTS[name], data).call({"from": eoa})
        assert (ok, out) == (False, b""), name
        # the control: as a CALL the same calldata succeeds
        ok, out = b.probe.functions.call(CONTRACTS[name], data, 0).call({"from": eoa})
        assert ok is True and len(out) == 32, name

    # mined: nothing moves, no logs, and it is a revert (unused gas returned), not an exceptional halt
    fn = b.probe.functions.delegate(b.matic.address, calls["MATIC"])
    rc = b.ok(fn, eoa, gas=TX_GAS)
    assert rc["logs"] == [] and rc["gasUsed"] < 100_000
    assert b.matic_of(probe) == 10 * E18


def test_callcode_to_a_native_address_fails_with_empty_data(b):
    eoa, to = DEV[0].address, DEV[5].address
    callcoder = empty_account("native bridge callcode").address
    caller = empty_account("native bridge call").address
    assert b.node.rpc("anvil_setCode", callcoder, "0x" + callcode_runtime(0xF2).hex()) is None
    assert b.node.rpc("anvil_setCode", caller, "0x" + callcode_runtime(0xF1).hex()) is None
    assert b.node.rpc("eth_getCode", callcoder, "latest") == "0x" + callcode_runtime(0xF2).hex()
    b.ok(b.matic.functions.transfer(callcoder, 5 * E18), eoa)
    b.ok(b.matic.functions.transfer(caller, 5 * E18), eoa)

    def run(account, target, data, value=0):
        payload = encode(["address"], [target]) + bytes.fromhex(data[2:])
        out = b.node.rpc("eth_call", {"from": eoa, "to": account, "data": "0x" + payload.hex(), "value": hex(value)},
                         "latest")
        out = bytes.fromhex(out[2:])
        assert len(out) == 96
        return int.from_bytes(out[:32], "big"), int.from_bytes(out[32:64], "big"), out[64:]

    for name, data in (("MATIC", b.matic.encode_abi("balanceOf", args=[callcoder])),
                       ("aMATICc", b.certs.encode_abi("ratio", args=[])),
                       ("PolygonPool", b.pool.encode_abi("ethUnstakeFee", args=[])),
                       ("aMATICb", b.bonds.encode_abi("ratio", args=[])),
                       ("ANKR", b.c["ANKR"].encode_abi("decimals", args=[]))):
        assert run(callcoder, CONTRACTS[name], data) == (0, 0, bytes(32)), name
        ok, size, _ = run(caller, CONTRACTS[name], data)
        assert (ok, size) == (1, 32), name
    assert run(caller, b.matic.address, b.matic.encode_abi("balanceOf", args=[caller]))[2] == \
        (5 * E18).to_bytes(32, "big")

    # a transfer by CALLCODE, mined: fails, empty return data, nothing moves, no logs
    transfer = b.matic.encode_abi("transfer", args=[to, E18])
    assert run(callcoder, b.matic.address, transfer) == (0, 0, bytes(32))
    payload = encode(["address"], [b.matic.address]) + bytes.fromhex(transfer[2:])
    to0 = b.matic_of(to)
    h = b.node.rpc("eth_sendTransaction", {"from": eoa, "to": callcoder, "data": "0x" + payload.hex(),
                                           "gas": hex(200_000)})
    rc = b.w3.eth.wait_for_transaction_receipt(h, timeout=30)
    assert rc["status"] == 1 and rc["logs"] == []
    assert rc["gasUsed"] < 100_000                     # a revert: the gas given to CALLCODE came back
    assert b.matic_of(callcoder) == 5 * E18 and b.matic_of(to) == to0
    # the control: by CALL the transfer goes through, from the calling account
    payload = encode(["address"], [b.matic.address]) + bytes.fromhex(transfer[2:])
    h = b.node.rpc("eth_sendTransaction", {"from": eoa, "to": caller, "data": "0x" + payload.hex(), "gas": hex(200_000)})
    rc = b.w3.eth.wait_for_transaction_receipt(h, timeout=30)
    assert rc["status"] == 1 and decoded(b.matic, rc, "Transfer") == [{"from": caller, "to": to, "value": E18}]


# -- EXTCODE* ---------------------------------------------------------------------------------------------------------

def test_extcode_of_the_native_addresses_agrees_with_eth_get_code(b):
    seen = set()
    for name, addr in CONTRACTS.items():
        code = bytes.fromhex(b.node.rpc("eth_getCode", addr, "latest")[2:])
        assert code, f"{name} has no code"
        size, codehash, head, every = b.probe.functions.code_of(addr).call()
        assert size == len(code), name
        assert codehash == keccak(code), name
        assert head == code[:6], name
        assert b"".join(every) == code, name
        seen.add(codehash)
    assert len(seen) == len(CONTRACTS)                 # five different codes
    # the control: EVM code installed with anvil_setCode, read the same way
    other = empty_account("native bridge extcode control").address
    b.node.rpc("anvil_setCode", other, "0x" + callcode_runtime(0xF1).hex())
    size, codehash, head, every = b.probe.functions.code_of(other).call()
    assert (size, codehash, head, b"".join(every)) == \
        (len(callcode_runtime(0xF1)), keccak(callcode_runtime(0xF1)), callcode_runtime(0xF1)[:6], callcode_runtime(0xF1))
