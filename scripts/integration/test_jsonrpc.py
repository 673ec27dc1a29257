"""JSON-RPC transport: batches, limits, error codes, params forms, CORS, WebSocket."""
import json
import os

import requests
from eth_utils import keccak
from websockets.sync.client import connect

from support import CHAIN_ID, DEV, ETHER, q


def test_batch_of_100_mixed_calls(dev):
    calls = [
        ("eth_chainId", [], lambda r: r == hex(CHAIN_ID)),
        ("eth_blockNumber", [], lambda r: r == "0x0"),
        ("eth_getBalance", [DEV[0].address, "latest"], lambda r: q(r) == 10_000 * ETHER),
        ("net_version", [], lambda r: r == str(CHAIN_ID)),
        ("web3_clientVersion", [], lambda r: r.startswith("anvil/")),
        ("eth_getBlockByNumber", ["0x0", False], lambda r: r["number"] == "0x0"),
        ("eth_getTransactionCount", [DEV[1].address, "latest"], lambda r: r == "0x0"),
        ("eth_accounts", [], lambda r: len(r) == 10),
        ("eth_gasPrice", [], lambda r: q(r) > 0),
        ("web3_sha3", ["0x01"], lambda r: r == "0x" + keccak(b"\x01").hex()),
    ]
    batch, checks = [], {}
    for i in range(100):
        rid = i if i % 3 else f"id-{i}"  # numbers and strings
        if i % 10 == 9:
            batch.append({"jsonrpc": "2.0", "id": rid, "method": "eth_noSuchMethod", "params": []})
            checks[json.dumps(rid)] = None
        else:
            method, params, ok = calls[i % len(calls)]
            batch.append({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
            checks[json.dumps(rid)] = (method, ok)
    resp = dev.raw(batch)
    assert isinstance(resp, list) and len(resp) == 100, f"got {type(resp).__name__} of {len(resp)}"
    assert [r.get("id") for r in resp] == [b["id"] for b in batch], "answers must come in request order"
    for req, r in zip(batch, resp):
        assert r.get("jsonrpc") == "2.0"
        check = checks[json.dumps(req["id"])]
        if check is None:
            assert r.get("error", {}).get("code") == -32601 and "result" not in r, r
        else:
            method, ok = check
            assert "error" not in r and ok(r["result"]), f"{method}: {r}"


def test_batch_over_limit_is_an_error(dev):
    batch = [{"jsonrpc": "2.0", "id": i, "method": "eth_chainId", "params": []} for i in range(1001)]
    resp = dev.raw(batch)
    if isinstance(resp, dict):
        assert "error" in resp and "result" not in resp, resp
    else:
        assert resp and all("error" in r for r in resp), f"1001 calls answered: {str(resp)[:300]}"
    assert dev.rpc("eth_chainId") == hex(CHAIN_ID)
    # 1000 is allowed
    resp = dev.raw(batch[:1000])
    assert isinstance(resp, list) and len(resp) == 1000 and all(r.get("result") == hex(CHAIN_ID) for r in resp)


def test_large_body_under_limit_is_served(dev):
    data = os.urandom(700 * 1024)  # 1.4 MiB of hex: under the 2 MiB body limit
    assert dev.rpc("web3_sha3", "0x" + data.hex()) == "0x" + keccak(data).hex()


def test_body_over_limit_gets_jsonrpc_error(dev):
    data = os.urandom(3 * 1024 * 1024 // 2)  # 3 MiB of hex
    body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "web3_sha3", "params": ["0x" + data.hex()]}).encode()
    assert len(body) > 3 * 1024 * 1024
    r = requests.post(dev.url, data=body, headers={"Content-Type": "application/json"}, timeout=60)
    try:
        resp = r.json()
    except ValueError:
        raise AssertionError(f"HTTP {r.status_code} with a non-JSON body: {r.text[:300]!r}")
    assert isinstance(resp, dict) and "error" in resp and "result" not in resp, resp
    assert isinstance(resp["error"].get("code"), int) and resp["error"].get("message"), resp

    # the same without Content-Length (chunked upload)
    def chunks():
        for i in range(0, len(body), 64 * 1024):
            yield body[i:i + 64 * 1024]
    r = requests.post(dev.url, data=chunks(), headers={"Content-Type": "application/json"}, timeout=60)
    resp = r.json()
    assert "error" in resp and "result" not in resp, resp
    assert dev.rpc("eth_chainId") == hex(CHAIN_ID)


def test_parse_error(dev):
    for body in (b"{this is not json", b"", b"[1,2", "\u00e9\u00e9".encode("latin-1")):
        resp = dev.raw(body)
        assert resp.get("error", {}).get("code") == -32700, f"{body!r} -> {resp}"
        assert resp.get("id") is None and "result" not in resp


def test_method_not_found(dev):
    resp = dev.request("eth_thisMethodDoesNotExist")
    assert resp["error"]["code"] == -32601 and resp["id"] == dev._next_id, resp


def test_invalid_request(dev):
    for payload in ({"jsonrpc": "2.0", "id": 1}, {"jsonrpc": "2.0", "id": 1, "method": 5}, [], 42, b"\"x\"", [1, 2]):
        resp = dev.raw(payload)
        if isinstance(resp, list):  # an array of non-requests: one error per element
            assert resp and all(r["error"]["code"] == -32600 for r in resp), f"{payload!r} -> {resp}"
        else:
            assert resp.get("error", {}).get("code") == -32600, f"{payload!r} -> {resp}"


def test_invalid_params_say_which(dev):
    err = dev.rpc_error("eth_getBalance", "0x1234", "latest")
    assert err["code"] == -32602, err
    err = dev.rpc_error("eth_getBlockByNumber", "not-a-tag", False)
    assert err["code"] == -32602, err


def test_quantities_and_block_tags(dev):
    addr = DEV[0].address
    genesis = dev.rpc("eth_getBlockByNumber", "0x0", False)
    assert dev.rpc("eth_getBlockByNumber", 0, False) == genesis  # JSON number accepted
    for tag in ("latest", "pending", "earliest", "safe", "finalized", "0x0", {"blockNumber": "0x0"},
                {"blockHash": genesis["hash"]}, {"blockHash": genesis["hash"], "requireCanonical": True}):
        assert q(dev.rpc("eth_getBalance", addr, tag)) == 10_000 * ETHER, tag
    # unknown block hash in EIP-1898 form is an error, not a zero balance
    assert "error" in dev.request("eth_getBalance", addr, {"blockHash": "0x" + "ab" * 32})


def test_ids_and_notifications(dev):
    for rid in (0, -1, 2**40, "abc", ""):
        resp = dev.raw({"jsonrpc": "2.0", "id": rid, "method": "eth_chainId", "params": []})
        assert resp["id"] == rid and resp["result"] == hex(CHAIN_ID), resp
    # params may be omitted
    assert dev.raw({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"})["result"] == hex(CHAIN_ID)
    # a batch where some entries are notifications answers only the others
    resp = dev.raw([{"jsonrpc": "2.0", "method": "eth_chainId", "params": []},
                    {"jsonrpc": "2.0", "id": 5, "method": "eth_chainId", "params": []}])
    assert [r["id"] for r in resp] == [5], resp


def test_cors(dev):
    origin = "http://localhost:3000"
    pre = requests.options(dev.url, timeout=10, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
        "Access-Control-Request-Private-Network": "true"})
    assert 200 <= pre.status_code < 300, pre.status_code
    assert pre.headers.get("Access-Control-Allow-Origin") in ("*", origin), dict(pre.headers)
    assert "POST" in pre.headers.get("Access-Control-Allow-Methods", "").upper(), dict(pre.headers)
    allow_headers = pre.headers.get("Access-Control-Allow-Headers", "").lower()
    assert "content-type" in allow_headers or allow_headers == "*", dict(pre.headers)
    assert pre.headers.get("Access-Control-Allow-Private-Network") == "true", dict(pre.headers)
    r = requests.post(dev.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
                      headers={"Origin": origin}, timeout=10)
    assert r.headers.get("Access-Control-Allow-Origin") in ("*", origin), dict(r.headers)


def test_allow_origin_flag(node):
    n = node(["--allow-origin", "https://app.example"])
    r = requests.post(n.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
                      headers={"Origin": "https://app.example"}, timeout=10)
    assert r.headers.get("Access-Control-Allow-Origin") == "https://app.example", dict(r.headers)


def test_websocket_requests(dev):
    ws_url = dev.url.replace("http://", "ws://", 1)
    with connect(ws_url, open_timeout=10, max_size=None) as ws:
        ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}))
        assert json.loads(ws.recv(timeout=10)) == {"jsonrpc": "2.0", "id": 1, "result": hex(CHAIN_ID)}
        ws.send(json.dumps([{"jsonrpc": "2.0", "id": i, "method": "eth_blockNumber", "params": []} for i in range(3)]))
        assert [r["id"] for r in json.loads(ws.recv(timeout=10))] == [0, 1, 2]
        ws.send("garbage")
        assert json.loads(ws.recv(timeout=10))["error"]["code"] == -32700
