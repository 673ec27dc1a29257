"""Writes the seed corpora under fixtures/fuzz/<target>/seed-* (run with the repo's venv:
`.venv/bin/python Fuzz/make_seeds.py`). Seeds are built here from scratch — signed transactions
from eth-account, RLP from pyrlp, hand-written JSON-RPC requests and contract-call programs —
so the fuzzers start from valid inputs and mutate into the corners. Re-running rewrites the
same files (deterministic keys and values)."""
import json
from pathlib import Path

import rlp
from eth_account import Account
from eth_utils import keccak

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "fuzz"
KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # dev account 0 (public test key)
POOL = "0xCfD4B4Bc15C8bF0Fd820B0D4558c725727B3ce89"
AMATICB = "0x99534Ef705Df1FFf4e4bD7bbaAF9b0dFf038EbFe"


def write(target, name, data: bytes):
    d = ROOT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}").write_bytes(data)


def sel(sig):
    return keccak(text=sig)[:4]


# --- transactions ----------------------------------------------------------------------------
def txs():
    data = sel("transfer(address,uint256)") + bytes(12) + bytes.fromhex(POOL[2:]) + (10**18).to_bytes(32, "big")
    al = [{"address": AMATICB, "storageKeys": ["0x" + "00" * 31 + "01", "0x" + "ab" * 32]}]
    base = {"nonce": 7, "gas": 90_000, "to": AMATICB, "value": 1, "data": data}
    out = {
        "legacy-155": {**base, "gasPrice": 2 * 10**9, "chainId": 31337},
        "legacy-pre155": {**base, "gasPrice": 2 * 10**9},
        "legacy-chain1": {**base, "gasPrice": 10**9, "chainId": 1},
        "2930": {**base, "gasPrice": 3 * 10**9, "chainId": 31337, "accessList": al, "type": 1},
        "1559": {**base, "maxFeePerGas": 3 * 10**9, "maxPriorityFeePerGas": 10**9, "chainId": 31337,
                 "accessList": al, "type": 2},
        "1559-empty": {"nonce": 0, "gas": 21_000, "to": POOL, "value": 0, "data": b"",
                       "maxFeePerGas": 10**9, "maxPriorityFeePerGas": 0, "chainId": 31337, "type": 2},
        "create": {"nonce": 1, "gas": 100_000, "to": b"", "value": 0, "data": b"\x60\x00\x60\x00\xfd",
                   "gasPrice": 10**9, "chainId": 31337},
    }
    raws = {}
    for name, tx in out.items():
        raws[name] = bytes(Account.sign_transaction(tx, KEY).raw_transaction)
    return raws


# --- RLP ---------------------------------------------------------------------------------------
def rlps(raws):
    items = {
        "empty-string": b"",
        "byte": b"\x7f",
        "short": b"dog",
        "long": b"x" * 60,
        "long-1k": bytes(range(256)) * 4,
        "int": (1 << 200).to_bytes(26, "big"),
    }
    out = {k: rlp.encode(v) for k, v in items.items()}
    out["empty-list"] = rlp.encode([])
    out["nested"] = rlp.encode([[], [[]], [[], [[]]]])
    out["mixed"] = rlp.encode([b"cat", [b"dog", b""], b"\x00", b"x" * 56, [[b"a" * 100]]])
    out["long-list"] = rlp.encode([b"ab"] * 40)
    out["deep"] = rlp.encode(_deep(40))
    out["legacy-tx"] = raws["legacy-155"]
    out["typed-payload"] = raws["1559"][1:]
    return out


def _deep(n):
    v = []
    for _ in range(n):
        v = [v]
    return v


# --- JSON-RPC ----------------------------------------------------------------------------------
def jsonrpc():
    def req(method, params, id=1):
        return {"jsonrpc": "2.0", "id": id, "method": method, "params": params}
    reqs = {
        "quantity-hex": req("q", ["0x1f"]),
        "quantity-number": req("q", [123456789012345678901234567890]),
        "quantity-decimal": req("q", ["1000"]),
        "uint64": req("u", ["0xffffffffffffffff"]),
        "address": req("a", ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"]),
        "hash": req("h", ["0x" + "ab" * 32]),
        "data": req("d", ["0xdeadbeef"]),
        "tag-latest": req("t", ["latest"]),
        "tag-number": req("t", ["0x10"]),
        "tag-1898-hash": req("t", [{"blockHash": "0x" + "11" * 32, "requireCanonical": True}]),
        "tag-1898-number": req("t", [{"blockNumber": "0x2"}]),
        "object": req("o", [{"to": POOL, "value": "0x1", "data": "0x00", "blockHash": "0x" + "22" * 32}]),
        "bool": req("b", [True]),
        "string": req("s", ["h\u00e9llo \\ \"q\" \n"]),
        "array": req("r", [[1, "2", None, {"x": [True]}]]),
        "count": req("n", ["pending", None]),
        "echo": req("echo", {"named": [1.5e10, -3, 0]}, id="abc"),
        "optional": req("opt", [None, "0x" + "00" * 20, None, "0x"]),
        "null-id": req("q", ["0x0"], id=None),
        "notification": {"jsonrpc": "2.0", "method": "q", "params": ["0x1"]},
        "unknown-method": req("eth_nothing", []),
    }
    out = {k: json.dumps(v).encode() for k, v in reqs.items()}
    out["batch"] = json.dumps([reqs["quantity-hex"], reqs["notification"], reqs["hash"], 5]).encode()
    out["unicode-escapes"] = b'{"jsonrpc":"2.0","id":"\\ud83d\\ude00","method":"s","params":["\\u00e9\\u0000"]}'
    out["whitespace"] = b' \r\n\t{ "jsonrpc" : "2.0" , "id" : 1e3 , "method" : "echo" , "params" : [ ] } \n'
    return out


# --- contract programs -------------------------------------------------------------------------
# One call: [contract][caller][value kind][0xF0 + 4-byte selector][word kinds…][tail n][tail…][block step]
MATIC, POOLK, BOND, CERT, ANKR = 0, 1, 2, 3, 4
U0, U1, U2, OP, INTERMEDIARY = 0, 1, 2, 4, 6
NOVALUE, FEE = 3, 0


def call(contract, caller, sig, words, value=NOVALUE, tail=b"", step=1):
    return bytes([contract, caller, value, 0xF0]) + sel(sig) + b"".join(words) + bytes([len(tail)]) + tail + bytes([step])


def holder(i): return bytes([1, i])
def tokens_q(q): return bytes([2, q])            # q/4 tokens
def small(n): return bytes([0, n])
def offset(k): return bytes([6, k])              # 32·k
def ratio(gwei): return bytes([8]) + gwei.to_bytes(4, "big")   # gwei·1e9
ZERO, MAX = bytes([9]), bytes([3])


def programs():
    empty_bytes = bytes(32)
    stake = [call(MATIC, U0, "approve(address,uint256)", [holder(8), MAX]),
             call(POOLK, U0, "stakeAndClaimBonds(uint256)", [tokens_q(200)]),
             call(MATIC, U1, "approve(address,uint256)", [holder(8), MAX]),
             call(POOLK, U1, "stakeAndClaimCerts(uint256)", [tokens_q(120)])]
    out = {
        "stake-both": b"".join(stake),
        "rebase-transfer": b"".join(stake + [
            call(BOND, OP, "updateRatio(uint256)", [ratio(950_000_000)]),
            call(BOND, U0, "transfer(address,uint256)", [holder(U2), tokens_q(40)]),
            call(CERT, U1, "transfer(address,uint256)", [holder(U2), tokens_q(8)]),
        ]),
        "unstake-serve": b"".join(stake + [
            call(POOLK, U0, "unstakeBonds(uint256,uint256,uint256,bytes)", [tokens_q(40), ZERO, ZERO, offset(4)],
                 value=FEE, tail=empty_bytes),
            call(POOLK, U1, "unstakeCerts(uint256,uint256,uint256,bytes)", [tokens_q(20), ZERO, ZERO, offset(4)],
                 value=FEE, tail=empty_bytes),
            call(POOLK, OP, "serveClaims(uint256,address,uint256)", [MAX, holder(INTERMEDIARY), ZERO]),
        ]),
        "lock-unlock": b"".join(stake + [
            call(BOND, U0, "lockShares(uint256)", [tokens_q(20)]),
            call(BOND, U1, "unlockShares(uint256)", [tokens_q(10)]),
            call(BOND, OP, "updateRatioAndFee(uint256,uint256)", [ratio(990_000_000), tokens_q(1)]),
        ]),
        "allowances": b"".join([
            call(ANKR, U2, "approve(address,uint256)", [holder(U0), tokens_q(100)]),
            call(ANKR, U0, "transferFrom(address,address,uint256)", [holder(U2), holder(U1), tokens_q(50)]),
            call(MATIC, U0, "increaseAllowance(address,uint256)", [holder(U1), MAX]),
            call(MATIC, U1, "transferFrom(address,address,uint256)", [holder(U0), holder(7), small(1)]),
        ]),
        "claim-to-intermediary": b"".join(stake + [
            call(POOLK, OP, "claimToIntermediary(address,uint256)", [holder(INTERMEDIARY), ZERO]),
        ]),
    }
    return out


# --- EIP-712 ------------------------------------------------------------------------------------
def eip712():
    domain_types = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}]
    mail = {
        "types": {"EIP712Domain": domain_types,
                  "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
                  "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"},
                           {"name": "contents", "type": "string"}]},
        "primaryType": "Mail",
        "domain": {"name": "Ether Mail", "version": "1", "chainId": 1,
                   "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
        "message": {"from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
                    "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
                    "contents": "Hello, Bob!"},
    }
    arrays = {
        "types": {"EIP712Domain": [{"name": "chainId", "type": "uint256"}],
                  "Group": [{"name": "members", "type": "Member[]"}, {"name": "grid", "type": "int8[2][]"},
                            {"name": "tag", "type": "bytes4"}, {"name": "blob", "type": "bytes"}, {"name": "ok", "type": "bool"}],
                  "Member": [{"name": "id", "type": "uint64"}, {"name": "next", "type": "Member"}]},
        "primaryType": "Group",
        "domain": {"chainId": "0x7a69"},
        "message": {"members": [{"id": 1, "next": None}, {"id": "2"}], "grid": [[-1, 127], ["0x7f", -128]],
                    "tag": "0x01020304", "blob": "0xdeadbeef", "ok": True},
    }
    permit = {
        "types": {"EIP712Domain": domain_types,
                  "Permit": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
                             {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
                             {"name": "deadline", "type": "uint256"}]},
        "primaryType": "Permit",
        "domain": {"name": "aMATICc", "version": "1", "chainId": 31337, "verifyingContract": AMATICB},
        "message": {"owner": POOL, "spender": AMATICB, "value": str(10**18), "nonce": 0, "deadline": 2**255},
    }
    return {k: json.dumps(v).encode() for k, v in {"mail": mail, "arrays-recursive": arrays, "permit": permit}.items()}


def main():
    raws = txs()
    for k, v in raws.items():
        write("tx", k, v)
    for k, v in rlps(raws).items():
        write("rlp", k, v)
    for k, v in jsonrpc().items():
        write("jsonrpc", k, v)
    for k, v in programs().items():
        write("contracts", k, v)
    for k, v in eip712().items():
        write("eip712", k, v)


if __name__ == "__main__":
    main()
