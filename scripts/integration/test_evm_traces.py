"""debug_traceTransaction / debug_traceCall / debug_traceBlockByNumber|ByHash in geth's shapes: the default
struct logger (pc, op, gas, gasCost, depth, stack, storage, returnValue, failed) and callTracer (native
contracts appear as CALL frames with input, output, gasUsed, error, revertReason, logs with withLog).

The contract under test is hand-assembled so every expected step is known: it calls MATIC.transfer(0x…01, 0)
(the native contract), stores the call's success flag in slot 0, and stops.
"""
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector as selector, to_checksum_address

from support import CHAIN_ID, DEV, GWEI

MATIC = "0x7D1AfA7B718fb893dB30A3aBc0Cfc608AaCfeBB0"
CALLER = to_checksum_address("0x00000000000000000000000000000000000c0de1")
REVERTER = to_checksum_address("0x00000000000000000000000000000000000c0de2")
TRANSFER = selector("transfer(address,uint256)") + encode(["address", "uint256"], ["0x" + "00" * 19 + "01", 0])
GAS = 200_000


def push(b: bytes) -> bytes:
    return bytes([0x5f + len(b)]) + b


def caller_code() -> bytes:
    """mstore the calldata, CALL(gas, MATIC, 0, 0, 68, 0x80, 32), SSTORE(0, success), STOP."""
    cd = TRANSFER.ljust(96, b"\0")
    code = b""
    for i in range(3):
        code += push(cd[32 * i:32 * i + 32]) + push(bytes([32 * i])) + b"\x52"
    code += push(b"\x20") + push(b"\x80") + push(b"\x44") + b"\x5f\x5f" + push(bytes.fromhex(MATIC[2:])) + b"\x5a\xf1"
    code += b"\x5f\x55\x00"
    return code


def reverter_code() -> bytes:
    """Calls MATIC.transferFrom(0x…01 → self, 1) with no allowance (MATIC reverts with no data), then
    reverts with Error("nope")."""
    reason = bytes.fromhex("08c379a0") + encode(["string"], ["nope"])
    code = b""
    for i in range(0, len(reason), 32):
        code += push(reason[i:i + 32].ljust(32, b"\0")) + push(bytes([i])) + b"\x52"
    code += push(bytes([len(reason)])) + b"\x5f\xfd"
    return code


def send(dev, to, nonce, data=b"", gas=GAS):
    tx = {"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": to, "value": 0, "data": data, "gas": gas,
          "maxFeePerGas": 10 * GWEI, "maxPriorityFeePerGas": GWEI}
    return dev.send_raw(DEV[0].sign_transaction(tx))


def test_call_tracer_shows_the_native_frame_with_its_gas(dev):
    dev.rpc("anvil_setCode", CALLER, "0x" + caller_code().hex())
    # the native gas of MATIC.transfer, measured from a direct EOA call: receipt gas − intrinsic gas
    direct = dev.receipt(send(dev, MATIC, 0, TRANSFER, gas=100_000))
    intrinsic = 21_000 + sum(4 if b == 0 else 16 for b in TRANSFER)
    native_gas = int(direct["gasUsed"], 16) - intrinsic

    h = send(dev, CALLER, 1)
    receipt = dev.receipt(h)
    assert receipt["status"] == "0x1"
    trace = dev.rpc("debug_traceTransaction", h, {"tracer": "callTracer", "tracerConfig": {"withLog": True}})
    assert trace["type"] == "CALL"
    assert trace["from"].lower() == DEV[0].address.lower() and trace["to"].lower() == CALLER.lower()
    assert int(trace["gas"], 16) == GAS and trace["gasUsed"] == receipt["gasUsed"]
    assert trace["input"] == "0x" and trace["output"] == "0x" and "error" not in trace
    [inner] = trace["calls"]
    assert inner["type"] == "CALL" and inner["to"].lower() == MATIC.lower() and inner["from"].lower() == CALLER.lower()
    assert inner["input"] == "0x" + TRANSFER.hex()
    assert inner["output"] == "0x" + "00" * 31 + "01"
    assert int(inner["gasUsed"], 16) == native_gas
    [log] = inner["logs"]
    assert log["address"].lower() == MATIC.lower() and log["topics"][1][-40:] == CALLER[2:].lower()
    assert log["position"] == "0x0"
    # the same log is the receipt's
    assert receipt["logs"][0]["topics"] == log["topics"]


def test_struct_logger_steps_account_for_every_unit_of_gas(dev):
    dev.rpc("anvil_setCode", CALLER, "0x" + caller_code().hex())
    h = send(dev, CALLER, 0)
    receipt = dev.receipt(h)
    t = dev.rpc("debug_traceTransaction", h)
    assert t["failed"] is False and t["returnValue"] == "0x" and t["gas"] == int(receipt["gasUsed"], 16)
    steps = t["structLogs"]
    ops = [s["op"] for s in steps]
    assert ops == ["PUSH32", "PUSH1", "MSTORE"] * 3 + ["PUSH1"] * 3 + ["PUSH0", "PUSH0", "PUSH20", "GAS", "CALL",
                                                                       "PUSH0", "SSTORE", "STOP"]
    assert steps[0]["gas"] == GAS - 21_000 and steps[0]["depth"] == 1 and steps[0]["pc"] == 0
    for a, b in zip(steps, steps[1:]):
        if a["op"] != "CALL":   # CALL's cost includes what the callee was given, part of which comes back
            assert b["gas"] == a["gas"] - a["gasCost"], (a, b)
    call = steps[ops.index("CALL")]
    assert call["stack"][-2].lower() == "0x" + MATIC[2:].lower().lstrip("0")
    sstore = steps[ops.index("SSTORE")]
    assert sstore["gasCost"] == 22_100
    assert sstore["storage"] == {"00" * 32: "00" * 31 + "01"}
    assert steps[-1]["op"] == "STOP" and steps[-1]["gasCost"] == 0
    # GAS − CALL's cost + what came back: the used gas adds up to the receipt
    assert steps[-1]["gas"] == GAS - int(receipt["gasUsed"], 16)
    # disableStack / enableMemory
    t2 = dev.rpc("debug_traceTransaction", h, {"disableStack": True, "enableMemory": True})
    assert "stack" not in t2["structLogs"][0]
    assert t2["structLogs"][3]["memory"] == [TRANSFER[:32].hex()]


def test_trace_call_reports_reverts_and_block_traces_list_each_transaction(dev):
    dev.rpc("anvil_setCode", REVERTER, "0x" + reverter_code().hex())
    t = dev.rpc("debug_traceCall", {"from": DEV[0].address, "to": REVERTER}, "latest", {"tracer": "callTracer"})
    assert t["error"] == "execution reverted" and t["revertReason"] == "nope"
    s = dev.rpc("debug_traceCall", {"from": DEV[0].address, "to": REVERTER}, "latest")
    assert s["failed"] is True and s["structLogs"][-1]["op"] == "REVERT"

    dev.rpc("anvil_setCode", CALLER, "0x" + caller_code().hex())
    dev.rpc("evm_setAutomine", False)
    h1, h2 = send(dev, CALLER, 0), send(dev, MATIC, 1, TRANSFER, gas=100_000)
    dev.rpc("evm_mine")
    dev.rpc("evm_setAutomine", True)
    block = dev.rpc("eth_getTransactionReceipt", h2)["blockNumber"]
    by_number = dev.rpc("debug_traceBlockByNumber", block, {"tracer": "callTracer"})
    assert [x["txHash"] for x in by_number] == [h1, h2]
    assert by_number[0]["result"]["calls"][0]["to"].lower() == MATIC.lower()
    assert by_number[1]["result"]["to"].lower() == MATIC.lower() and "calls" not in by_number[1]["result"]
    block_hash = dev.rpc("eth_getBlockByNumber", block, False)["hash"]
    assert dev.rpc("debug_traceBlockByHash", block_hash, {"tracer": "callTracer"}) == by_number
    # the block's second transaction traced alone sees the first one's effects (the replay is in order)
    assert dev.rpc("debug_traceTransaction", h2, {"tracer": "callTracer"}) == by_number[1]["result"]


def test_trace_bad_input(dev):
    err = dev.rpc_error("debug_traceTransaction", "0x" + "ab" * 32)
    assert "not found" in err["message"]
    err = dev.rpc_error("debug_traceCall", {"to": MATIC}, "latest", {"tracer": "prestateTracer"})
    assert err["code"] == -32602 and "prestateTracer" in err["message"]
    err = dev.rpc_error("debug_traceCall", {"to": MATIC}, "latest", {"disableStack": "yes"})
    assert err["code"] == -32602
