"""Writes the seed corpora under fixtures/fuzz/<target>/seed-* (run with the repo's venv:
`.venv/bin/python Fuzz/make_seeds.py`). Seeds are built here from scratch — signed transactions
from eth-account, RLP from pyrlp, hand-written JSON-RPC requests, contract-call programs and
EVM bytecode from the small assembler below —
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


# --- EVM bytecode (the evm target) ----------------------------------------------------------------
# Input: [flags][fees][len1 hi][len1 lo] code1 [n] calldata code2 — see Fuzz/EVMFuzz.swift.
OPS = {
    "STOP": 0x00, "ADD": 0x01, "MUL": 0x02, "SUB": 0x03, "DIV": 0x04, "SDIV": 0x05, "MOD": 0x06, "SMOD": 0x07,
    "ADDMOD": 0x08, "MULMOD": 0x09, "EXP": 0x0a, "SIGNEXTEND": 0x0b, "LT": 0x10, "GT": 0x11, "SLT": 0x12,
    "SGT": 0x13, "EQ": 0x14, "ISZERO": 0x15, "AND": 0x16, "OR": 0x17, "XOR": 0x18, "NOT": 0x19, "BYTE": 0x1a,
    "SHL": 0x1b, "SHR": 0x1c, "SAR": 0x1d, "KECCAK256": 0x20, "ADDRESS": 0x30, "BALANCE": 0x31, "ORIGIN": 0x32,
    "CALLER": 0x33, "CALLVALUE": 0x34, "CALLDATALOAD": 0x35, "CALLDATASIZE": 0x36, "CALLDATACOPY": 0x37,
    "CODESIZE": 0x38, "CODECOPY": 0x39, "GASPRICE": 0x3a, "EXTCODESIZE": 0x3b, "EXTCODECOPY": 0x3c,
    "RETURNDATASIZE": 0x3d, "RETURNDATACOPY": 0x3e, "EXTCODEHASH": 0x3f, "BLOCKHASH": 0x40, "COINBASE": 0x41,
    "TIMESTAMP": 0x42, "NUMBER": 0x43, "PREVRANDAO": 0x44, "GASLIMIT": 0x45, "CHAINID": 0x46,
    "SELFBALANCE": 0x47, "BASEFEE": 0x48, "BLOBHASH": 0x49, "BLOBBASEFEE": 0x4a, "POP": 0x50, "MLOAD": 0x51,
    "MSTORE": 0x52, "MSTORE8": 0x53, "SLOAD": 0x54, "SSTORE": 0x55, "JUMP": 0x56, "JUMPI": 0x57, "PC": 0x58,
    "MSIZE": 0x59, "GAS": 0x5a, "JUMPDEST": 0x5b, "TLOAD": 0x5c, "TSTORE": 0x5d, "MCOPY": 0x5e, "PUSH0": 0x5f,
    "LOG0": 0xa0, "LOG1": 0xa1, "LOG2": 0xa2, "LOG3": 0xa3, "LOG4": 0xa4, "CREATE": 0xf0, "CALL": 0xf1,
    "CALLCODE": 0xf2, "RETURN": 0xf3, "DELEGATECALL": 0xf4, "CREATE2": 0xf5, "STATICCALL": 0xfa,
    "REVERT": 0xfd, "INVALID": 0xfe, "SELFDESTRUCT": 0xff,
    **{f"DUP{i}": 0x7f + i for i in range(1, 17)}, **{f"SWAP{i}": 0x8f + i for i in range(1, 17)},
}


def push(v):
    if isinstance(v, bytes):
        assert 1 <= len(v) <= 32
        return bytes([0x5f + len(v)]) + v
    if v == 0:
        return b"\x5f"
    n = (v.bit_length() + 7) // 8
    return bytes([0x5f + n]) + v.to_bytes(n, "big")


def asm(*items):
    """Names are opcodes, ints/bytes are pushed, ":name" defines a JUMPDEST, "@name" pushes its
    offset (PUSH2)."""
    def emit(labels):
        out = bytearray()
        for it in items:
            if isinstance(it, str) and it.startswith(":"):
                labels[it[1:]] = len(out)
                out.append(OPS["JUMPDEST"])
            elif isinstance(it, str) and it.startswith("@"):
                out += b"\x61" + labels.get(it[1:], 0).to_bytes(2, "big")
            elif isinstance(it, str):
                out.append(OPS[it])
            else:
                out += push(it)
        return bytes(out)
    labels = {}
    emit(labels)
    return emit(labels)


def mem(offset, data: bytes):
    """MSTOREs that put `data` at `offset` (zero-padded to whole words)."""
    data = data + bytes(-len(data) % 32)
    out = []
    for i in range(0, len(data), 32):
        out += [data[i:i + 32], offset + i, "MSTORE"]
    return out


def xcall(op, addr, in_off, in_len, out_off, out_len, value=0, gas="GAS"):
    args = [out_len, out_off, in_len, in_off]
    if op in ("CALL", "CALLCODE"):
        args.append(value)
    return args + [addr, gas, op]


def evm_input(code1, calldata=b"", code2=b"", gas=3, value=0, code2_installed=False, second_tx=False, create=False,
              base=2, tip=2, cap=False, call_options=False, native=False, funded=False):
    flags = gas | value << 3 | code2_installed << 5 | second_tx << 6 | create << 7
    fees = base | tip << 2 | cap << 4 | call_options << 5 | native << 6 | funded << 7
    return bytes([flags, fees]) + len(code1).to_bytes(2, "big") + code1 + bytes([len(calldata)]) + calldata + code2


def w(v):
    return v.to_bytes(32, "big")


def precompile_inputs():
    from eth_keys import keys
    h = keccak(b"stakenet evm fuzz")
    sig = keys.PrivateKey(bytes.fromhex(KEY[2:])).sign_msg_hash(h)
    ecrecover = h + w(27 + sig.v) + w(sig.r) + w(sig.s)
    modexp = w(1) + w(1) + w(1) + bytes([3, 5, 7])
    g1 = w(1) + w(2)
    blake = (w(12)[28:] + bytes.fromhex(
        "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
        "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b")
        + b"abc" + bytes(125) + bytes.fromhex("0300000000000000") + bytes(8) + b"\x01")
    assert len(blake) == 213
    return {1: ecrecover, 2: bytes(range(64)), 3: bytes(range(64)), 4: bytes(range(70)), 5: modexp,
            6: g1 + g1, 7: g1 + w(2), 8: bytes(192), 9: blake}


def evm_seeds():
    out = {}
    # A counting loop with arithmetic on the way; returns the count.
    out["loop"] = evm_input(asm(0, ":loop", 1, "ADD", "DUP1", "DUP1", "MUL", 7, "SWAP1", "MOD", "POP",
                                "DUP1", 200, "GT", "@loop", "JUMPI", 0, "MSTORE", 32, 0, "RETURN"), gas=3)
    # Each precompile 1-9 on a valid input: success flag and return size into storage, output returned.
    inputs = precompile_inputs()
    everything = []
    for i, data in inputs.items():
        one = mem(0x100, data) + xcall("CALL", i, 0x100, len(data), 0x800, 64) + [i, "SSTORE", "RETURNDATASIZE", i + 16, "SSTORE"]
        everything += one
        out[f"precompile-{i}"] = evm_input(asm(*one, 64, 0x800, "RETURN"), gas=5)
    out["precompiles-all"] = evm_input(asm(*everything, 64, 0x800, "RETURN"), gas=5)
    # Precompiles with too little gas and through STATICCALL / DELEGATECALL.
    out["precompile-short-gas"] = evm_input(asm(*mem(0, inputs[8]), *xcall("STATICCALL", 8, 0, 192, 0, 32, gas=1000),
                                                *xcall("DELEGATECALL", 2, 0, 64, 0, 32, gas=10), "ADD", 0, "SSTORE"), gas=4)
    # CREATE2 and CREATE of a contract that returns 42; call it; CREATE2 again with the same salt (collision).
    runtime = asm(0x2a, 0, "MSTORE", 32, 0, "RETURN")
    init = asm(runtime, 0, "MSTORE", len(runtime), 32 - len(runtime), "RETURN")
    at = 32 - len(init)
    out["create2"] = evm_input(asm(
        init, 0, "MSTORE",
        0x5a17, len(init), at, 0, "CREATE2", "DUP1", 1, "SSTORE",
        *xcall("STATICCALL", "DUP5", 0, 0, 0x40, 32), "POP",
        0x40, "MLOAD", 2, "SSTORE",
        "DUP1", "EXTCODESIZE", 3, "SSTORE", "EXTCODEHASH", 4, "SSTORE",
        len(init), at, 0, "CREATE", 6, "SSTORE",
        0x5a17, len(init), at, 0, "CREATE2", 5, "SSTORE", "STOP"), gas=5)   # collides: all its gas is gone
    # A creation transaction: the init code stores, logs and deploys a contract that reads slot 0.
    deployed = asm(0, "SLOAD", 0, "MSTORE", 32, 0, "RETURN")
    out["create-tx"] = evm_input(asm(7, 0, "SSTORE", 0, 0, "LOG0", deployed, 0, "MSTORE",
                                     len(deployed), 32 - len(deployed), "RETURN"), create=True, gas=4)
    # CREATE with value of init code that self-destructs to itself (EIP-6780: the ETH is burnt).
    burn = asm("ADDRESS", "SELFDESTRUCT")
    out["create-selfdestruct-burn"] = evm_input(asm(burn, 0, "MSTORE", len(burn), 32 - len(burn), "CALLVALUE", "CREATE",
                                                    0, "SSTORE"), value=3, gas=4)
    # Storage: set, read, clear (refund), transient storage; a second transaction reads it back.
    out["sstore-sload"] = evm_input(asm(
        0, "SLOAD", 1, "ADD", 0, "SSTORE", 0, "CALLDATALOAD", 1, "SSTORE", 5, 2, "SSTORE", 0, 2, "SSTORE",
        1, "SLOAD", 0, "SLOAD", "ADD", 3, "SSTORE", 9, 0, "TSTORE", 0, "TLOAD", 4, "SSTORE",
        0, "SLOAD", 0, "MSTORE", 32, 0, "RETURN"), calldata=w(0xabcdef), second_tx=True, gas=4)
    # LOG0-LOG4 over memory.
    out["logs"] = evm_input(asm(*mem(0, b"stakenet log data" * 3), 16, 0, "LOG0", 1, 32, 0, "LOG1",
                                2, 1, 48, 5, "LOG2", 3, 2, 1, 0, 0, "LOG3", 4, 3, 2, 1, 51, 0, "LOG4", "STOP"), gas=3)
    # Calls into a second contract: CALL (it stores and returns), DELEGATECALL (stores into ours),
    # STATICCALL (its SSTORE halts), CALL with value; the second transaction calls it directly.
    code2 = asm(0, "CALLDATALOAD", "DUP1", 1, "SSTORE", "ISZERO", "@rev", "JUMPI", "CALLER", 0, "MSTORE", 32, 0, "RETURN",
                ":rev", 0x0bad, 0, "MSTORE", 32, 0, "REVERT")
    out["call-second"] = evm_input(asm(
        *mem(0, w(5)), *xcall("CALL", 0x2000, 0, 32, 0x40, 32), 10, "SSTORE",
        *xcall("DELEGATECALL", 0x2000, 0, 32, 0x40, 32), 11, "SSTORE",
        *xcall("STATICCALL", 0x2000, 0, 32, 0x40, 32, gas=30_000), 12, "SSTORE",
        *xcall("CALL", 0x2000, 0x20, 32, 0x40, 32, value="CALLVALUE"), 13, "SSTORE",
        "RETURNDATASIZE", 0, 0, "RETURNDATACOPY", "RETURNDATASIZE", 0, "RETURN"),
        calldata=w(1), code2=code2, code2_installed=True, second_tx=True, value=2, gas=4)
    # Memory and hashing: keccak chain over memory, MCOPY, MSTORE8, EXP/MULMOD/ADDMOD/SIGNEXTEND/SAR/BYTE.
    out["memory-keccak"] = evm_input(asm(
        0, ":loop", "DUP1", "DUP1", 32, "MUL", "MSTORE",                  # mem[32i] = i
        "DUP1", 32, "MUL", 32, "ADD", 0, "KECCAK256",                       # keccak(mem[0 : 32i+32])
        "DUP2", 3, "EXP", "ADD", "DUP2", 32, "MUL", 0x1000, "ADD", "MSTORE",  # mem[0x1000+32i] = h + 3^i
        "DUP1", 0xff, "MSTORE8", 1, "ADD", "DUP1", 64, "GT", "@loop", "JUMPI", "POP",
        0x400, 0, 0x800, "MCOPY", 7, 5, "CALLDATALOAD", 0xffffffffffff, "MULMOD", 0x10, 0x12, 0x13, "ADDMOD",
        3, 0xff80, "SIGNEXTEND", 4, "SAR", 31, 0x1234, "BYTE", "XOR", "XOR", "XOR", 0, "MSTORE", "MSIZE", 0, "RETURN"),
        calldata=bytes(range(40)), gas=4)
    # Block and transaction environment, stored word by word and returned.
    env = ["ADDRESS", "SELFBALANCE", "ORIGIN", "CALLER", "CALLVALUE", "GASPRICE", "COINBASE",
           "TIMESTAMP", "NUMBER", "PREVRANDAO", "GASLIMIT", "CHAINID", "BASEFEE", "BLOBBASEFEE", "CODESIZE", "CALLDATASIZE"]
    body = []
    for i, op in enumerate(env):
        body += [op, 32 * i, "MSTORE"]
    body += [299, "BLOCKHASH", 0x200, "MSTORE", 0, "BLOBHASH", 0x220, "MSTORE", "CALLER", "BALANCE", 0x240, "MSTORE",
             "ORIGIN", "EXTCODEHASH", 0x260, "MSTORE", 0x20, 0, 0x280, 0x2000, "EXTCODECOPY", 0x2a0, 0, "RETURN"]
    out["environment"] = evm_input(asm(*body), code2=asm(1, 2, 3), code2_installed=True, value=2, gas=3, base=3, tip=1)
    # The native contract at 0x4e41: write, write-then-revert, revert, static write, delegatecall.
    out["native"] = evm_input(asm(
        *mem(0, bytes([0, 5])), *xcall("CALL", 0x4e41, 0, 2, 0x100, 32), 1, "SSTORE",
        *mem(0, bytes([3, 6])), *xcall("CALL", 0x4e41, 0, 2, 0x100, 32), 2, "SSTORE",
        *mem(0, bytes([1, 7])), *xcall("CALL", 0x4e41, 0, 40, 0x100, 32, value="CALLVALUE"), 3, "SSTORE",
        *mem(0, bytes([0, 8])), *xcall("STATICCALL", 0x4e41, 0, 2, 0x100, 32, gas=30_000), 4, "SSTORE",
        *mem(0, bytes([4, 5])), *xcall("DELEGATECALL", 0x4e41, 0, 2, 0x100, 64), 5, "SSTORE",
        *mem(0, bytes([4, 5])), *xcall("STATICCALL", 0x4e41, 0, 2, 0x100, 64), 6, "SSTORE",
        "RETURNDATASIZE", 0, 0, "RETURNDATACOPY", "RETURNDATASIZE", 0, "RETURN"), native=True, value=2, gas=4)
    # The native contract calls back into the EVM (NativeHost): into 0x2000 with the value it got, and into
    # 0x1000 itself (re-entry), which then writes storage; the second transaction repeats it.
    back = asm(0, "CALLDATALOAD", "CALLER", "SSTORE", "CALLVALUE", 1, "SSTORE", "CALLER", 0, "MSTORE", 32, 0, "RETURN")
    out["native-callback"] = evm_input(asm(
        "CALLDATASIZE", "@reentered", "JUMPI",
        *mem(0, bytes([5, 1]) + w(7)), *xcall("CALL", 0x4e41, 0, 34, 0x100, 32, value="CALLVALUE"), 1, "SSTORE",
        *mem(0, bytes([5, 0]) + w(9)), *xcall("CALL", 0x4e41, 0, 34, 0x100, 32), 2, "SSTORE",
        *mem(0, bytes([5, 1]) + w(8)), *xcall("STATICCALL", 0x4e41, 0, 34, 0x100, 32, gas=60_000), 3, "SSTORE",
        "STOP", ":reentered", 0, "CALLDATALOAD", 5, "SSTORE", "STOP"),
        code2=back, code2_installed=True, native=True, value=2, gas=4, second_tx=True)
    # Failures: revert with data after state changes; an invalid opcode; out of gas in a loop.
    out["revert"] = evm_input(asm(1, 1, "SSTORE", 0, 0, "LOG0", *mem(0, w(0xdead)), 32, 0, "REVERT"), value=3, gas=3)
    out["invalid"] = evm_input(asm(1, 1, "SSTORE", "INVALID"), gas=2)
    out["out-of-gas"] = evm_input(asm(":top", 1, "SLOAD", 1, "ADD", 1, "SSTORE", "@top", "JUMP"), gas=3, second_tx=True)
    # A funded contract sends ETH back to its caller and to the coinbase, then self-destructs to the caller.
    out["pay-back"] = evm_input(asm(*xcall("CALL", "CALLER", 0, 0, 0, 0, value=10**17), "POP",
                                    *xcall("CALL", "COINBASE", 0, 0, 0, 0, value=10**17), "POP", "CALLER", "SELFDESTRUCT"),
                                funded=True, gas=3, tip=1, base=3)
    # Deep recursion: the contract calls itself until the depth or the gas runs out.
    out["recursion"] = evm_input(asm(0, "SLOAD", 1, "ADD", 0, "SSTORE", *xcall("CALL", "ADDRESS", 0, 0, 0, 0), "STOP"), gas=5)
    return out


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
    for k, v in evm_seeds().items():
        write("evm", k, v)


if __name__ == "__main__":
    main()
