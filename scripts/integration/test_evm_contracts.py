"""Contracts on stakenet's EVM: the Vyper sources in fixtures/contracts, compiled at test time for Cancun, deployed
and driven with signed raw type-2 transactions through web3.py and eth-account.

Every transaction is also run through py-evm's CancunVM (evmref.RefChain, the same signed bytes from the
same genesis balances), and its receipt status, gasUsed, contractAddress and logs, and the balance, nonce,
code and written storage slots of each account it touched, must be the node's: so every gas figure below
(deploy, transfer, approve, transferFrom, ...) equals py-evm's.

Covered: an ERC-20 (metadata, transfers, allowances, events through eth_getLogs, storage layout, revert
reasons), CREATE2 through a factory (address prediction on chain and off, collisions), reverts with a reason
string, a custom error and empty data, and an INVALID opcode (geth's eth_call error shapes), SELFDESTRUCT in
the creating transaction and later (EIP-6780), and a reentrancy lock in transient storage (EIP-1153).
"""
from pathlib import Path

import pytest
import rlp
from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.logs import DISCARD

from evmref import RefChain, dev_alloc
from support import CHAIN_ID, DEV, ETHER, GWEI, empty_account, q, same_address, vyper_compile

# py-evm warns on every SELFDESTRUCT it runs
pytestmark = pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode:DeprecationWarning")

SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "contracts"
ARGS = ["--operator", "manual"]          # nothing but the tests' own transactions in the blocks
TX_GAS = 3_000_000
ZERO = "0x0000000000000000000000000000000000000000"
ERROR_SELECTOR = "08c379a0"
UNAUTHORIZED = function_signature_to_4byte_selector("Unauthorized(address,uint256)")
E18 = ETHER


def error_data(reason):
    return "0x" + ERROR_SELECTOR + encode(["string"], [reason]).hex()


def create_address(sender, nonce):
    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


def create2_address(deployer, salt, initcode):
    return to_checksum_address(keccak(b"\xff" + bytes.fromhex(deployer[2:]) + salt + keccak(initcode))[12:])


def word_slot(*parts):
    """A Vyper HashMap slot: keccak256(slot ++ key) (the reverse of Solidity's order), nested left to right."""
    slot = parts[0]
    for key in parts[1:]:
        k = int(key, 16) if isinstance(key, str) else key
        slot = int.from_bytes(keccak(slot.to_bytes(32, "big") + k.to_bytes(32, "big")), "big")
    return slot


# -- compiling ---------------------------------------------------------------------------------------------------
class Compiled:
    def __init__(self, name, out):
        self.name = name
        self.abi = out["abi"]
        self.bytecode = bytes.fromhex(out["bytecode"][2:])
        self.runtime = bytes.fromhex(out["bytecode_runtime"][2:])
        self.opcodes = out["opcodes_runtime"].split()
        self.layout = out["layout"]

    def slot(self, var):
        return self.layout["storage_layout"][var]["slot"]


@pytest.fixture(scope="session")
def compiled():
    """`compiled(name)`: fixtures/contracts/<name>.vy compiled once per session with evm_version cancun.
    `compiled(name, source=...)` compiles a variant under its own cache key."""
    cache = {}

    def get(name, source=None, key=None):
        key = key or name
        if key not in cache:
            src = source if source is not None else (SOURCES / f"{name}.vy").read_text()
            out = vyper_compile(src, name, formats=["abi", "bytecode", "bytecode_runtime", "opcodes_runtime", "layout"])
            cache[key] = Compiled(name, out)
        return cache[key]

    return get


# -- the node and py-evm side by side ----------------------------------------------------------------------------
class Twin:
    """A node and a py-evm reference chain with the same genesis balances for the dev accounts. `send` signs one
    type-2 transaction, runs it on both and checks that they agree (receipt and touched accounts)."""

    def __init__(self, node):
        self.node = node
        self.w3 = node.w3
        self.ref = RefChain(dev_alloc())
        self.nonces = {}
        self.senders = set()
        self.last_ref = None

    def sign(self, acct, to, data=b"", value=0, gas=TX_GAS):
        nonce = self.nonces.get(acct.address, 0)
        self.nonces[acct.address] = nonce + 1
        tx = {"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "maxFeePerGas": 50 * GWEI,
              "maxPriorityFeePerGas": GWEI, "gas": gas, "value": value, "data": data}
        if to is not None:
            tx["to"] = to
        return acct.sign_transaction(tx)

    def send(self, acct, to, data=b"", value=0, gas=TX_GAS):
        """Mines one transaction on the node and runs it on py-evm; returns the node's receipt."""
        signed = self.sign(acct, to, data, value, gas)
        self.senders.add(acct.address)
        rc = self.node.receipt(self.node.send_raw(signed))
        ref = self.ref.apply(signed)
        self.last_ref = ref
        what = f"transaction {rc['transactionHash']} (py-evm: {ref.error or 'success'})"
        assert q(rc["status"]) == ref.status, f"{what}: status {rc['status']}, py-evm {ref.status}"
        assert q(rc["gasUsed"]) == ref.gas_used, f"{what}: gasUsed {q(rc['gasUsed'])}, py-evm {ref.gas_used}"
        if ref.contract_address is None:
            assert rc.get("contractAddress") is None, f"{what}: contractAddress {rc['contractAddress']} for a call"
        else:
            assert same_address(rc.get("contractAddress"), ref.contract_address), \
                f"{what}: contractAddress {rc.get('contractAddress')}, py-evm {ref.contract_address}"
        got = [(to_checksum_address(lg["address"]), [t.lower() for t in lg["topics"]], lg["data"].lower())
               for lg in rc["logs"]]
        assert got == [(lg.address, lg.topics, lg.data) for lg in ref.logs], f"{what}: logs differ from py-evm"
        for address, slots in ref.written.items():
            if address in self.senders or address == ZERO:
                continue  # fees: not this comparison's business (the coinbase is the zero address)
            want = self.ref.account(address, sorted(slots))
            assert self.node.balance(address) == want["balance"], f"{what}: balance of {address}"
            assert self.node.nonce(address) == want["nonce"], f"{what}: nonce of {address}"
            assert self.code(address) == want["code"], f"{what}: code of {address}"
            for s in sorted(slots):
                assert self.storage(address, s) == want["storage"][s], f"{what}: storage {hex(s)} of {address}"
        return rc

    def ok(self, acct, to, data=b"", value=0, gas=TX_GAS):
        rc = self.send(acct, to, data, value, gas)
        assert q(rc["status"]) == 1, f"transaction failed: {rc}"
        return rc

    def deploy(self, acct, c: Compiled, *args, value=0, gas=TX_GAS):
        """Deploys `c` with constructor `args`; returns (web3 contract at the new address, receipt)."""
        ctor = next((i for i in c.abi if i["type"] == "constructor"), {"inputs": []})
        initcode = c.bytecode + encode([i["type"] for i in ctor["inputs"]], list(args))
        nonce = self.nonces.get(acct.address, 0)
        rc = self.ok(acct, None, initcode, value, gas)
        assert same_address(rc["contractAddress"], create_address(acct.address, nonce))
        return self.w3.eth.contract(address=to_checksum_address(rc["contractAddress"]), abi=c.abi), rc

    def tx(self, acct, fn, value=0, gas=TX_GAS):
        """Sends a web3 ContractFunction call as a signed transaction; returns the receipt, whatever its status."""
        return self.send(acct, fn.address, bytes.fromhex(fn._encode_transaction_data()[2:]), value, gas)

    # reads
    def code(self, address, block="latest"):
        return bytes.fromhex(self.node.rpc("eth_getCode", address, block)[2:])

    def storage(self, address, slot, block="latest"):
        v = self.node.rpc("eth_getStorageAt", address, hex(slot), block)
        assert len(v) == 66, f"eth_getStorageAt must answer 32 bytes, got {v}"
        return int(v, 16)

    def call_error(self, to, data, sender=DEV[0].address, method="eth_call"):
        """The error object of an eth_call (or eth_estimateGas) that must fail."""
        params = {"from": sender, "to": to, "data": data if isinstance(data, str) else "0x" + data.hex()}
        args = [params, "latest"] if method == "eth_call" else [params]
        return self.node.rpc_error(method, *args)


@pytest.fixture
def twin(node):
    return Twin(node(ARGS))


def events(contract, rc, name):
    """The decoded `name` events of one receipt (the contract's other events skipped)."""
    return [dict(e["args"]) for e in getattr(contract.events, name)().process_receipt(rc, errors=DISCARD)]


# -- ERC-20 ------------------------------------------------------------------------------------------------------
SUPPLY = 1_000_000 * E18


def deploy_token(twin, compiled):
    return twin.deploy(DEV[0], compiled("Token"), "Stake Token", "STK", 18, SUPPLY)


def test_erc20_deploy_receipt_code_storage_and_metadata(twin, compiled):
    c = compiled("Token")
    owner = DEV[0].address
    head0 = q(twin.node.rpc("eth_blockNumber"))
    token, rc = deploy_token(twin, compiled)
    assert q(rc["status"]) == 1 and rc["to"] is None
    assert 0 < q(rc["gasUsed"]) < TX_GAS and q(rc["gasUsed"]) == twin.last_ref.gas_used
    assert twin.code(token.address) == c.runtime
    assert twin.code(token.address, hex(head0)) == b""      # not there before the deploy block
    assert twin.node.nonce(token.address) == 1              # EIP-161: a new contract starts at nonce 1
    # storage: Vyper's layout, HashMap slots at keccak256(slot ++ key)
    assert twin.storage(token.address, c.slot("totalSupply")) == SUPPLY
    assert twin.storage(token.address, c.slot("decimals")) == 18
    assert twin.storage(token.address, word_slot(c.slot("balanceOf"), owner)) == SUPPLY
    assert twin.storage(token.address, c.slot("name")) == len("Stake Token")   # a String's length word
    assert twin.storage(token.address, 99) == 0
    # the constructor's Transfer event (mint from the zero address)
    assert events(token, rc, "Transfer") == [{"sender": ZERO, "receiver": owner, "value": SUPPLY}]
    # metadata through eth_call: ABI-encoded strings and a uint8
    assert token.functions.name().call() == "Stake Token"
    assert token.functions.symbol().call() == "STK"
    assert token.functions.decimals().call() == 18
    assert token.functions.totalSupply().call() == SUPPLY
    assert token.functions.balanceOf(owner).call() == SUPPLY
    # and at a historical block: nothing there before the deploy
    assert twin.node.rpc("eth_call", {"to": token.address, "data": "0x18160ddd"}, hex(head0)) == "0x"


def test_erc20_transfers_and_allowances_match_py_evm_gas(twin, compiled):
    """Each receipt's gasUsed is checked against py-evm by Twin.send; the paths differ in cost (a zero balance
    slot made non-zero, non-zero to non-zero, non-zero to zero with its refund, the max-allowance shortcut)."""
    c = compiled("Token")
    a, b, d, e = DEV[0], DEV[1], DEV[2], DEV[3]
    token, _ = deploy_token(twin, compiled)
    f = token.functions

    rc = twin.tx(a, f.transfer(b.address, 1000 * E18))                 # 0 -> non-zero
    assert q(rc["status"]) == 1
    assert events(token, rc, "Transfer") == [{"sender": a.address, "receiver": b.address, "value": 1000 * E18}]
    gas_fresh = q(rc["gasUsed"])
    rc = twin.tx(a, f.transfer(b.address, 1 * E18))                     # non-zero -> non-zero
    assert q(rc["gasUsed"]) < gas_fresh
    rc = twin.tx(b, f.transfer(d.address, 1001 * E18))                  # b's balance back to zero: a refund
    assert q(rc["status"]) == 1
    assert f.balanceOf(b.address).call() == 0 and f.balanceOf(d.address).call() == 1001 * E18
    assert twin.storage(token.address, word_slot(c.slot("balanceOf"), b.address)) == 0

    rc = twin.tx(a, f.approve(b.address, 500 * E18))
    assert events(token, rc, "Approval") == [{"owner": a.address, "spender": b.address, "value": 500 * E18}]
    assert f.allowance(a.address, b.address).call() == 500 * E18
    assert twin.storage(token.address, word_slot(c.slot("allowance"), a.address, b.address)) == 500 * E18
    rc = twin.tx(b, f.transferFrom(a.address, e.address, 200 * E18))
    assert q(rc["status"]) == 1
    assert events(token, rc, "Approval") == [{"owner": a.address, "spender": b.address, "value": 300 * E18}]
    assert events(token, rc, "Transfer") == [{"sender": a.address, "receiver": e.address, "value": 200 * E18}]
    assert f.allowance(a.address, b.address).call() == 300 * E18
    twin.tx(b, f.transferFrom(a.address, e.address, 300 * E18))        # allowance to zero
    assert f.allowance(a.address, b.address).call() == 0
    twin.tx(a, f.approve(b.address, 2**256 - 1))                        # infinite allowance is not decremented
    rc = twin.tx(b, f.transferFrom(a.address, b.address, 5 * E18))
    assert events(token, rc, "Approval") == []
    assert f.allowance(a.address, b.address).call() == 2**256 - 1
    twin.tx(a, f.approve(b.address, 0))

    assert f.balanceOf(e.address).call() == 500 * E18
    assert sum(f.balanceOf(x.address).call() for x in (a, b, d, e)) == SUPPLY

    # eth_estimateGas answers a limit the transaction succeeds with
    fn = f.transfer(d.address, 7)
    est = q(twin.node.rpc("eth_estimateGas", {"from": a.address, "to": token.address,
                                              "data": fn._encode_transaction_data()}))
    rc = twin.tx(a, fn, gas=est)
    assert q(rc["status"]) == 1 and q(rc["gasUsed"]) <= est


def test_erc20_reverts_carry_reasons(twin, compiled):
    a, b = DEV[0], DEV[1]
    token, _ = deploy_token(twin, compiled)
    f = token.functions
    cases = [
        (b, f.transfer(a.address, 1), "ERC20: transfer amount exceeds balance"),
        (a, f.transfer(ZERO, 1), "ERC20: transfer to the zero address"),
        (b, f.transferFrom(a.address, b.address, 1), "ERC20: insufficient allowance"),
        (a, f.approve(ZERO, 1), "ERC20: approve to the zero address"),
    ]
    for sender, fn, reason in cases:
        data = fn._encode_transaction_data()
        err = twin.call_error(token.address, data, sender.address)
        assert err == {"code": 3, "message": f"execution reverted: {reason}", "data": error_data(reason)}, err
        err = twin.call_error(token.address, data, sender.address, method="eth_estimateGas")
        assert (err["code"], err["message"], err["data"]) == (3, f"execution reverted: {reason}", error_data(reason))
        # web3.py turns the error into ContractLogicError with the reason and the data
        with pytest.raises(ContractLogicError) as exc:
            fn.call({"from": sender.address})
        assert reason in str(exc.value) and exc.value.data == error_data(reason)
        # mined with a fixed gas limit: status 0, py-evm's gasUsed, no logs, nothing moved
        rc = twin.tx(sender, fn, gas=200_000)
        assert q(rc["status"]) == 0 and rc["logs"] == [] and q(rc["gasUsed"]) < 200_000
    assert f.balanceOf(a.address).call() == SUPPLY and f.balanceOf(b.address).call() == 0


def test_erc20_events_through_get_logs(twin, compiled):
    a, b, d = DEV[0], DEV[1], DEV[2]
    token, deploy_rc = deploy_token(twin, compiled)
    other, _ = twin.deploy(DEV[4], compiled("Token"), "Other", "OTH", 6, 10**12)
    f = token.functions
    r1 = twin.tx(a, f.transfer(b.address, 10))
    r2 = twin.tx(a, f.approve(d.address, 20))
    r3 = twin.tx(d, f.transferFrom(a.address, d.address, 5))
    r4 = twin.tx(DEV[4], other.functions.transfer(b.address, 1))
    transfer = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
    approval = "0x" + keccak(text="Approval(address,address,uint256)").hex()

    def topic(addr):
        return "0x" + "00" * 12 + addr[2:].lower()

    def logs(**flt):
        return twin.node.rpc("eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest", **flt})

    all_token = logs(address=token.address)
    assert [lg["transactionHash"] for lg in all_token] == [deploy_rc["transactionHash"], r1["transactionHash"],
                                                           r2["transactionHash"], r3["transactionHash"],
                                                           r3["transactionHash"]]
    assert all(same_address(lg["address"], token.address) for lg in all_token)
    assert [lg["topics"][0] for lg in all_token] == [transfer, transfer, approval, approval, transfer]
    # logs in the receipts are the same objects eth_getLogs answers
    assert all_token[1] == r1["logs"][0]
    # by topic, across contracts; by indexed argument; OR within a position; by block range and by block hash
    assert len(logs(topics=[transfer])) == 5
    assert [lg["transactionHash"] for lg in logs(topics=[transfer, None, topic(b.address)])] == \
        [r1["transactionHash"], r4["transactionHash"]]
    by_owner = logs(address=token.address, topics=[[transfer, approval], topic(a.address)])
    assert [lg["transactionHash"] for lg in by_owner] == \
        [r1["transactionHash"], r2["transactionHash"], r3["transactionHash"], r3["transactionHash"]]
    assert logs(address=token.address, topics=[approval, topic(a.address), topic(d.address)])[0]["data"] == \
        "0x" + encode(["uint256"], [20]).hex()
    blk = r3["blockNumber"]
    assert len(twin.node.rpc("eth_getLogs", {"fromBlock": blk, "toBlock": blk, "address": token.address})) == 2
    assert len(twin.node.rpc("eth_getLogs", {"blockHash": r3["blockHash"]})) == 2
    decoded = [dict(token.events.Transfer().process_log(lg)["args"])
               for lg in logs(address=token.address, topics=[transfer])]
    assert decoded[-1] == {"sender": a.address, "receiver": d.address, "value": 5}
    # log indexes count within the block, transaction indexes within the block
    assert [q(lg["logIndex"]) for lg in r3["logs"]] == [0, 1]


# -- CREATE2 -----------------------------------------------------------------------------------------------------
def deploy_factory(twin, compiled):
    child = compiled("Child")
    factory, _ = twin.deploy(DEV[0], compiled("Factory"), child.bytecode)
    return factory, child


def test_create2_factory_predicts_and_deploys(twin, compiled):
    factory, child = deploy_factory(twin, compiled)
    owner = DEV[1].address
    salt = keccak(text="stakenet create2")
    initcode = child.bytecode + encode(["address", "uint256"], [owner, 42])
    expected = create2_address(factory.address, salt, initcode)
    # the on-chain prediction (KECCAK256 over storage-copied initcode) and ours agree
    assert factory.functions.predict(salt, owner, 42).call() == expected
    assert twin.code(expected) == b""
    assert twin.node.nonce(factory.address) == 1

    rc = twin.tx(DEV[0], factory.functions.deploy(salt, owner, 42))
    assert q(rc["status"]) == 1 and rc["contractAddress"] is None
    assert events(factory, rc, "Deployed") == [{"child": expected, "salt": salt, "owner": owner, "amount": 42}]
    assert twin.code(expected) == child.runtime
    assert twin.node.nonce(expected) == 1 and twin.node.nonce(factory.address) == 2
    kid = twin.w3.eth.contract(address=expected, abi=child.abi)
    assert kid.functions.owner().call() == owner
    assert kid.functions.value().call() == 42
    assert kid.functions.factory().call() == factory.address
    # the deploy's return value, through eth_call on the same arguments with another salt
    salt2 = keccak(text="stakenet create2 #2")
    assert factory.functions.deploy(salt2, owner, 1).call({"from": DEV[0].address}) == \
        factory.functions.predict(salt2, owner, 1).call()

    # the same salt and initcode again: an address collision. raw_create reverts (empty revert data) ...
    rc = twin.tx(DEV[0], factory.functions.deploy(salt, owner, 42), gas=500_000)
    assert q(rc["status"]) == 0
    err = twin.call_error(factory.address, factory.functions.deploy(salt, owner, 42)._encode_transaction_data())
    assert err == {"code": 3, "message": "execution reverted", "data": "0x"}, err
    # ... and CREATE2 itself pushes 0 (try_deploy does not revert); a collision still bumps the factory's nonce
    assert factory.functions.try_deploy(salt, owner, 42).call({"from": DEV[0].address}) == ZERO
    rc = twin.tx(DEV[0], factory.functions.try_deploy(salt, owner, 42))
    assert q(rc["status"]) == 1 and twin.node.nonce(factory.address) == 3
    # other constructor arguments are another initcode, so another address
    other = factory.functions.predict(salt, owner, 43).call()
    assert other != expected
    twin.tx(DEV[0], factory.functions.deploy(salt, owner, 43))
    assert twin.code(other) == child.runtime


def test_create2_child_destroyed_in_its_creating_transaction_frees_the_address(twin, compiled):
    factory, child = deploy_factory(twin, compiled)
    salt = keccak(text="stakenet create2 destroy")
    beneficiary = empty_account("evm create2 beneficiary").address
    addr = factory.functions.predict(salt, DEV[0].address, 7).call()
    rc = twin.tx(DEV[0], factory.functions.deploy_and_destroy(salt, beneficiary))
    assert q(rc["status"]) == 1
    # EIP-6780: created and self-destructed in one transaction, so the account is gone
    assert twin.code(addr) == b"" and twin.node.nonce(addr) == 0 and twin.node.balance(addr) == 0
    # and the same CREATE2 address can be used again
    rc = twin.tx(DEV[0], factory.functions.deploy_and_destroy(salt, beneficiary))
    assert q(rc["status"]) == 1
    rc = twin.tx(DEV[0], factory.functions.deploy(salt, DEV[0].address, 7))
    assert q(rc["status"]) == 1 and twin.code(addr) == child.runtime
    # destroyed in a later transaction: under Cancun only the balance moves; the code stays, so the address
    # is still taken
    kid = twin.w3.eth.contract(address=addr, abi=child.abi)
    rc = twin.tx(DEV[0], kid.functions.destroy(beneficiary))
    assert q(rc["status"]) == 1
    assert twin.code(addr) == child.runtime and kid.functions.value().call() == 7
    assert factory.functions.try_deploy(salt, DEV[0].address, 7).call({"from": DEV[0].address}) == ZERO


# -- reverts -----------------------------------------------------------------------------------------------------
def test_revert_reason_custom_error_empty_and_invalid(twin, compiled):
    c = compiled("Reverter")
    rev, _ = twin.deploy(DEV[0], c)
    f = rev.functions
    me = DEV[0].address

    def data(fn):
        return fn._encode_transaction_data()

    assert f.require_positive(5).call() == 5
    reason = "Reverter: x must be positive"
    assert twin.call_error(rev.address, data(f.require_positive(0))) == \
        {"code": 3, "message": f"execution reverted: {reason}", "data": error_data(reason)}
    reason = "Reverter: always fails"
    assert twin.call_error(rev.address, data(f.fail_reason())) == \
        {"code": 3, "message": f"execution reverted: {reason}", "data": error_data(reason)}

    # a custom error: not an Error(string), so the message has no reason; data is the selector and arguments
    custom = "0x" + (UNAUTHORIZED + encode(["address", "uint256"], [me, 42])).hex()
    assert twin.call_error(rev.address, data(f.fail_custom(42)), me) == \
        {"code": 3, "message": "execution reverted", "data": custom}
    with pytest.raises(ContractCustomError) as exc:
        f.fail_custom(42).call({"from": me})
    assert exc.value.data == custom
    decoded = decode(["address", "uint256"], bytes.fromhex(custom[10:]))
    assert same_address(decoded[0], me) and decoded[1] == 42

    # empty revert data (a bare `raise`)
    assert twin.call_error(rev.address, data(f.fail_empty())) == \
        {"code": 3, "message": "execution reverted", "data": "0x"}

    # INVALID (0xfe) is an exceptional halt, not a revert: geth answers -32000 "invalid opcode: INVALID", no data
    assert f.invalid_unless_positive(3).call() == 3
    err = twin.call_error(rev.address, data(f.invalid_unless_positive(0)))
    assert err["code"] == -32000 and err["message"].startswith("invalid opcode"), err
    assert "data" not in err or err["data"] in (None, "0x"), err


def test_reverted_transactions_undo_their_writes_and_charge_py_evm_gas(twin, compiled):
    c = compiled("Reverter")
    rev, _ = twin.deploy(DEV[0], c)
    f = rev.functions
    rc = twin.tx(DEV[0], f.bump())
    assert q(rc["status"]) == 1 and twin.storage(rev.address, c.slot("counter")) == 1
    # REVERT: status 0, the storage write is undone, the unused gas is returned
    for code in (0, 9):
        rc = twin.tx(DEV[0], f.bump_then_fail(code), gas=300_000)
        assert q(rc["status"]) == 0 and q(rc["gasUsed"]) < 100_000 and rc["logs"] == []
        assert twin.storage(rev.address, c.slot("counter")) == 1
    # an exceptional halt consumes the whole gas limit
    rc = twin.tx(DEV[0], f.invalid_unless_positive(0), gas=123_456)
    assert q(rc["status"]) == 0 and q(rc["gasUsed"]) == 123_456
    # a call to a contract without the function (Vyper has no fallback here): empty revert
    rc = twin.send(DEV[0], rev.address, bytes.fromhex("deadbeef"), gas=100_000)
    assert q(rc["status"]) == 0
    assert twin.call_error(rev.address, "0xdeadbeef") == {"code": 3, "message": "execution reverted", "data": "0x"}
    # eth_estimateGas of a reverting call is the revert error
    err = twin.call_error(rev.address, f.bump_then_fail(0)._encode_transaction_data(), method="eth_estimateGas")
    assert err["code"] == 3 and err["message"] == "execution reverted: Reverter: undone"


# -- SELFDESTRUCT (EIP-6780) -------------------------------------------------------------------------------------
def test_selfdestruct_in_constructor_deletes_the_account(twin, compiled):
    c = compiled("SelfDestructInConstructor")
    beneficiary = empty_account("evm selfdestruct ctor").address
    nonce = twin.nonces.get(DEV[0].address, 0)
    addr = create_address(DEV[0].address, nonce)
    ctor_args = encode(["address"], [beneficiary])
    rc = twin.ok(DEV[0], None, c.bytecode + ctor_args, value=3 * E18)
    assert same_address(rc["contractAddress"], addr)         # the receipt still names the address
    assert twin.code(addr) == b"" and twin.node.nonce(addr) == 0 and twin.node.balance(addr) == 0
    assert twin.node.balance(beneficiary) == 3 * E18
    # a second one sends to the same beneficiary
    twin.ok(DEV[0], None, c.bytecode + ctor_args, value=1)
    assert twin.node.balance(beneficiary) == 3 * E18 + 1


def test_selfdestruct_later_keeps_code_and_storage(twin, compiled):
    c = compiled("Destructible")
    d, _ = twin.deploy(DEV[0], c, 77, value=2 * E18)
    beneficiary = empty_account("evm selfdestruct later").address
    assert twin.node.balance(d.address) == 2 * E18

    err = twin.call_error(d.address, d.functions.destroy(beneficiary)._encode_transaction_data(), DEV[1].address)
    assert err["message"] == "execution reverted: Destructible: not owner"
    rc = twin.tx(DEV[0], d.functions.destroy(beneficiary))
    assert q(rc["status"]) == 1
    # Cancun: not created in this transaction, so only the balance moves
    assert twin.node.balance(beneficiary) == 2 * E18 and twin.node.balance(d.address) == 0
    assert twin.code(d.address) == c.runtime and twin.node.nonce(d.address) == 1
    assert twin.storage(d.address, c.slot("marker")) == 77 and d.functions.marker().call() == 77
    assert same_address(d.functions.owner().call(), DEV[0].address)

    # it still runs: it takes ETH again, and self-destructing to itself keeps (does not burn) the balance
    twin.ok(DEV[1], d.address, value=5 * 10**17)
    assert twin.node.balance(d.address) == 5 * 10**17
    rc = twin.tx(DEV[0], d.functions.destroy(d.address))
    assert q(rc["status"]) == 1
    assert twin.node.balance(d.address) == 5 * 10**17 and twin.code(d.address) == c.runtime
    rc = twin.tx(DEV[0], d.functions.destroy(beneficiary))
    assert twin.node.balance(beneficiary) == 2 * E18 + 5 * 10**17 and twin.node.balance(d.address) == 0


# -- reentrancy lock in transient storage (EIP-1153) -------------------------------------------------------------
def test_nonreentrant_lock_lives_in_transient_storage(compiled):
    vault = compiled("Vault")
    assert "TSTORE" in vault.opcodes and "TLOAD" in vault.opcodes
    assert vault.layout["transient_storage_layout"]["$.nonreentrant_key"]["type"] == "nonreentrant lock"


def test_reentrant_call_is_refused(twin, compiled):
    vault_c, attacker_c = compiled("Vault"), compiled("Attacker")
    vault, _ = twin.deploy(DEV[0], vault_c)
    attacker, _ = twin.deploy(DEV[1], attacker_c, vault.address)
    twin.tx(DEV[2], vault.functions.deposit(), value=5 * E18)

    rc = twin.tx(DEV[1], attacker.functions.attack(), value=E18)
    assert q(rc["status"]) == 1
    # the reentrant withdraw failed (the lock held) and nothing was paid twice
    assert attacker.functions.attempts().call() == 1
    assert attacker.functions.reentered().call() is False
    assert attacker.functions.received().call() == E18
    assert twin.node.balance(attacker.address) == E18
    assert twin.node.balance(vault.address) == 5 * E18
    assert vault.functions.withdrawals().call() == 1
    assert vault.functions.balances(attacker.address).call() == 0
    # the lock is transient: nothing of it in storage, and it is free again in the next transaction
    assert twin.storage(vault.address, vault_c.slot("balances")) == 0
    rc = twin.tx(DEV[2], vault.functions.withdraw())
    assert q(rc["status"]) == 1 and twin.node.balance(vault.address) == 0
    assert vault.functions.withdrawals().call() == 2


def test_without_the_lock_the_reentrant_call_drains(twin, compiled):
    """The control: the same Vault without @nonreentrant pays the attacker twice, so the test above does reach
    the reentrant path."""
    src = (SOURCES / "Vault.vy").read_text()
    assert "@nonreentrant\n" in src
    unlocked = compiled("Vault", source=src.replace("@nonreentrant\n", ""), key="VaultUnlocked")
    assert "TSTORE" in unlocked.opcodes   # still uses transient storage for `scratch`
    vault, _ = twin.deploy(DEV[0], unlocked)
    attacker, _ = twin.deploy(DEV[1], compiled("Attacker"), vault.address)
    twin.tx(DEV[2], vault.functions.deposit(), value=5 * E18)
    rc = twin.tx(DEV[1], attacker.functions.attack(), value=E18)
    assert q(rc["status"]) == 1
    assert attacker.functions.reentered().call() is True
    assert twin.node.balance(attacker.address) == 2 * E18 and twin.node.balance(vault.address) == 4 * E18
    assert vault.functions.withdrawals().call() == 2


def test_transient_storage_is_cleared_after_each_transaction(twin, compiled):
    vault, _ = twin.deploy(DEV[0], compiled("Vault"))
    # within one transaction (eth_call): written, then read back through a call to itself
    assert vault.functions.stash(123).call() == 123
    rc = twin.tx(DEV[0], vault.functions.stash(55))
    assert q(rc["status"]) == 1
    # the next transaction (and any call) sees zero
    assert vault.functions.peek().call() == 0
    rc = twin.send(DEV[0], vault.address, bytes.fromhex(vault.functions.peek()._encode_transaction_data()[2:]))
    assert q(rc["status"]) == 1 and twin.last_ref.output == bytes(32)
    # and nothing reached persistent storage
    for slot in range(4):
        assert twin.storage(vault.address, slot) == 0
