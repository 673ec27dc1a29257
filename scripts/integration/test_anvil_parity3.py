"""Anvil parity, third round (issue 13): the `pending` block, Parity's trace_* and Otterscan's call-trace views.

Contracts are Vyper (fixtures/contracts plus small sources here), compiled for Cancun at test time and driven
through the release binary as a client would."""
from pathlib import Path

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector as selector, keccak, to_checksum_address

from support import DEV, GWEI, q, same_address, vyper_compile

SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "contracts"
OWNER, OTHER = DEV[0], DEV[7]
GAS = 300_000

# Reads the block it runs in.
BLOCK_INFO = """
# pragma version ~=0.4.3
@view
@external
def info() -> (uint256, uint256, uint256, address):
    return block.number, block.timestamp, block.basefee, block.coinbase
"""

# Fans out: a value transfer to `beneficiary`, then Child.destroy from a caller the child refuses (it
# reverts; the revert is caught), then a static read of the child's owner.
RELAY = """
# pragma version ~=0.4.3
interface IChild:
    def owner() -> address: view

@payable
@external
def fan(child: address, beneficiary: address) -> address:
    send(beneficiary, msg.value)
    ok: bool = raw_call(child, abi_encode(beneficiary, method_id=method_id("destroy(address)")), revert_on_failure=False)
    return staticcall IChild(child).owner()
"""


def compile_src(name, src):
    out = vyper_compile(src, name, formats=["bytecode", "bytecode_runtime"])
    return bytes.fromhex(out["bytecode"][2:]), bytes.fromhex(out["bytecode_runtime"][2:])


def fixture(name):
    return compile_src(name, (SOURCES / f"{name}.vy").read_text())


def send(n, data, to=None, value=0, sender=OWNER, gas=GAS):
    tx = {"from": sender.address, "data": "0x" + data.hex(), "gas": hex(gas), "value": hex(value)}
    if to:
        tx["to"] = to
    return n.rpc("eth_sendTransaction", tx)


def deploy(n, initcode, sender=OWNER):
    rc = n.receipt(send(n, initcode, sender=sender, gas=3_000_000))
    assert rc["status"] == "0x1", rc
    return to_checksum_address(rc["contractAddress"])


def intrinsic(data: bytes) -> int:
    return 21_000 + sum(4 if b == 0 else 16 for b in data)


# -- 1. pending: the next block's context ------------------------------------------------------------------------

def test_pending_block_and_calls_run_in_the_next_block(node):
    n = node()
    initcode, _ = compile_src("BlockInfo", BLOCK_INFO)
    info = deploy(n, initcode)
    n.rpc("evm_setAutomine", False)
    head, head_hash = n.head()
    ts = q(n.rpc("eth_getBlockByNumber", "latest", False)["timestamp"]) + 1000
    n.rpc("evm_setNextBlockTimestamp", hex(ts))
    n.rpc("anvil_setCoinbase", OTHER.address)
    call = {"to": info, "data": "0x" + selector("info()").hex()}

    def decode(ret):
        b = bytes.fromhex(ret[2:])
        return [int.from_bytes(b[i:i + 32], "big") for i in range(0, 128, 32)]

    latest = decode(n.rpc("eth_call", call, "latest"))
    assert latest[0] == head
    # A pooled transaction: seen at pending, not at latest.
    payee = to_checksum_address("0x" + "ab" * 20)
    h = n.rpc("eth_sendTransaction", {"from": OWNER.address, "to": payee, "value": hex(12345)})
    assert n.balance(payee, "latest") == 0 and n.balance(payee, "pending") == 12345
    # The coinbase's tip is in the pending state too.
    assert n.balance(OTHER.address, "pending") == n.balance(OTHER.address, "latest") + 21_000 * GWEI

    pending = n.rpc("eth_getBlockByNumber", "pending", False)
    assert q(pending["number"]) == head + 1 and pending["parentHash"] == head_hash
    assert q(pending["timestamp"]) == ts and same_address(pending["miner"], OTHER.address)
    assert pending["transactions"] == [h] and len(pending["hash"]) == 66
    next_fee = q(pending["baseFeePerGas"])
    assert q(pending["gasUsed"]) == 21_000
    full = n.rpc("eth_getBlockByNumber", "pending", True)
    [tx] = full["transactions"]
    assert tx["hash"] == h and q(tx["blockNumber"]) == head + 1 and tx["transactionIndex"] == "0x0"
    header = n.rpc("eth_getHeaderByNumber", "pending")
    assert header["hash"] == pending["hash"] and q(header["number"]) == head + 1

    # eth_call at pending: number, timestamp, base fee and coinbase of the next block.
    number, when, basefee, coinbase = decode(n.rpc("eth_call", call, "pending"))
    assert (number, when, basefee) == (head + 1, ts, next_fee)
    assert coinbase == int(OTHER.address, 16)
    # At latest, BASEFEE reads the head's base fee (as Anvil: the fee check is off, the opcode is not zeroed).
    assert latest[2] == n.base_fee("latest")

    n.rpc("evm_mine")
    mined = n.rpc("eth_getBlockByNumber", "latest", False)
    assert q(mined["number"]) == head + 1 and q(mined["timestamp"]) == ts
    assert q(mined["baseFeePerGas"]) == next_fee and mined["transactions"] == [h]
    assert n.balance(payee, "latest") == 12345
    assert decode(n.rpc("eth_call", call, "latest"))[:3] == [head + 1, ts, next_fee]


# -- 2. Parity's trace_* --------------------------------------------------------------------------------------------

@pytest.fixture
def traced(node):
    """A factory that CREATE2s a child, and a relay whose call sends value, hits a reverting child and reads it."""
    n = node()
    child_init, child_runtime = fixture("Child")
    factory_init, _ = fixture("Factory")
    factory = deploy(n, factory_init + encode(["bytes"], [child_init]))
    salt = b"\x11" * 32
    deploy_data = selector("deploy(bytes32,address,uint256)") + encode(["bytes32", "address", "uint256"],
                                                                       [salt, OWNER.address, 5])
    h_deploy = send(n, deploy_data, to=factory)
    rc = n.receipt(h_deploy)
    assert rc["status"] == "0x1"
    child = to_checksum_address("0x" + rc["logs"][0]["topics"][1][-40:])
    relay_init, _ = compile_src("Relay", RELAY)
    relay = deploy(n, relay_init)
    beneficiary = to_checksum_address("0x" + "be" * 20)
    fan_data = selector("fan(address,address)") + encode(["address", "address"], [child, beneficiary])
    h_fan = send(n, fan_data, to=relay, value=777)
    assert n.receipt(h_fan)["status"] == "0x1"
    return dict(n=n, factory=factory, child=child, child_runtime=child_runtime, relay=relay, beneficiary=beneficiary,
                h_deploy=h_deploy, deploy_data=deploy_data, h_fan=h_fan, fan_data=fan_data)


def test_trace_transaction_flattens_the_call_tree(traced):
    t = traced
    n = t["n"]
    rc = n.receipt(t["h_deploy"])
    traces = n.rpc("trace_transaction", t["h_deploy"])
    assert [x["traceAddress"] for x in traces] == [[], [0]]
    top, create = traces
    assert top["type"] == "call" and top["subtraces"] == 1
    assert top["action"]["callType"] == "call" and same_address(top["action"]["from"], OWNER.address)
    assert same_address(top["action"]["to"], t["factory"]) and top["action"]["input"] == "0x" + t["deploy_data"].hex()
    # The top call's own gas: the limit less intrinsic gas.
    assert q(top["action"]["gas"]) == GAS - intrinsic(t["deploy_data"])
    assert q(top["result"]["gasUsed"]) <= q(rc["gasUsed"]) - intrinsic(t["deploy_data"]) + q(rc["gasUsed"]) // 5
    assert top["result"]["output"] == "0x" + "00" * 12 + t["child"][2:].lower()
    for x in traces:
        assert x["blockHash"] == rc["blockHash"] and x["blockNumber"] == q(rc["blockNumber"])
        assert x["transactionHash"] == t["h_deploy"] and x["transactionPosition"] == 0
        assert "error" not in x
    assert create["type"] == "create" and create["subtraces"] == 0
    assert create["action"]["creationMethod"] == "create2" and same_address(create["action"]["from"], t["factory"])
    assert q(create["action"]["value"]) == 0 and create["action"]["init"].startswith("0x")
    assert same_address(create["result"]["address"], t["child"])
    assert create["result"]["code"] == "0x" + t["child_runtime"].hex()

    fan = n.rpc("trace_transaction", t["h_fan"])
    assert [x["traceAddress"] for x in fan] == [[], [0], [1], [2]]
    top, transfer, refused, read = fan
    assert top["subtraces"] == 3 and q(top["action"]["value"]) == 777
    assert same_address(transfer["action"]["to"], t["beneficiary"]) and q(transfer["action"]["value"]) == 777
    assert transfer["action"]["callType"] == "call" and transfer["result"] == {"gasUsed": "0x0", "output": "0x"}
    # The child refuses the relay: the revert keeps its result (the reason) with Parity's error word.
    assert refused["error"] == "Reverted" and same_address(refused["action"]["to"], t["child"])
    assert b"Child: not allowed" in bytes.fromhex(refused["result"]["output"][2:])
    assert "error" not in top
    assert read["action"]["callType"] == "staticcall" and read["result"]["output"] == "0x" + "00" * 12 + OWNER.address[2:].lower()
    assert n.rpc("trace_transaction", "0x" + "00" * 32) == []


def test_trace_block_get_filter_and_replay(traced):
    t = traced
    n = t["n"]
    fan = n.rpc("trace_transaction", t["h_fan"])
    block = fan[0]["blockNumber"]
    assert n.rpc("trace_block", hex(block)) == fan
    assert n.rpc("trace_block", hex(block + 100)) == []
    assert n.rpc("trace_get", t["h_fan"], ["0x2"]) == fan[2]
    assert n.rpc("trace_get", t["h_fan"], ["0x9"]) is None
    assert n.rpc("trace_get", t["h_fan"], ["0x0", "0x1"]) is None

    everything = n.rpc("trace_filter", {"fromBlock": "0x0", "toBlock": hex(block)})
    assert fan[0] in everything and len(everything) >= 6
    to_child = n.rpc("trace_filter", {"fromBlock": "0x0", "toAddress": [t["child"]]})
    # The creation (matched by its created address), the refused call and the read.
    assert [x["type"] for x in to_child] == ["create", "call", "call"] and to_child[1:] == fan[2:]
    both = n.rpc("trace_filter", {"fromAddress": [t["relay"]], "toAddress": [t["child"]], "mode": "intersection"})
    assert both == fan[2:]
    union = n.rpc("trace_filter", {"fromAddress": [t["relay"]], "toAddress": [t["beneficiary"]]})
    assert union == fan[1:]
    paged = n.rpc("trace_filter", {"fromBlock": "0x0", "toBlock": hex(block), "after": 1, "count": 2})
    assert paged == everything[1:3]
    err = n.rpc_error("trace_filter", {"fromBlock": "0x0", "toBlock": hex(500)})
    assert err["code"] == -32602 and "300" in err["message"]

    replay = n.rpc("trace_replayTransaction", t["h_fan"], ["trace"])
    assert replay["stateDiff"] is None and replay["vmTrace"] is None
    assert replay["output"] == "0x" + "00" * 12 + OWNER.address[2:].lower()
    strip = lambda x: {k: v for k, v in x.items() if k not in ("blockHash", "blockNumber", "transactionHash",
                                                              "transactionPosition")}
    assert replay["trace"] == [strip(x) for x in fan]
    [one] = n.rpc("trace_replayBlockTransactions", hex(block), ["trace"])
    assert one["transactionHash"] == t["h_fan"] and one["trace"] == replay["trace"]
    err = n.rpc_error("trace_replayTransaction", t["h_fan"], ["trace", "vmTrace"])
    assert err["code"] == -32602 and "vmTrace" in err["message"]

    # trace_call: the same call run at the head, with the value transfer and the revert.
    call = {"from": OWNER.address, "to": t["relay"], "data": "0x" + t["fan_data"].hex(), "value": hex(777),
            "gas": hex(GAS)}
    tc = n.rpc("trace_call", call, ["trace"], "latest")
    assert [x["traceAddress"] for x in tc["trace"]] == [[], [0], [1], [2]]
    assert tc["trace"][2]["error"] == "Reverted" and tc["output"] == replay["output"]


# -- 3. Otterscan -----------------------------------------------------------------------------------------------------

def test_otterscan_internal_operations_trace_and_search(traced):
    t = traced
    n = t["n"]
    ops = n.rpc("ots_getInternalOperations", t["h_fan"])
    # As Anvil: every call carrying value, the top call included.
    assert [(o["type"], q(o["value"])) for o in ops] == [(0, 777), (0, 777)]
    assert same_address(ops[1]["from"], t["relay"]) and same_address(ops[1]["to"], t["beneficiary"])
    [create2] = n.rpc("ots_getInternalOperations", t["h_deploy"])
    assert create2["type"] == 3 and same_address(create2["to"], t["child"]) and same_address(create2["from"], t["factory"])
    err = n.rpc_error("ots_getInternalOperations", "0x" + "00" * 32)
    assert err["code"] == -32603

    tree = n.rpc("ots_traceTransaction", t["h_fan"])
    assert [(e["type"], e["depth"]) for e in tree] == [("CALL", 0), ("CALL", 1), ("CALL", 1), ("STATICCALL", 1)]
    assert q(tree[1]["value"]) == 777 and tree[3]["output"] == "0x" + "00" * 12 + OWNER.address[2:].lower()
    # Creations are left out of the tree.
    assert [e["type"] for e in n.rpc("ots_traceTransaction", t["h_deploy"])] == ["CALL"]

    # The beneficiary only appears inside the relay's call: found through the traces.
    before = n.rpc("ots_searchTransactionsBefore", t["beneficiary"], 0, 10)
    assert [x["hash"] for x in before["txs"]] == [t["h_fan"]]
    assert before["firstPage"] is True and before["lastPage"] is True
    [r] = before["receipts"]
    assert r["transactionHash"] == t["h_fan"] and "logs" not in r and "timestamp" in r
    after = n.rpc("ots_searchTransactionsAfter", t["beneficiary"], 0, 10)
    assert [x["hash"] for x in after["txs"]] == [t["h_fan"]]
    # The child: its creation and the refused call, newest first in both directions.
    hashes = [x["hash"] for x in n.rpc("ots_searchTransactionsBefore", t["child"], 0, 10)["txs"]]
    assert hashes == [t["h_fan"], t["h_deploy"]]
    hashes = [x["hash"] for x in n.rpc("ots_searchTransactionsAfter", t["child"], 0, 10)["txs"]]
    assert hashes == [t["h_fan"], t["h_deploy"]]


def test_trace_raw_transaction_call_many_and_opcode_gas(traced):
    t = traced
    n = t["n"]
    from support import CHAIN_ID
    signer = DEV[3]
    nonce = n.nonce(signer.address)
    raw = signer.sign_transaction({"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": t["relay"], "value": 777,
                                   "data": t["fan_data"], "gas": GAS, "maxFeePerGas": 100 * GWEI,
                                   "maxPriorityFeePerGas": GWEI}).raw_transaction
    res = n.rpc("trace_rawTransaction", "0x" + bytes(raw).hex(), ["trace"])
    assert [x["traceAddress"] for x in res["trace"]] == [[], [0], [1], [2]]
    assert same_address(res["trace"][0]["action"]["from"], signer.address)
    assert n.nonce(signer.address) == nonce and n.rpc("txpool_status")["pending"] == "0x0"   # nothing pooled

    # trace_callMany: the second call spends what the first one sent.
    fresh = to_checksum_address("0x" + "f1" * 20)
    many = n.rpc("trace_callMany", [[{"from": OWNER.address, "to": fresh, "value": hex(5)}, ["trace"]],
                                    [{"from": fresh, "to": OTHER.address, "value": hex(5)}, ["trace"]]])
    assert len(many) == 2 and all("error" not in r["trace"][0] for r in many)
    assert n.rpc_error("trace_call", {"from": fresh, "to": OTHER.address, "value": hex(5)}, ["trace"], "latest")

    gas = n.rpc("trace_transactionOpcodeGas", t["h_fan"])
    assert gas["transactionHash"] == t["h_fan"]
    by_op = {o["opcode"]: o for o in gas["opcodeGas"]}
    assert by_op["CALL"]["count"] == 2 and by_op["STATICCALL"]["count"] == 1 and by_op["SLOAD"]["count"] >= 1
    block = n.receipt(t["h_fan"])["blockNumber"]
    whole = n.rpc("trace_blockOpcodeGas", block)
    assert whole["blockNumber"] == q(block) and whole["transactions"] == [gas]
    assert n.rpc("trace_transactionOpcodeGas", "0x" + "00" * 32) is None


def test_debug_trace_block_from_raw_rlp(traced):
    t = traced
    n = t["n"]
    block = n.receipt(t["h_fan"])["blockNumber"]
    raw = n.rpc("debug_getRawBlock", block)
    config = {"tracer": "callTracer"}
    assert n.rpc("debug_traceBlock", raw, config) == n.rpc("debug_traceBlockByNumber", block, config)
    assert n.rpc("debug_traceBlock", raw) == n.rpc("debug_traceBlockByNumber", block)   # struct logger
    # A block whose parent the node does not have: named in the error.
    import rlp
    decoded = rlp.decode(bytes.fromhex(raw[2:]))
    header = list(decoded[0])
    header[0] = b"\x22" * 32
    err = n.rpc_error("debug_traceBlock", "0x" + rlp.encode([header] + list(decoded[1:])).hex())
    assert "0x" + "22" * 32 in err["message"]
    assert n.rpc_error("debug_traceBlock", "0x1234")["code"] == -32602


# -- 4. anvil_impersonateSignature: ecrecover answers a chosen address --------------------------------------------

def test_impersonate_signature_overrides_ecrecover(dev):
    digest = keccak(b"permit")
    r, s = b"\x01" * 32, b"\x02" * 32
    call = {"to": "0x0000000000000000000000000000000000000001",
            "data": "0x" + (digest + (27).to_bytes(32, "big") + r + s).hex()}
    real = dev.rpc("eth_call", call, "latest")
    chosen = to_checksum_address("0x" + "c0" * 20)
    assert dev.rpc("anvil_impersonateSignature", "0x" + (r + s + bytes([27])).hex(), chosen) is None
    assert dev.rpc("eth_call", call, "latest") == "0x" + "00" * 12 + chosen[2:].lower() != real
    # Other signatures still recover.
    other = {**call, "data": "0x" + (digest + (28).to_bytes(32, "big") + r + s).hex()}
    assert dev.rpc("eth_call", other, "latest") != "0x" + "00" * 12 + chosen[2:].lower()
    # In a mined transaction too: a contract storing ecrecover's answer.
    # calldatacopy(0, 0, size); staticcall(gas, 0x01, 0, 0x80, 0x80, 0x20); sstore(0, mload(0x80)); stop
    code = bytes.fromhex("366000600037" + "602060806080600060015afa50" + "608051600055" + "00")
    holder = to_checksum_address("0x" + "0d" * 20)
    dev.rpc("anvil_setCode", holder, "0x" + code.hex())
    h = dev.rpc("eth_sendTransaction", {"from": DEV[0].address, "to": holder, "data": call["data"], "gas": hex(100_000)})
    assert dev.receipt(h)["status"] == "0x1"
    assert dev.rpc("eth_getStorageAt", holder, "0x0", "latest") == "0x" + "00" * 12 + chosen[2:].lower()


def test_delegatecall_trace_shows_the_value_it_sees(dev):
    target = "0x" + "0e" * 20
    proxy = to_checksum_address("0x" + "0f" * 20)
    dev.rpc("anvil_setCode", target, "0x00")
    dev.rpc("anvil_setCode", proxy, "0x" + "6000600060006000" + "73" + "0e" * 20 + "5af4" + "00")
    h = dev.rpc("eth_sendTransaction", {"from": DEV[0].address, "to": proxy, "value": hex(5), "gas": hex(100_000)})
    top, inner = dev.rpc("trace_transaction", h)
    assert inner["action"]["callType"] == "delegatecall" and q(inner["action"]["value"]) == 5
    assert same_address(inner["action"]["from"], proxy) and same_address(inner["action"]["to"], target)
    assert inner["traceAddress"] == [0] and top["subtraces"] == 1
