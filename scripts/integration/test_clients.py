"""Every client works unmodified: web3.py event filters and get_logs, WebSocket subscriptions,
message signing checked with eth-account, impersonation, MetaMask's request sequence, CORS preflight,
and anvil_dumpState / anvil_loadState (and the --dump-state / --load-state / --state flags)."""
import json
import os
import time
from pathlib import Path

import pytest
import requests
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from eth_utils import keccak
from web3 import Web3
from websockets.sync.client import connect

from support import CHAIN_ID, CONTRACTS, DEV, ETHER, GWEI, q, same_address

DAY = 86_400
REPO = Path(__file__).resolve().parents[2]


def vectors_root() -> Path:
    env = os.environ.get("STAKENET_VECTORS")
    return Path(env) if env else REPO.parent / "shared" / "vectors"


def abi(name):
    return json.loads((REPO / "fixtures" / "abi" / f"{name}.json").read_text())


def contracts(node):
    w3 = node.w3
    return {name: w3.eth.contract(address=Web3.to_checksum_address(CONTRACTS[name]), abi=abi(name))
            for name in ("MATIC", "PolygonPool", "aMATICb", "aMATICc", "ANKR")}


def wait_receipt(node, tx_hash, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = node.rpc("eth_getTransactionReceipt", tx_hash)
        if r is not None:
            return r
        time.sleep(0.05)
    raise AssertionError(f"no receipt for {tx_hash} after {timeout}s")


def transact(node, fn, sender, value=0):
    """Sends a contract call with eth_sendTransaction from a node-held account; asserts success."""
    tx_hash = fn.transact({"from": sender, "value": value})
    r = node.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
    assert r["status"] == 1, f"{fn.fn_name} failed: {r}"
    return r


def operator(node):
    return node.config["operator"]["operator"], node.config["operator"]["privateKeys"][0]


def rebase(node, c):
    """One rebase: stakenet_warp past the rebase interval (the auto operator sends updateRatio), or
    stakenet_rebase with --operator manual; on a node without the operator, updateRatio sent from the
    operator's key. Returns the new ratio."""
    before = c["aMATICb"].functions.ratio().call()
    try:
        node.rpc("stakenet_warp", DAY)
        if c["aMATICb"].functions.ratio().call() == before:
            node.rpc("stakenet_rebase")
    except Exception as e:      # conftest.RPCError
        if getattr(e, "code", None) != -32601:
            raise
        op, _ = operator(node)
        transact(node, c["aMATICb"].functions.updateRatio(before * 9_999 // 10_000), op)
    after = c["aMATICb"].functions.ratio().call()
    assert after < before, "the rebase did not lower the ratio"
    return after


def stake_and_unstake(node, c, who, stake=10 * ETHER, unstake=4 * ETHER):
    transact(node, c["MATIC"].functions.approve(c["PolygonPool"].address, stake), who)
    transact(node, c["PolygonPool"].functions.stakeAndClaimBonds(stake), who)
    fee = c["PolygonPool"].functions.ethUnstakeFee().call()
    transact(node, c["PolygonPool"].functions.unstakeBonds(unstake, 0, 0, b""), who, value=fee)


# --- filters -------------------------------------------------------------------------------------

def test_web3_event_filters_and_get_logs(dev):
    c = contracts(dev)
    who = DEV[1].address
    staked = c["PolygonPool"].events.StakePendingV2.create_filter(from_block="latest")
    burned = c["PolygonPool"].events.TokensBurned.create_filter(from_block="latest")
    ratios = c["aMATICb"].events.RatioUpdate.create_filter(from_block="latest")
    blocks = dev.w3.eth.filter("latest")
    start = dev.w3.eth.block_number

    stake_and_unstake(dev, c, who)
    new_ratio = rebase(dev, c)

    s = staked.get_new_entries()
    assert len(s) == 1 and s[0]["args"]["staker"] == who and s[0]["args"]["amount"] == 10 * ETHER
    assert s[0]["args"]["isRebasing"] is True
    b = burned.get_new_entries()
    assert len(b) == 1 and b[0]["args"]["staker"] == who and b[0]["args"]["amount"] == 4 * ETHER
    r = ratios.get_new_entries()
    assert len(r) >= 1 and r[-1]["args"]["newRatio"] == new_ratio
    assert staked.get_new_entries() == [] and ratios.get_new_entries() == []
    hashes = blocks.get_new_entries()
    head = dev.w3.eth.block_number
    assert [bytes(h) for h in hashes] == [bytes(dev.w3.eth.get_block(n)["hash"]) for n in range(start + 1, head + 1)]

    # get_logs over the whole chain sees the same events, decoded
    logs = c["PolygonPool"].events.StakePendingV2.get_logs(from_block=0)
    assert [(l["args"]["staker"], l["args"]["amount"]) for l in logs] == [(who, 10 * ETHER)]
    claims = c["PolygonPool"].events.MaticClaimPending.get_logs(from_block=0, argument_filters={"claimer": who})
    assert len(claims) == 1 and claims[0]["args"]["amount"] == 4 * ETHER
    assert c["aMATICb"].events.RatioUpdate.get_logs(from_block=0)[-1]["args"]["newRatio"] == new_ratio
    assert c["PolygonPool"].events.StakePendingV2.get_logs(from_block=0, argument_filters={"staker": DEV[2].address}) == []

    # eth_getFilterLogs (get_all_entries) of a filter with an explicit range
    all_stakes = c["PolygonPool"].events.StakePendingV2.create_filter(from_block=0)
    assert [e["args"]["amount"] for e in all_stakes.get_all_entries()] == [10 * ETHER]
    assert dev.w3.eth.uninstall_filter(all_stakes.filter_id)
    with pytest.raises(Exception, match="filter not found"):
        dev.w3.eth.get_filter_changes(all_stakes.filter_id)


def test_pending_transaction_filter_and_revert(node):
    n = node(["--no-mining"])
    f = n.rpc("eth_newPendingTransactionFilter")
    blocks = n.rpc("eth_newBlockFilter")
    h = n.rpc("eth_sendTransaction", {"from": DEV[0].address, "to": DEV[1].address, "value": "0x1"})
    assert n.rpc("eth_getFilterChanges", f) == [h]
    snap = n.rpc("evm_snapshot")
    n.rpc("evm_mine")
    n.rpc("evm_mine")
    assert n.rpc("evm_revert", snap) is True
    assert n.rpc("eth_getFilterChanges", blocks) == [], "blocks removed by evm_revert must not be reported"
    n.rpc("evm_mine")
    assert n.rpc("eth_getFilterChanges", blocks) == [n.rpc("eth_getBlockByNumber", "latest", False)["hash"]]


# --- WebSocket subscriptions ---------------------------------------------------------------------

def ws_call(ws, method, *params, rid=[100]):
    rid[0] += 1
    ws.send(json.dumps({"jsonrpc": "2.0", "id": rid[0], "method": method, "params": list(params)}))
    notes = []
    while True:
        m = json.loads(ws.recv(timeout=10))
        if m.get("id") == rid[0]:
            assert "error" not in m, m
            return m["result"], notes
        notes.append(m)


def test_websocket_newheads_and_logs_for_a_rebase(dev):
    c = contracts(dev)
    ratio_topic = "0x" + keccak(text="RatioUpdate(uint256)").hex()
    ws_url = dev.config.get("wsUrl") or dev.url.replace("http://", "ws://")
    with connect(ws_url) as ws:
        heads, early = ws_call(ws, "eth_subscribe", "newHeads")
        logs, more = ws_call(ws, "eth_subscribe", "logs", {"address": CONTRACTS["aMATICb"], "topics": [ratio_topic]})
        assert heads != logs and not early + more
        new_ratio = rebase(dev, c)
        head = dev.rpc("eth_getBlockByNumber", "latest", False)
        got_heads, got_logs = [], []
        deadline = time.monotonic() + 10
        while (not got_heads or got_heads[-1]["number"] != head["number"] or not got_logs) and time.monotonic() < deadline:
            m = json.loads(ws.recv(timeout=10))
            assert m["jsonrpc"] == "2.0" and m["method"] == "eth_subscription", m
            p = m["params"]
            (got_heads if p["subscription"] == heads else got_logs).append(p["result"])
            assert p["subscription"] in (heads, logs)
        assert got_heads and got_heads[-1]["hash"] == head["hash"]
        for k in ("parentHash", "number", "timestamp", "baseFeePerGas", "logsBloom", "stateRoot", "miner"):
            assert got_heads[-1][k] == head[k], k
        assert got_logs, "no RatioUpdate notification"
        last = got_logs[-1]
        assert same_address(last["address"], CONTRACTS["aMATICb"]) and last["topics"] == [ratio_topic]
        assert int(last["data"], 16) == new_ratio and last["removed"] is False
        receipt = dev.receipt(last["transactionHash"])
        assert last in receipt["logs"]

        # unsubscribe: no more logs notifications; newHeads goes on
        ok, _ = ws_call(ws, "eth_unsubscribe", logs)
        assert ok is True
        again, _ = ws_call(ws, "eth_unsubscribe", logs)
        assert again is False
        rebase(dev, c)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                m = json.loads(ws.recv(timeout=0.5))
            except TimeoutError:
                break
            assert m["params"]["subscription"] == heads, "notification for a cancelled subscription"


def test_subscribe_needs_websocket(dev):
    err = dev.rpc_error("eth_subscribe", "newHeads")
    assert "notifications not supported" in err["message"]


# --- signing -------------------------------------------------------------------------------------

def eip712_messages():
    base = vectors_root() / "eip712" / "eth-account" / "eip712_messages"
    out = []
    for f in ("valid_for_all", "valid_py_and_ethers", "valid_py_and_metamask"):
        out += sorted(json.loads((base / f"{f}.json").read_text()).items())
    return out


def test_personal_sign_recovers_to_dev_account(dev):
    me = DEV[3]
    for text in ("hello stakenet", "", "ünïcödé ✓"):
        msg = text.encode()
        sig = dev.rpc("personal_sign", "0x" + msg.hex(), me.address)
        assert Account.recover_message(encode_defunct(primitive=msg), signature=sig) == me.address
        assert sig == "0x" + bytes(me.sign_message(encode_defunct(primitive=msg)).signature).hex()
        assert dev.rpc("eth_sign", me.address, "0x" + msg.hex()) == sig
    # web3.py's own helper
    sig = dev.w3.eth.sign(me.address, text="via web3")
    assert Account.recover_message(encode_defunct(text="via web3"), signature=sig) == me.address


@pytest.mark.parametrize("name,message", eip712_messages(), ids=[n for n, _ in eip712_messages()])
def test_sign_typed_data_v4_matches_eth_account(dev, name, message):
    me = DEV[2]
    sig = dev.rpc("eth_signTypedData_v4", me.address, message)
    expected = Account.sign_typed_data(me.key, full_message=message)
    assert sig == "0x" + bytes(expected.signature).hex()
    assert Account.recover_message(encode_typed_data(full_message=message), signature=sig) == me.address
    # as MetaMask sends it: the typed data as a JSON string
    assert dev.rpc("eth_signTypedData_v4", me.address, json.dumps(message)) == sig


def test_sign_typed_data_rejects_invalid_messages(dev):
    base = vectors_root() / "eip712" / "eth-account" / "eip712_messages"
    for f in ("invalid", "one_arg_invalid"):
        for name, message in json.loads((base / f"{f}.json").read_text()).items():
            err = dev.rpc_error("eth_signTypedData_v4", DEV[0].address, message)
            assert err["code"] == -32602, (name, err)


# --- impersonation -------------------------------------------------------------------------------

def test_impersonated_operator_sends_update_ratio(dev):
    c = contracts(dev)
    op, _ = operator(dev)
    ratio = c["aMATICb"].functions.ratio().call()
    new_ratio = ratio - ratio // 1000
    dev.rpc("anvil_impersonateAccount", op)
    data = c["aMATICb"].encode_abi("updateRatio", [new_ratio])
    h = dev.rpc("eth_sendTransaction", {"from": op, "to": CONTRACTS["aMATICb"], "data": data})
    r = dev.receipt(h)
    assert r["status"] == "0x1" and same_address(r["from"], op)
    assert c["aMATICb"].functions.ratio().call() == new_ratio
    events = c["aMATICb"].events.RatioUpdate().process_receipt(dev.w3.eth.get_transaction_receipt(h))
    assert [e["args"]["newRatio"] for e in events] == [new_ratio]
    dev.rpc("anvil_stopImpersonatingAccount", op)

    # A keyless account: impersonation lets it send transactions, not sign messages.
    stranger = Account.from_key(keccak(text="stakenet clients stranger")).address
    dev.rpc_error("eth_sendTransaction", {"from": stranger, "to": DEV[0].address, "value": "0x1"})
    dev.rpc("anvil_impersonateAccount", stranger)
    dev.rpc("anvil_setBalance", stranger, hex(ETHER))
    dev.rpc("anvil_dealERC20", stranger, CONTRACTS["MATIC"], hex(5 * ETHER))
    h = c["MATIC"].functions.transfer(DEV[0].address, 2 * ETHER).transact({"from": stranger})
    assert dev.w3.eth.wait_for_transaction_receipt(h)["status"] == 1
    assert c["MATIC"].functions.balanceOf(stranger).call() == 3 * ETHER
    err = dev.rpc_error("personal_sign", "0x01", stranger)
    assert "impersonated" in err["message"]
    # updateRatio from it reverts with the contract's reason
    err = dev.rpc_error("eth_sendTransaction", {"from": stranger, "to": CONTRACTS["aMATICb"],
                                                "data": c["aMATICb"].encode_abi("updateRatio", [new_ratio - 1])})
    assert err["code"] == 3 and "execution reverted" in err["message"], err


# --- MetaMask ------------------------------------------------------------------------------------

def metamask_send(node, wallet, block_tag):
    """What MetaMask does to send 0.01 ETH: fee data, code check, gas estimate, nonce at its latest known
    block, a signed 1559 transaction, then receipt polling."""
    to = DEV[9].address
    assert node.rpc("eth_chainId") == hex(CHAIN_ID)
    assert node.rpc("net_version") == str(CHAIN_ID)
    node.rpc("eth_blockNumber")
    latest = node.rpc("eth_getBlockByNumber", "latest", False)
    base_fee = q(latest["baseFeePerGas"])
    hist = node.rpc("eth_feeHistory", "0xa", "latest", [10, 20, 30])
    assert len(hist["baseFeePerGas"]) == len(hist["gasUsedRatio"]) + 1 and "reward" in hist
    gas_price = q(node.rpc("eth_gasPrice"))
    assert gas_price >= base_fee
    assert node.rpc("eth_getCode", to, "latest") == "0x"
    gas = q(node.rpc("eth_estimateGas", {"from": wallet.address, "to": to, "value": hex(ETHER // 100)}))
    assert gas == 21_000
    nonce = q(node.rpc("eth_getTransactionCount", wallet.address, block_tag))
    tip = GWEI
    tx = {"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": to, "value": ETHER // 100, "gas": gas,
          "maxPriorityFeePerGas": tip, "maxFeePerGas": 2 * base_fee + tip, "data": b""}
    h = node.send_raw(wallet.sign_transaction(tx))
    receipt = wait_receipt(node, h)
    assert receipt["status"] == "0x1"
    node.rpc("eth_getBlockByNumber", receipt["blockNumber"], False)
    return receipt


def test_metamask_sequence_on_fresh_network_and_after_reset(dev):
    wallet = DEV[4]
    r1 = metamask_send(dev, wallet, "0x0")
    r2 = metamask_send(dev, wallet, r1["blockNumber"])
    assert q(r2["blockNumber"]) == 2
    # The developer resets the chain; MetaMask's block tracker still says block 2 (it only moves forward).
    dev.rpc("anvil_reset")
    assert dev.rpc("eth_blockNumber") == "0x0"
    assert dev.rpc("eth_getBlockByNumber", r2["blockNumber"], False) is None
    r3 = metamask_send(dev, wallet, r2["blockNumber"])
    assert q(r3["blockNumber"]) == 1
    assert dev.nonce(wallet.address) == 1


def test_cors_preflight(dev):
    r = requests.options(dev.url, headers={
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-requested-with",
        "Access-Control-Request-Private-Network": "true",
    }, timeout=10)
    assert r.status_code in (200, 204)
    h = {k.lower(): v for k, v in r.headers.items()}
    assert h.get("access-control-allow-origin") in ("*", "http://localhost:3000")
    assert "POST" in h.get("access-control-allow-methods", "")
    allowed = h.get("access-control-allow-headers", "").lower()
    assert allowed == "*" or ("content-type" in allowed and "x-requested-with" in allowed)
    assert h.get("access-control-allow-private-network") == "true"
    # and the POST that follows carries the header too
    r = requests.post(dev.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
                      headers={"Origin": "http://localhost:3000"}, timeout=10)
    assert r.headers.get("Access-Control-Allow-Origin") in ("*", "http://localhost:3000")


# --- state dump / load ---------------------------------------------------------------------------

def snapshot_of(node):
    c = contracts(node)
    people = [a.address for a in DEV[:4]]
    pool = c["PolygonPool"]
    out = {
        "ratio": c["aMATICb"].functions.ratio().call(),
        "claims": {a: pool.functions.pendingMaticClaimsOf(a).call() for a in people},
        "stakes": {a: pool.functions.pendingStakesOf(a).call() for a in people},
        "eth": {a: node.balance(a) for a in people},
        "nonces": {a: node.nonce(a) for a in people},
    }
    for token in ("MATIC", "aMATICb", "aMATICc", "ANKR"):
        out[token] = {a: c[token].functions.balanceOf(a).call() for a in people + [pool.address]}
        out[token + ".supply"] = c[token].functions.totalSupply().call()
    op, _ = operator(node)
    out["queue"] = pool.functions.getPendingClaims().call({"from": op})
    status = node.rpc("stakenet_status")       # the operator's view: claims with their due times
    out["status.claims"] = status["pendingClaims"]
    out["status.ratio"] = status["ratio"]
    out["status.nextRebaseTime"] = status["nextRebaseTime"]
    return out


def busy_chain(node):
    c = contracts(node)
    stake_and_unstake(node, c, DEV[1].address)
    stake_and_unstake(node, c, DEV[2].address, stake=3 * ETHER, unstake=ETHER)
    rebase(node, c)
    transact(node, c["aMATICb"].functions.transfer(DEV[3].address, ETHER), DEV[1].address)
    node.rpc("anvil_dealERC20", DEV[0].address, CONTRACTS["MATIC"], "0x0")   # a cleared balance


def test_dump_state_then_load_into_fresh_node(node):
    a = node(["--operator", "manual"], name="source")
    busy_chain(a)
    before = snapshot_of(a)
    assert any(before["claims"].values()), "the scenario should leave pending claims"
    blob = a.rpc("anvil_dumpState")
    assert isinstance(blob, str) and blob.startswith("0x")
    b = node(["--operator", "manual"], name="target")
    assert snapshot_of(b) != before
    assert b.rpc("anvil_loadState", blob) is True
    assert snapshot_of(b) == before
    # the chain goes on from the loaded state
    c = contracts(b)
    transact(b, c["aMATICb"].functions.transfer(DEV[2].address, ETHER // 2), DEV[1].address)


def test_dump_state_flags(node, tmp_path):
    dump = tmp_path / "dump.json"
    a = node(["--operator", "manual", "--dump-state", str(dump)], name="dumper")
    busy_chain(a)
    before = snapshot_of(a)
    assert a.stop() == 0
    assert dump.is_file() and json.loads(dump.read_text())["accounts"], "--dump-state wrote no state on exit"

    b = node(["--operator", "manual", "--load-state", str(dump)], name="loader")
    assert snapshot_of(b) == before

    # --state: loads when the file exists, writes on exit
    state = tmp_path / "state.json"
    c = node(["--operator", "manual", "--state", str(state)], name="state1")
    busy_chain(c)
    first = snapshot_of(c)
    c.stop()
    d = node(["--operator", "manual", "--state", str(state)], name="state2")
    assert snapshot_of(d) == first
