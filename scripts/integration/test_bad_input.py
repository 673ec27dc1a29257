"""Bad-input catalogue (issue 7): raw HTTP with `requests` against the release binary.

Every malformed request must get the right JSON-RPC error code and a message that names the
problem, and must leave the chain exactly as it was. "As it was" is a state fingerprint taken
in one batch before the catalogue and compared after every case: head number, head hash (which
commits to stateRoot, the deterministic commitment of all state), head timestamp, balances and
nonces (latest and pending) of the ten dev accounts, token balances and supplies read through
eth_call, txpool_status and stakenet_status.

"Right" is the README's error table (-32700 parse, -32600 invalid request, -32601 method, -32602 params,
-32000/-32003 validation with geth's words, code 3 for reverts), then geth, then Anvil. Where
geth and Anvil differ and nothing else decides, stakenet does what Anvil does: quantities with leading zeros ("0x01"), decimal strings,
data and addresses without 0x, and addresses in any letter case — EIP-55 checksums are not
enforced, as neither geth nor Anvil enforce them — are accepted; `test_anvil_leniency` pins
that they mean exactly what they say.
"""
import json

import pytest
import rlp
from websockets.sync.client import connect

from conftest import Node
from support import CHAIN_ID, CONTRACTS, DEV, GAS_LIMIT, GWEI, empty_account, raw_hex

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
TOKENS = ("MATIC", "ANKR", "aMATICb", "aMATICc")
BALANCE_OF = "0x70a08231"
TOTAL_SUPPLY = "0x18160ddd"
TRANSFER = "0xa9059cbb"
UNKNOWN_HASH = "0x" + "12" * 32
ADDR = DEV[0].address.lower()
HUGE = "0x1" + "0" * 64  # 2^256
SENDER = DEV[0]


def word(x):
    if isinstance(x, str):
        return x[2:].lower().rjust(64, "0")
    return "%064x" % x


def balance_of(addr):
    return BALANCE_OF + word(addr)


# --- the node and its fingerprint ------------------------------------------------------------

def fingerprint_batch():
    calls = [("eth_blockNumber", []), ("eth_getBlockByNumber", ["latest", False]), ("txpool_status", []),
             ("stakenet_status", [])]
    for a in DEV:
        calls += [("eth_getBalance", [a.address, "latest"]), ("eth_getTransactionCount", [a.address, "latest"]),
                  ("eth_getTransactionCount", [a.address, "pending"])]
    for t in TOKENS:
        calls.append(("eth_call", [{"to": CONTRACTS[t], "data": TOTAL_SUPPLY}, "latest"]))
        for a in DEV[:4]:
            calls.append(("eth_call", [{"to": CONTRACTS[t], "data": balance_of(a.address)}, "latest"]))
    return [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)], calls


def fingerprint(node):
    batch, calls = fingerprint_batch()
    resp = node.raw(batch)
    by_id = {r["id"]: r for r in resp}
    out = {}
    for i, (m, p) in enumerate(calls):
        r = by_id[i]
        assert "result" in r, f"fingerprint call {m}{p} failed: {r}"
        v = r["result"]
        if m == "eth_getBlockByNumber":
            v = {k: v[k] for k in ("number", "hash", "stateRoot", "timestamp", "transactions")}
        out[f"{m}{json.dumps(p)}"] = v
    return out


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """One node for the whole catalogue, with a little history (three blocks), and its fingerprint."""
    n = Node(tmp_path_factory.mktemp("bad-input"), [], "bad-input")
    n.start()
    try:
        for nonce in range(3):
            h = n.send_raw(DEV[9].sign_transaction({
                "type": 2, "chainId": CHAIN_ID, "nonce": nonce, "maxFeePerGas": 10 * GWEI, "maxPriorityFeePerGas": GWEI,
                "gas": 21_000, "to": DEV[8].address, "value": 10**15, "data": b""}))
            assert n.receipt(h)["status"] == "0x1"
        yield n, fingerprint(n)
    finally:
        n.stop()


def post(node, payload, timeout=60):
    """Returns (HTTP status, decoded JSON or None for an empty body)."""
    if isinstance(payload, (dict, list)):
        data = json.dumps(payload).encode()
    elif isinstance(payload, str):
        data = payload.encode()
    else:
        data = payload
    r = node.session.post(node.url, data=data, headers={"Content-Type": "application/json"}, timeout=timeout)
    if not r.content:
        return r.status_code, None
    try:
        return r.status_code, r.json()
    except ValueError:
        raise AssertionError(f"HTTP {r.status_code}, body is not JSON: {r.text[:300]!r}")


def req(method, *params, id=1):
    return {"jsonrpc": "2.0", "id": id, "method": method, "params": list(params)}


# --- raw transactions ------------------------------------------------------------------------

def tx1559(**over):
    tx = {"type": 2, "chainId": CHAIN_ID, "nonce": 0, "maxFeePerGas": 10 * GWEI, "maxPriorityFeePerGas": GWEI,
          "gas": 60_000, "to": DEV[1].address, "value": 1, "data": b""}
    tx.update(over)
    return tx


def signed(**over):
    return raw_hex(SENDER.sign_transaction(tx1559(**over)))


def legacy(**over):
    tx = {"nonce": 0, "gasPrice": 10 * GWEI, "gas": 21_000, "to": DEV[1].address, "value": 1, "data": b"",
          "chainId": CHAIN_ID}
    tx.update(over)
    return raw_hex(SENDER.sign_transaction(tx))


def edit_typed(raw, f):
    """Decodes a typed transaction, lets `f` change its RLP fields, re-encodes (signature untouched)."""
    b = bytes.fromhex(raw[2:])
    fields = rlp.decode(b[1:])
    f(fields)
    return "0x" + (b[:1] + rlp.encode(fields)).hex()


def high_s(fields):  # (r, n - s) with the other parity: the same signature's twin, refused by EIP-2
    fields[-1] = (SECP256K1_N - int.from_bytes(fields[-1], "big")).to_bytes(32, "big")
    fields[-3] = b"" if fields[-3] == b"\x01" else b"\x01"


def set_field(i, value):
    def f(fields):
        fields[i] = value
    return f


def calldata_tx(data, to="aMATICb"):
    return signed(to=CONTRACTS[to], data=bytes.fromhex(data[2:]), gas=200_000, value=0)


# --- the catalogue ---------------------------------------------------------------------------
# (id, payload or payload(node), expected code or codes, fragments the message must contain,
#  expected id echoed (default: the request's, or null when the request has none))

INVALID_PARAMS = -32602
VALIDATION = (-32000, -32003)
REVERT = 3


def c(name, payload, code, *fragments, id=...):
    return pytest.param(payload, code if isinstance(code, tuple) else (code,), fragments, id, id=name)


CATALOGUE = [
    # envelope
    c("malformed-json", b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId"', -32700, "parse error", id=None),
    c("not-json", b"hello", -32700, "parse error", id=None),
    c("empty-body", b"", -32700, "parse error", id=None),
    c("trailing-garbage", b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId"} x', -32700, "parse error", id=None),
    c("invalid-utf8", b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":["\xff"]}', -32700, "UTF-8", id=None),
    c("nesting-too-deep", b"[" * 200 + b"]" * 200, -32700, "nesting", id=None),
    c("jsonrpc-1.0", {"jsonrpc": "1.0", "id": 1, "method": "eth_chainId", "params": []}, -32600, '"2.0"'),
    c("jsonrpc-missing", {"id": 1, "method": "eth_chainId", "params": []}, -32600, "jsonrpc"),
    c("jsonrpc-number", {"jsonrpc": 2.0, "id": 1, "method": "eth_chainId", "params": []}, -32600, "jsonrpc"),
    c("method-missing", {"jsonrpc": "2.0", "id": 1, "params": []}, -32600, "method"),
    c("method-not-string", {"jsonrpc": "2.0", "id": 1, "method": ["eth_chainId"]}, -32600, "method"),
    c("params-string", {"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": ADDR}, -32600, "params"),
    c("method-unknown", req("eth_doesNotExist"), -32601, "eth_doesNotExist"),
    c("id-object", {"jsonrpc": "2.0", "id": {"a": 1}, "method": "eth_chainId", "params": []}, -32600, "id", "object", id=None),
    c("id-array", {"jsonrpc": "2.0", "id": [1], "method": "eth_chainId", "params": []}, -32600, "id", "array", id=None),
    c("id-bool", {"jsonrpc": "2.0", "id": True, "method": "eth_chainId", "params": []}, -32600, "id", "boolean", id=None),
    c("batch-empty", [], -32600, "empty batch", id=None),
    c("batch-over-limit", [req("eth_chainId", id=i) for i in range(1001)], -32600, "batch too large", "1001", "1000", id=None),
    c("body-over-2MiB", lambda n: req("eth_call", {"to": CONTRACTS["aMATICb"], "data": "0x" + "00" * 1_100_000}, "latest"),
      -32600, "too large", id=None),
    # params: arity and type
    c("missing-param", req("eth_getBalance"), INVALID_PARAMS, "param 0", "missing"),
    c("named-params", {"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": {"address": ADDR}},
      INVALID_PARAMS, "positional"),
    c("address-as-number", req("eth_getBalance", 5, "latest"), INVALID_PARAMS, "param 0", "address"),
    c("bool-as-string", req("eth_getBlockByNumber", "latest", "true"), INVALID_PARAMS, "param 1", "boolean"),
    c("object-as-string", req("eth_call", "0x00", "latest"), INVALID_PARAMS, "param 0", "object"),
    c("logs-filter-as-array", req("eth_getLogs", [1, 2]), INVALID_PARAMS, "param 0", "object"),
    # hex
    c("odd-length-address", req("eth_getBalance", ADDR[:-1], "latest"), INVALID_PARAMS, "param 0", "odd length"),
    c("odd-length-data", req("eth_call", {"to": CONTRACTS["aMATICb"], "data": "0x18160dd"}, "latest"),
      INVALID_PARAMS, "param 0.data", "odd length"),
    c("odd-length-raw-tx", req("eth_sendRawTransaction", "0xf86"), INVALID_PARAMS, "param 0", "odd length"),
    c("non-hex-digits", req("eth_getTransactionByHash", "0x" + "zz" * 32), INVALID_PARAMS, "param 0", "hex"),
    c("hex-quantity-without-prefix", req("eth_getStorageAt", ADDR, "ff", "latest"), INVALID_PARAMS, "param 1", "hex quantity"),
    c("empty-quantity", req("eth_getStorageAt", ADDR, "0x", "latest"), INVALID_PARAMS, "param 1", "empty"),
    # numbers
    c("quantity-above-2^256-hex", req("eth_getStorageAt", ADDR, HUGE, "latest"), INVALID_PARAMS, "param 1", "256 bits"),
    c("quantity-above-2^256-number", lambda n: req("eth_getStorageAt", ADDR, 2**256, "latest"),
      INVALID_PARAMS, "param 1", "256 bits"),
    c("value-above-2^256", req("eth_call", {"to": DEV[1].address, "value": HUGE}, "latest"),
      INVALID_PARAMS, "param 0.value", "256 bits"),
    c("balance-above-2^256", req("anvil_setBalance", ADDR, HUGE), INVALID_PARAMS, "param 1", "256 bits"),
    c("block-above-2^64", req("eth_getBlockByNumber", "0x10000000000000000", False), INVALID_PARAMS, "param 0", "64 bits"),
    c("block-above-2^256", req("eth_getBlockByNumber", HUGE, False), INVALID_PARAMS, "param 0", "64 bits"),
    c("fee-history-count-above-2^256", req("eth_feeHistory", HUGE, "latest", []), INVALID_PARAMS, "param 0", "256 bits"),
    c("negative-number", req("eth_call", {"to": DEV[1].address, "value": -1}, "latest"),
      INVALID_PARAMS, "param 0.value", "non-negative", "-1"),
    c("negative-hex", req("eth_call", {"to": DEV[1].address, "value": "-0x1"}, "latest"), INVALID_PARAMS, "param 0.value", "-0x1"),
    c("negative-block", req("eth_getBlockByNumber", -1, False), INVALID_PARAMS, "param 0", "-1"),
    c("fractional-number", req("eth_getStorageAt", ADDR, 1.5, "latest"), INVALID_PARAMS, "param 1", "1.5"),
    c("negative-warp", req("stakenet_warp", -5), INVALID_PARAMS, "param 0", "negative"),
    c("negative-increase-time", req("evm_increaseTime", -5), INVALID_PARAMS, "param 0", "backwards"),
    # addresses, hashes, block tags
    c("address-19-bytes", req("eth_getBalance", ADDR[:-2], "latest"), INVALID_PARAMS, "param 0", "20-byte", "19"),
    c("address-21-bytes", req("eth_getBalance", ADDR + "00", "latest"), INVALID_PARAMS, "param 0", "20-byte", "21"),
    c("address-32-bytes", req("eth_getTransactionCount", "0x" + "00" * 32, "latest"), INVALID_PARAMS, "param 0", "20-byte", "32"),
    c("call-to-short-address", req("eth_call", {"to": "0x1234"}, "latest"), INVALID_PARAMS, "param 0.to", "20-byte"),
    c("hash-31-bytes", req("eth_getTransactionReceipt", "0x" + "ab" * 31), INVALID_PARAMS, "param 0", "32-byte", "31"),
    c("block-hash-33-bytes", req("eth_getBlockByHash", "0x" + "ab" * 33, False), INVALID_PARAMS, "param 0", "32-byte"),
    c("misspelled-tag", req("eth_getBalance", ADDR, "lastest"), INVALID_PARAMS, "param 1", "lastest"),
    c("eip1898-hash-and-number", req("eth_getBalance", ADDR, {"blockHash": UNKNOWN_HASH, "blockNumber": "0x0"}),
      INVALID_PARAMS, "param 1", "both"),
    # unknown blocks, blocks above the head
    c("unknown-block-hash-eip1898", req("eth_getBalance", ADDR, {"blockHash": UNKNOWN_HASH}), -32000, "not found", UNKNOWN_HASH[2:]),
    c("unknown-block-hash-call", req("eth_call", {"to": CONTRACTS["aMATICb"], "data": TOTAL_SUPPLY}, {"blockHash": UNKNOWN_HASH}),
      -32000, "not found"),
    c("unknown-block-hash-logs", req("eth_getLogs", {"blockHash": UNKNOWN_HASH}), -32000, UNKNOWN_HASH[2:]),
    c("call-above-head", req("eth_call", {"to": CONTRACTS["aMATICb"], "data": TOTAL_SUPPLY}, "0x100"),
      -32000, "header not found", "256"),
    c("storage-above-head", req("eth_getStorageAt", CONTRACTS["aMATICb"], "0x0", "0x100"), -32000, "header not found"),
    c("code-above-head", req("eth_getCode", CONTRACTS["aMATICb"], "0x100"), -32000, "header not found"),
    c("logs-range-reversed", req("eth_getLogs", {"fromBlock": "0x3", "toBlock": "0x1"}), INVALID_PARAMS, "fromBlock", "toBlock"),
    # eth_feeHistory
    c("fee-history-percentiles-descending", req("eth_feeHistory", "0x2", "latest", [50, 10]), INVALID_PARAMS, "ascending"),
    c("fee-history-percentile-above-100", req("eth_feeHistory", "0x2", "latest", [101]), INVALID_PARAMS, "param 2", "100"),
    # invalid RLP
    c("raw-tx-empty", req("eth_sendRawTransaction", "0x"), INVALID_PARAMS, "param 0", "transaction"),
    c("raw-tx-garbage", req("eth_sendRawTransaction", "0xdeadbeef"), INVALID_PARAMS, "param 0", "rlp"),
    c("raw-tx-rlp-string", req("eth_sendRawTransaction", "0x83646f67"), INVALID_PARAMS, "param 0", "transaction"),
    c("raw-tx-empty-list", req("eth_sendRawTransaction", "0xc0"), INVALID_PARAMS, "param 0", "too few elements"),
    c("raw-tx-trailing-bytes", lambda n: req("eth_sendRawTransaction", signed() + "00"), INVALID_PARAMS, "param 0", "after"),
    c("raw-tx-truncated", lambda n: req("eth_sendRawTransaction", signed()[:-2]), INVALID_PARAMS, "param 0", "rlp"),
    c("raw-tx-non-canonical-length", req("eth_sendRawTransaction", "0xf800"), INVALID_PARAMS, "param 0", "canonical"),
    c("raw-tx-leading-zero-nonce", lambda n: req("eth_sendRawTransaction", edit_typed(signed(), set_field(1, b"\x00\x01"))),
      INVALID_PARAMS, "param 0", "nonce"),
    c("raw-tx-19-byte-to", lambda n: req("eth_sendRawTransaction", edit_typed(signed(), set_field(5, b"\x01" * 19))),
      INVALID_PARAMS, "param 0", "too short", "address"),
    c("raw-tx-type-3", req("eth_sendRawTransaction", "0x03" + rlp.encode([b""] * 14).hex()), -32000, "type 3", "not supported"),
    c("raw-tx-type-4", req("eth_sendRawTransaction", "0x04c0"), -32000, "type 4", "not supported"),
    # signatures
    c("high-s", lambda n: req("eth_sendRawTransaction", edit_typed(signed(), high_s)), -32000, "invalid transaction v, r, s values"),
    c("r-zero", lambda n: req("eth_sendRawTransaction", edit_typed(signed(), set_field(-2, b""))),
      -32000, "invalid transaction v, r, s values"),
    c("s-zero", lambda n: req("eth_sendRawTransaction", edit_typed(signed(), set_field(-1, b""))),
      -32000, "invalid transaction v, r, s values"),
    c("r-above-n", lambda n: req("eth_sendRawTransaction", edit_typed(signed(), set_field(-2, (SECP256K1_N + 1).to_bytes(32, "big")))),
      -32000, "invalid transaction v, r, s values"),
    c("y-parity-2", lambda n: req("eth_sendRawTransaction", edit_typed(signed(), set_field(-3, b"\x02"))),
      (-32000, INVALID_PARAMS), "invalid transaction v, r, s values"),
    c("legacy-v-30", lambda n: req("eth_sendRawTransaction", "0x" + rlp.encode(
        rlp.decode(bytes.fromhex(legacy()[2:]))[:6] + [b"\x1e"] + rlp.decode(bytes.fromhex(legacy()[2:]))[7:]).hex()),
      (-32000, INVALID_PARAMS), "invalid transaction v, r, s values"),
    c("signature-of-other-tx", lambda n: req("eth_sendRawTransaction", edit_typed(signed(), set_field(6, b"\x02"))),
      -32003, "insufficient funds"),
    # chain id
    c("wrong-chain-id-1559", lambda n: req("eth_sendRawTransaction", signed(chainId=1)), -32000, "invalid chain id for signer", "1"),
    c("wrong-chain-id-2930", lambda n: req("eth_sendRawTransaction", raw_hex(SENDER.sign_transaction(
        {"type": 1, "chainId": 5, "nonce": 0, "gasPrice": 10 * GWEI, "gas": 21_000, "to": DEV[1].address, "value": 1,
         "data": b"", "accessList": []}))), -32000, "invalid chain id for signer"),
    c("wrong-chain-id-legacy-155", lambda n: req("eth_sendRawTransaction", legacy(chainId=1)), -32000, "invalid chain id for signer"),
    # other validation
    c("initcode-oversized", lambda n: req("eth_sendRawTransaction", signed(to=b"", data=b"\x60" * 49_153, gas=1_000_000)),
      -32000, "max initcode size exceeded"),
    c("nonce-max", lambda n: req("eth_sendRawTransaction", legacy(nonce=2**64 - 1)), -32000, "nonce has max value"),
    c("tip-above-fee-cap", lambda n: req("eth_sendRawTransaction", signed(maxFeePerGas=GWEI, maxPriorityFeePerGas=2 * GWEI)),
      -32000, "max priority fee per gas higher than max fee per gas"),
    c("fee-cap-below-base-fee", lambda n: req("eth_sendRawTransaction", signed(maxFeePerGas=1, maxPriorityFeePerGas=1)),
      -32000, "max fee per gas less than block base fee"),
    c("gas-times-fee-overflows", lambda n: req("eth_sendRawTransaction", signed(gas=GAS_LIMIT, maxFeePerGas=2**255,
                                                                                maxPriorityFeePerGas=1)),
      VALIDATION, "insufficient funds"),
    c("value-above-balance", lambda n: req("eth_sendRawTransaction", signed(value=10**30)), VALIDATION, "insufficient funds"),
    c("unfunded-sender", lambda n: req("eth_sendRawTransaction", raw_hex(empty_account("bad-input").sign_transaction(tx1559()))),
      VALIDATION, "insufficient funds"),
    # oversized calldata: refused like geth's pool does, above 128 KiB (the body limit is checked above)
    c("calldata-oversized-tx", lambda n: req("eth_sendRawTransaction", signed(data=b"\x01" * 200_000, gas=21_000)),
      -32000, "oversized data", "131072"),
    c("calldata-over-gas-limit", lambda n: req("eth_sendRawTransaction", signed(data=b"\x01" * 2_000, gas=21_000)),
      -32000, "intrinsic gas too low"),
    c("gas-above-block-limit", lambda n: req("eth_sendRawTransaction", signed(gas=GAS_LIMIT + 1)), -32000, "exceeds block gas limit"),
    c("calldata-1MiB-eth_call", lambda n: req("eth_call", {"to": CONTRACTS["aMATICb"], "data": "0x" + "01" * 1_000_000}, "latest"),
      REVERT, "execution reverted"),
    # calldata to the emulated contracts: too short, wrong selector, bad arguments
    c("calldata-3-bytes", req("eth_call", {"to": CONTRACTS["aMATICb"], "data": "0x70a082"}, "latest"), REVERT, "execution reverted"),
    c("calldata-unknown-selector", req("eth_call", {"to": CONTRACTS["PolygonPool"], "data": "0xdeadbeef"}, "latest"),
      REVERT, "execution reverted"),
    c("calldata-args-truncated", req("eth_call", {"to": CONTRACTS["aMATICc"], "data": BALANCE_OF + "00" * 20}, "latest"),
      REVERT, "execution reverted"),
    c("calldata-dirty-address-coder-v2", req("eth_call", {"to": CONTRACTS["aMATICb"], "data": BALANCE_OF + "ff" * 32}, "latest"),
      REVERT, "execution reverted"),
    c("calldata-value-to-nonpayable", req("eth_call", {"from": ADDR, "to": CONTRACTS["MATIC"], "value": "0x1",
                                                       "data": TOTAL_SUPPLY}, "latest"), REVERT, "execution reverted"),
    c("calldata-transfer-above-balance", req("eth_call", {"from": ADDR, "to": CONTRACTS["aMATICb"],
                                                          "data": TRANSFER + word(DEV[1].address) + word(1)}, "latest"),
      REVERT, "execution reverted: ERC20: transfer amount exceeds balance"),
    c("estimate-unknown-selector", req("eth_estimateGas", {"from": ADDR, "to": CONTRACTS["aMATICb"], "data": "0xdeadbeef"}),
      REVERT, "execution reverted"),
    c("estimate-short-calldata", req("eth_estimateGas", {"from": ADDR, "to": CONTRACTS["MATIC"], "data": "0x01"}),
      REVERT, "execution reverted"),
    # cheats and stakenet_ methods with bad input
    c("set-code-native-address", req("anvil_setCode", CONTRACTS["MATIC"], "0x6000"), INVALID_PARAMS, "param 0", "native MATIC"),
    c("increase-time-not-a-number", req("evm_increaseTime", "soon"), INVALID_PARAMS, "param 0"),
    c("mine-too-many-blocks", req("anvil_mine", "0xffffffffffffffff"), INVALID_PARAMS, "param 0", "at most"),
    c("next-timestamp-in-the-past", req("evm_setNextBlockTimestamp", 1), INVALID_PARAMS, "timestamp"),
    c("warp-above-2^256", req("stakenet_warp", HUGE), INVALID_PARAMS, "param 0", "256 bits"),
    c("set-apr-not-a-number", req("stakenet_setApr", "high"), INVALID_PARAMS, "param 0"),
    c("deal-erc20-pool", req("anvil_dealERC20", ADDR, CONTRACTS["PolygonPool"], "0x1"), INVALID_PARAMS, "param 1", "MATIC"),
    c("impersonate-short-address", req("anvil_impersonateAccount", "0x12"), INVALID_PARAMS, "param 0", "20-byte"),
]


@pytest.mark.parametrize("payload,codes,fragments,want_id", CATALOGUE)
def test_bad_input(chain, payload, codes, fragments, want_id):
    node, before = chain
    if callable(payload):
        payload = payload(node)
    status, resp = post(node, payload)
    assert status == 200, f"HTTP {status} for a JSON-RPC error: {resp}"
    assert isinstance(resp, dict), f"expected one error object, got {resp!r}"[:500]
    assert set(resp) == {"jsonrpc", "id", "error"} and resp["jsonrpc"] == "2.0", resp
    err = resp["error"]
    assert err["code"] in codes, f"code {err['code']}, want {codes}: {err}"
    for f in fragments:
        assert f.lower() in err["message"].lower(), f"message {err['message']!r} should mention {f!r}"
    if want_id is ...:
        want_id = payload.get("id") if isinstance(payload, dict) else None
    assert resp["id"] == want_id, f"id {resp['id']!r}, want {want_id!r}"
    if err["code"] == REVERT:
        data = err.get("data")
        assert isinstance(data, str) and data.startswith("0x"), f"a revert carries its data: {err}"
        if ":" in err["message"]:
            assert data.startswith("0x08c379a0"), err
    assert fingerprint(node) == before, f"state changed after a rejected request ({err})"


def test_ids_of_every_valid_type_are_echoed(chain):
    node, before = chain
    for rid in ("abc", "", 0, 7, -3, 2**70, 1.5, None):
        status, resp = post(node, {"jsonrpc": "2.0", "id": rid, "method": "eth_chainId", "params": []})
        assert resp == {"jsonrpc": "2.0", "id": rid, "result": hex(CHAIN_ID)}, resp
    # a request without an id is a notification: no answer, even for a bad one
    status, resp = post(node, {"jsonrpc": "2.0", "method": "eth_getBalance", "params": ["0x12"]})
    assert resp is None and 200 <= status < 300, (status, resp)
    assert fingerprint(node) == before


def test_batch_mixing_good_and_bad_items(chain):
    node, before = chain
    status, resp = post(node, [req("eth_chainId", id=1), 5, req("eth_getBalance", "0x12", id=2),
                               {"jsonrpc": "2.0", "method": "eth_chainId"}, req("eth_nope", id=3),
                               req("eth_sendRawTransaction", "0xc0", id=4)])
    assert isinstance(resp, list) and len(resp) == 5, resp
    assert resp[0] == {"jsonrpc": "2.0", "id": 1, "result": hex(CHAIN_ID)}
    assert resp[1]["id"] is None and resp[1]["error"]["code"] == -32600
    assert resp[2]["id"] == 2 and resp[2]["error"]["code"] == INVALID_PARAMS
    assert resp[3]["id"] == 3 and resp[3]["error"]["code"] == -32601
    assert resp[4]["id"] == 4 and resp[4]["error"]["code"] == INVALID_PARAMS
    assert fingerprint(node) == before


def test_anvil_leniency(chain):
    """What Anvil accepts is accepted and means exactly what it says (and changes nothing)."""
    node, before = chain
    head = node.head()
    checksummed = DEV[0].address
    wrong_checksum = checksummed[:2] + checksummed[2].swapcase() + checksummed[3:]
    assert wrong_checksum != checksummed and any(ch.isupper() for ch in wrong_checksum[2:])
    want = node.balance(checksummed)
    for variant in (checksummed.lower(), checksummed.upper().replace("0X", "0x"), checksummed[2:], wrong_checksum):
        assert node.balance(variant) == want, variant
    assert node.rpc("eth_getBlockByNumber", "0x01", False)["hash"] == node.rpc("eth_getBlockByNumber", "0x1", False)["hash"]
    assert node.rpc("eth_getBlockByNumber", "1", False)["number"] == "0x1"        # decimal string
    assert node.rpc("eth_getBlockByNumber", 2, False)["number"] == "0x2"          # JSON number
    assert node.rpc("eth_getBlockByNumber", "0X2", False)["number"] == "0x2"
    supply = node.rpc("eth_call", {"to": CONTRACTS["MATIC"], "data": TOTAL_SUPPLY}, "latest")
    assert node.rpc("eth_call", {"to": CONTRACTS["MATIC"], "data": TOTAL_SUPPLY[2:]}, "latest") == supply
    # above the head: blocks are null (geth, Anvil); balance and nonce read at the head so that a
    # wallet that saw a higher block before anvil_reset recovers (a decision recorded in the RPC code)
    assert node.rpc("eth_getBlockByNumber", hex(head[0] + 100), False) is None
    assert node.rpc("eth_getBlockByHash", UNKNOWN_HASH, False) is None
    assert node.rpc("eth_getTransactionReceipt", UNKNOWN_HASH) is None
    assert node.rpc("eth_getTransactionByHash", UNKNOWN_HASH) is None
    assert node.balance(checksummed, hex(head[0] + 100)) == want
    # a huge eth_feeHistory count is clamped to what exists
    fh = node.rpc("eth_feeHistory", "0xffffffffffffffff", "latest", [10, 90])
    assert int(fh["oldestBlock"], 16) == 0 and len(fh["baseFeePerGas"]) == head[0] + 2, fh
    assert len(fh["reward"]) == head[0] + 1
    # unknown snapshot id: false, as Anvil; a malformed one: invalid params
    assert node.rpc("evm_revert", "0x99") is False
    assert node.rpc("evm_revert", "0x" + "f" * 64) is False
    for bad in ("0xzz", "snap", True, [1]):
        assert node.rpc_error("evm_revert", bad)["code"] == INVALID_PARAMS, bad
    assert fingerprint(node) == before


def test_websocket_survives_bad_frames(chain):
    node, before = chain
    with connect(node.url.replace("http://", "ws://", 1), open_timeout=10, max_size=None) as ws:
        for frame, code in (("garbage", -32700), ('{"jsonrpc":"2.0","id":1}', -32600),
                            (json.dumps(req("eth_getBalance", "0x12", id=2)), INVALID_PARAMS),
                            (json.dumps(req("eth_sendRawTransaction", "0xdeadbeef", id=3)), INVALID_PARAMS)):
            ws.send(frame)
            assert json.loads(ws.recv(timeout=10))["error"]["code"] == code, frame
        ws.send(json.dumps(req("eth_chainId", id=9)))
        assert json.loads(ws.recv(timeout=10)) == {"jsonrpc": "2.0", "id": 9, "result": hex(CHAIN_ID)}
    assert fingerprint(node) == before


def test_node_serves_after_the_catalogue(chain):
    """After everything above (run first in file order), the node still mines a good transaction."""
    node, _ = chain
    h = node.send_raw(SENDER.sign_transaction(tx1559(nonce=node.nonce(SENDER.address))))
    assert node.receipt(h)["status"] == "0x1"


# --- bad calldata inside a valid transaction: mined, reverted, charged, nothing else moves --------

@pytest.mark.parametrize("to,data", [("aMATICb", "0x70a082"), ("PolygonPool", "0xdeadbeef"),
                                     ("aMATICc", BALANCE_OF + "00" * 20), ("MATIC", "0x")],
                         ids=["too-short", "wrong-selector", "truncated-args", "empty-calldata"])
def test_reverting_transaction_is_mined_and_only_charges_gas(node, to, data):
    n = node()
    sender = DEV[3].address
    tokens_before = {t: n.rpc("eth_call", {"to": CONTRACTS[t], "data": balance_of(sender)}, "latest") for t in TOKENS}
    supplies_before = {t: n.rpc("eth_call", {"to": CONTRACTS[t], "data": TOTAL_SUPPLY}, "latest") for t in TOKENS}
    bal, nonce = n.balance(sender), n.nonce(sender)
    tx = tx1559(nonce=nonce, to=CONTRACTS[to], data=bytes.fromhex(data[2:]), gas=100_000, value=0)
    h = n.send_raw(DEV[3].sign_transaction(tx))
    r = n.receipt(h)
    assert r["status"] == "0x0", r
    assert r["logs"] == []
    gas_used, price = int(r["gasUsed"], 16), int(r["effectiveGasPrice"], 16)
    assert 21_000 <= gas_used <= 100_000
    assert n.balance(sender) == bal - gas_used * price
    assert n.nonce(sender) == nonce + 1
    assert {t: n.rpc("eth_call", {"to": CONTRACTS[t], "data": balance_of(sender)}, "latest") for t in TOKENS} == tokens_before
    assert {t: n.rpc("eth_call", {"to": CONTRACTS[t], "data": TOTAL_SUPPLY}, "latest") for t in TOKENS} == supplies_before
    # the same bytes again: already mined, so its nonce is too low now
    err = n.rpc_error("eth_sendRawTransaction", raw_hex(DEV[3].sign_transaction(tx)))
    assert "nonce too low" in err["message"] and err["code"] in VALIDATION, err
