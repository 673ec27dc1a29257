"""scripts/bench's EVM rows (sections evmtoken, evmcompute, evmvault; `--only evm` runs all three). Each row
prints its figure beside the peer measured in the same run, on the same machine and load:

- evmtoken: fixtures/contracts/Token.vy (a compiled Vyper ERC-20, evm_version cancun) deployed on a fresh node;
  pre-signed Token.transfer from 8 funded dev accounts on 8 connections (automine), tx/s as the median of three
  rounds — beside the native MATIC.transfer (Swift, no bytecode) from the same senders on the same node.
- evmcompute: hand-written compute-heavy bytecode (a loop: keccak over 1 KiB of memory, MSTORE/MLOAD, ADD/XOR,
  MULMOD, EXP, SSTORE/SLOAD of four slots) with a fixed gas limit, run (i) by stakenet through eth_call of a
  contract installed with anvil_setCode, minus the median time of an eth_call of a trivial contract; (ii) by
  revm (pyrevm, in process: message_call); (iii) by py-evm's CancunVM (scripts/integration/evmref.py). The same
  bytecode, calldata and gas limit everywhere; gas used and return data (which include the GAS left at the end)
  must agree before a time is printed.
- evmvault: fixtures/contracts/BenchVault.vy, whose deposit(amount) calls the native aMATICc's
  transferFrom(msg.sender, self, amount): each sender stakes MATIC in PolygonPool (stakeAndClaimCerts), approves
  the vault, then sends pre-signed deposits on 8 connections — beside aMATICc.transfer sent straight to the native
  contract by the same senders on the same node.

Transactions are pre-signed with eth-account and cached under .build/bench-cache like the driver's own: the
deployer (dev account 9) and the senders' nonces are fixed on a fresh node, so the contract addresses are too.
"""
import os
import statistics
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import bench_driver as bd

CONTRACTS_DIR = bd.ROOT / "fixtures" / "contracts"
AMATICC = "0x26dcFbFa8Bc267b250432c01C982Eaf81cC5480C"
DEPLOYER = 9                      # dev account 9 deploys; 0-7 send the workload
TOKEN_SUPPLY = 10**30
TOKEN_EACH = 10**24               # Token handed to each sender
DEPOSIT = 10**15                  # aMATICc per vault deposit
CERT_STAKE = 1_000 * bd.E18       # MATIC staked per sender for aMATICc
MAX_UINT = 2**256 - 1

# evmcompute: the bytecode's loop count (calldata) and the gas limit of every run. 2 000 iterations use
# 1 371 304 gas: py-evm needs ~2 s for it here, so each of its three rounds stays a few seconds.
COMPUTE_ITERATIONS = 2_000
COMPUTE_GAS = 30_000_000
COMPUTE_CALLS = 15                # timed eth_calls (and pyrevm calls) per round
HEAVY = "0x00000000000000000000000000000000bE0c0001"
HEAVY_TX = "0x00000000000000000000000000000000bE0c0002"
TRIVIAL = "0x00000000000000000000000000000000bE0c0003"


# ---------------------------------------------------------------------------------------------------------
# bytecode


_OPS = {"STOP": 0x00, "ADD": 0x01, "MUL": 0x02, "MULMOD": 0x09, "EXP": 0x0a, "LT": 0x10, "AND": 0x16, "OR": 0x17,
        "XOR": 0x18, "SHL": 0x1b, "KECCAK256": 0x20, "CALLDATALOAD": 0x35, "MLOAD": 0x51, "MSTORE": 0x52,
        "SLOAD": 0x54, "SSTORE": 0x55, "JUMPI": 0x57, "GAS": 0x5a, "JUMPDEST": 0x5b, "RETURN": 0xf3,
        "DUP1": 0x80, "DUP2": 0x81, "DUP3": 0x82, "SWAP1": 0x90, "SWAP2": 0x91}


def assemble(*items):
    """Opcode names, ints (pushed with the shortest PUSH; 0 is PUSH0), ":label" (a JUMPDEST) and "@label"
    (PUSH2 of its offset)."""
    def emit(labels):
        out = bytearray()
        for it in items:
            if isinstance(it, str) and it[0] == ":":
                labels[it[1:]] = len(out)
                out.append(_OPS["JUMPDEST"])
            elif isinstance(it, str) and it[0] == "@":
                out += b"\x61" + labels.get(it[1:], 0).to_bytes(2, "big")
            elif isinstance(it, str):
                out.append(_OPS[it])
            elif it == 0:
                out.append(0x5f)
            else:
                n = (it.bit_length() + 7) // 8
                out += bytes([0x5f + n]) + it.to_bytes(n, "big")
        return bytes(out)
    labels = {}
    emit(labels)
    return emit(labels)


P25519 = 2**255 - 19
# Stack [n, i, x]: n iterations (calldata word 0), counter i, accumulator x = 1. Each iteration:
#   mem[32·(i & 31)] = x; h = keccak256(mem[0:1024]); x = mulmod(x + h, h | 1, 2^255 − 19); x ^= x**3;
#   slot = i & 3; sstore(slot, sload(slot) + x); x += mload(32·((7·i) & 31)); i += 1
# then returns (x, sload(0) + … + sload(3), gas left).
COMPUTE_CODE = assemble(
    0, "CALLDATALOAD", 0, 1,
    ":loop",
    "DUP1", "DUP3", 31, "AND", 5, "SHL", "MSTORE",
    0x400, 0, "KECCAK256",
    "DUP1", 1, "OR", "SWAP2", "ADD", P25519, "SWAP2", "MULMOD",
    3, "DUP2", "EXP", "XOR",
    "DUP2", 3, "AND", "DUP1", "SLOAD", "DUP3", "ADD", "SWAP1", "SSTORE",
    "DUP2", 7, "MUL", 31, "AND", 5, "SHL", "MLOAD", "ADD",
    "SWAP1", 1, "ADD", "SWAP1",
    "DUP3", "DUP3", "LT", "@loop", "JUMPI",
    0, "MSTORE",
    0, "SLOAD", 1, "SLOAD", "ADD", 2, "SLOAD", "ADD", 3, "SLOAD", "ADD", 0x20, "MSTORE",
    "GAS", 0x40, "MSTORE", 0x60, 0, "RETURN")
# Returns one word: the eth_call round trip without the work.
TRIVIAL_CODE = assemble(0, "CALLDATALOAD", 0, "MSTORE", 0x20, 0, "RETURN")


# ---------------------------------------------------------------------------------------------------------
# helpers


def compile_vyper(name):
    import vyper
    from vyper.compiler.settings import Settings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = vyper.compile_code((CONTRACTS_DIR / f"{name}.vy").read_text(), contract_path=f"{name}.vy",
                                 output_formats=["abi", "bytecode"], settings=Settings(evm_version="cancun"))
    return out["abi"], out["bytecode"]


def deploy(node, deployer, name, types=(), args=()):
    from eth_abi import encode
    _, bytecode = compile_vyper(name)
    data = bytecode + (encode(list(types), list(args)).hex() if types else "")
    rc = node.send_and_check({"from": deployer, "data": data, "gas": hex(3_000_000)}, f"deploying {name}")
    from eth_utils import to_checksum_address
    return to_checksum_address(rc["contractAddress"])


def _sign_calls(task):
    """Signs `count` type-2 transactions from `key` with nonces nonce0 … to `to` with fixed `data`."""
    from eth_account import Account
    key, chain_id, nonce0, count, to, data, gas = task
    acct = Account.from_key(key)
    payload = bytes.fromhex(data[2:])
    return ["0x" + acct.sign_transaction({"type": 2, "chainId": chain_id, "nonce": nonce0 + i, "to": to, "value": 0,
                                          "gas": gas, "data": payload, "maxFeePerGas": bd.MAX_FEE,
                                          "maxPriorityFeePerGas": bd.TIP}).raw_transaction.hex()
            for i in range(count)]


def signed_calls(keys, senders, tag, to, data, nonce0, count, gas):
    """One list of raw transactions per sender, cached like bench_driver.Signer's (by sender, target, nonce)."""
    from eth_account import Account
    bd.CACHE.mkdir(parents=True, exist_ok=True)
    out, todo = {}, []
    for s in senders:
        addr = Account.from_key(keys[s]).address
        path = bd.CACHE / f"v2-{tag}-{bd.CHAIN_ID}-{addr}-{to}-{data[2:18]}-{gas}-{nonce0}.txt"
        if path.exists():
            lines = path.read_text().split()
            if len(lines) >= count:
                out[s] = lines[:count]
                continue
        todo.append((s, path))
    if todo:
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max(1, min(len(todo), os.cpu_count() or 1))) as ex:
            futs = [(s, path, ex.submit(_sign_calls, (keys[s], bd.CHAIN_ID, nonce0, count, to, data, gas)))
                    for s, path in todo]
            for s, path, f in futs:
                out[s] = f.result()
                path.write_text("\n".join(out[s]) + "\n")
        print(f"  (signed {len(todo) * count} {tag} transactions with eth-account in {time.perf_counter() - t0:.1f} s; "
              f"cached)", flush=True)
    return [out[s] for s in senders]


def call_uint(node, to, sig, *words):
    data = "0x" + bd.selector(sig) + "".join(words)
    return int(node.rpc.call("eth_call", {"to": to, "data": data}, "latest"), 16)


def rate_line(r):
    return f"{bd.fmt_int(r['rate'])} tx/s (rounds {'/'.join(bd.fmt_int(x) for x in r['rates'])}; node CPU {r['cpu_us']:.0f} µs/tx)"


# ---------------------------------------------------------------------------------------------------------
# (a) compiled ERC-20 transfers


def sec_evm_token(b):
    b.dev_keys()
    senders = list(range(b.senders))
    per = b.per_sender
    deployer = b.addrs[DEPLOYER]
    n = b.node("evmtoken")
    try:
        token = deploy(n, deployer, "Token", ("string", "string", "uint8", "uint256"),
                       ("Bench Token", "BNCH", 18, TOKEN_SUPPLY))
        transfer = bd.selector("transfer(address,uint256)")
        for s in senders:
            n.send_and_check({"from": deployer, "to": token,
                              "data": "0x" + transfer + bd.w_addr(b.addrs[s]) + bd.w_int(TOKEN_EACH)}, "Token.transfer")
        evm_lists = bd.Signer(b.keys).batches("evmtoken", token, senders, 0, per)
        native_lists = bd.Signer(b.keys).batches("matic", bd.MATIC, senders, per, per)
        before = [call_uint(n, token, "balanceOf(address)", bd.w_addr(b.addrs[s])) for s in senders]
        evm = b.tx_run(n, "evmtoken", evm_lists, b.senders, 20, "evmtoken")
        after = [call_uint(n, token, "balanceOf(address)", bd.w_addr(b.addrs[s])) for s in senders]
        moved = sum(x - y for x, y in zip(before, after)) // bd.TOKEN_AMOUNT
        bad = b.check_last_receipts(n, evm_lists, evm)
        native = b.tx_run(n, "matic", native_lists, b.senders, 20, "evmtoken-native")
        b.results["evm-token"] = evm["rate"]
        check = "" if moved == evm["total_ok"] else f"; only {moved} of {evm['total_ok']} transfers moved tokens"
        b.figure(f"EVM: compiled ERC-20 (Token.vy) transfer, eth_sendRawTransaction, automine, {b.senders} conns",
                 f"{rate_line(evm)} beside native MATIC.transfer {rate_line(native)} = "
                 f"{100 * evm['rate'] / max(1, native['rate']):.0f} % of native{check}{bad}", "≥ 5 000 tx/s")
    finally:
        n.stop()


# ---------------------------------------------------------------------------------------------------------
# (b) the interpreter on compute-heavy bytecode


def _time_calls(node, to, data, gas, count):
    params = [{"to": to, "data": data, "gas": hex(gas)}, "latest"]
    out, times = None, []
    for _ in range(count):
        t0 = time.perf_counter()
        out = node.rpc.call("eth_call", *params)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def run_pyrevm(code, calldata, gas, rounds, calls):
    from pyrevm import EVM, AccountInfo
    evm = EVM(spec_id="CANCUN")
    sender = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    evm.set_balance(sender, 10**24)
    evm.insert_account_info(HEAVY.lower(), AccountInfo(nonce=1, code=code))
    meds, out, gas_used = [], None, None
    for _ in range(rounds):
        times = []
        for _ in range(calls):
            snap = evm.snapshot()
            t0 = time.perf_counter()
            out = evm.message_call(sender, HEAVY.lower(), calldata=calldata, gas=gas)
            times.append(time.perf_counter() - t0)
            gas_used = evm.result.gas_used
            evm.revert(snap)
        meds.append(statistics.median(times))
    return meds, bytes(out), gas_used


def run_pyevm(code, calldata, gas, rounds):
    sys.path.insert(0, str(bd.ROOT / "scripts" / "integration"))
    import evmref
    from eth_account import Account
    key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # dev account 0 (public test key)
    acct = Account.from_key(key)
    from eth_utils import to_checksum_address
    heavy = to_checksum_address(HEAVY)
    alloc = {acct.address: evmref.account(10**24), heavy: evmref.account(0, 1, code)}
    tx = acct.sign_transaction({"type": 2, "chainId": bd.CHAIN_ID, "nonce": 0, "to": heavy, "value": 0, "gas": gas,
                                "maxFeePerGas": 10 * bd.GWEI, "maxPriorityFeePerGas": 0, "data": calldata})
    times, r = [], None
    for _ in range(rounds):
        chain = evmref.RefChain(alloc, gas_limit=2 * gas)  # a fresh state each round: the same storage costs
        t0 = time.perf_counter()
        r = chain.apply(tx)
        times.append(time.perf_counter() - t0)
    return times, r.output, r.gas_used, r.error


def sec_evm_compute(b):
    b.dev_keys()
    code, calldata = COMPUTE_CODE, COMPUTE_ITERATIONS.to_bytes(32, "big")
    data = "0x" + calldata.hex()
    n = b.node("evmcompute")
    try:
        for addr, c in ((HEAVY, code), (HEAVY_TX, code), (TRIVIAL, TRIVIAL_CODE)):
            n.rpc.call("anvil_setCode", addr, "0x" + c.hex())
        # stakenet's gas used, from a mined transaction into a second copy (fresh storage, like each eth_call)
        rc = n.send_and_check({"from": b.addrs[0], "to": HEAVY_TX, "data": data, "gas": hex(COMPUTE_GAS)},
                              "the compute bytecode as a transaction")
        sn_gas = int(rc["gasUsed"], 16)
        first, _ = _time_calls(n, HEAVY, data, COMPUTE_GAS, 2)   # warm up
        _time_calls(n, TRIVIAL, data, COMPUTE_GAS, 20)
        calls = max(3, min(COMPUTE_CALLS, int(0.5 / first)))     # a slow (debug) build: fewer calls
        rounds = []
        sn_out = None
        for _ in range(3):
            heavy, sn_out = _time_calls(n, HEAVY, data, COMPUTE_GAS, calls)
            trivial, _ = _time_calls(n, TRIVIAL, data, COMPUTE_GAS, 4 * calls)
            rounds.append((heavy - trivial, heavy, trivial))
        rounds.sort()
        sn, sn_heavy, sn_trivial = rounds[1]
        sn_out = bytes.fromhex(sn_out[2:])
    finally:
        n.stop()
    rv_rounds, rv_out, rv_gas = run_pyrevm(code, calldata, COMPUTE_GAS, 3, COMPUTE_CALLS)
    rv = statistics.median(rv_rounds)
    pe_rounds, pe_out, pe_gas, pe_err = run_pyevm(code, calldata, COMPUTE_GAS, 3)
    pe = statistics.median(pe_rounds)
    agree = sn_out == rv_out == pe_out and sn_gas == rv_gas == pe_gas and pe_err is None
    verdict = (f"gas used {bd.fmt_int(sn_gas)} and {len(sn_out)} bytes of return data agree in all three"
               if agree else
               f"MISMATCH: gas used stakenet {sn_gas} / revm {rv_gas} / py-evm {pe_gas} (py-evm error {pe_err}); "
               f"return data stakenet {sn_out.hex()} / revm {rv_out.hex()} / py-evm {pe_out.hex()}")
    b.results["evm-compute"] = (sn, rv, pe)
    ms = lambda s: f"{s * 1000:.2f} ms"  # noqa: E731
    mgas = lambda s: f"{sn_gas / s / 1e6:.0f} Mgas/s" if s > 0 else "—"  # noqa: E731
    ratio = lambda x: f"{x:.0f}" if x >= 10 else f"{x:.2f}"  # noqa: E731
    b.figure(f"EVM interpreter, compute-heavy bytecode ({COMPUTE_ITERATIONS} loops of keccak/MULMOD/EXP/SSTORE, "
             f"gas limit {COMPUTE_GAS // 1_000_000}M)",
             f"stakenet {ms(sn)} = {mgas(sn)} (eth_call {ms(sn_heavy)} − trivial eth_call {ms(sn_trivial)}; rounds "
             f"{'/'.join(ms(r[0]) for r in rounds)}), revm (pyrevm) {ms(rv)} = {mgas(rv)}, py-evm {ms(pe)} = "
             f"{mgas(pe)}: {ratio(sn / rv)}× revm's time, {ratio(pe / sn)}× py-evm's speed; {verdict}",
             "≤ 2× revm, ≥ 50× py-evm")


# ---------------------------------------------------------------------------------------------------------
# (c) an EVM contract calling a native one


def sec_evm_vault(b):
    b.dev_keys()
    senders = list(range(b.senders))
    per = b.per_sender
    n = b.node("evmvault")
    try:
        vault = deploy(n, b.addrs[DEPLOYER], "BenchVault", ("address",), (AMATICC,))
        approve = bd.selector("approve(address,uint256)")
        stake = bd.selector("stakeAndClaimCerts(uint256)")
        for s in senders:
            a = b.addrs[s]
            n.send_and_check({"from": a, "to": bd.MATIC, "data": "0x" + approve + bd.w_addr(bd.POOL) + bd.w_int(CERT_STAKE)},
                             f"MATIC.approve from {a}")
            n.send_and_check({"from": a, "to": bd.POOL, "data": "0x" + stake + bd.w_int(CERT_STAKE)},
                             f"PolygonPool.stakeAndClaimCerts from {a}")
            n.send_and_check({"from": a, "to": AMATICC, "data": "0x" + approve + bd.w_addr(vault) + bd.w_int(MAX_UINT)},
                             f"aMATICc.approve(vault) from {a}")
        nonce0 = 3
        for s in senders:
            got = n.nonce(b.addrs[s])
            if got != nonce0:
                raise RuntimeError(f"sender {b.addrs[s]} has nonce {got} after setup, expected {nonce0}")
        deposit = "0x" + bd.selector("deposit(uint256)") + bd.w_int(DEPOSIT)
        # One deposit through eth_call first: if the EVM → native call fails, say exactly how.
        try:
            n.rpc.call("eth_call", {"from": b.addrs[0], "to": vault, "data": deposit, "gas": hex(300_000)}, "latest")
        except bd.RPCError as e:
            b.figure("EVM contract calling a native one (BenchVault.deposit → aMATICc.transferFrom)",
                     f"FAILED: eth_call of deposit answered {e.code}: {e.message[:300]}", "≥ 3 000 tx/s")
            return
        lists = signed_calls(b.keys, senders, "vault-deposit", vault, deposit, nonce0, per, 300_000)
        native_lists = bd.Signer(b.keys).batches("certs", AMATICC, senders, nonce0 + per, per)
        evm = b.tx_run(n, "vault", lists, b.senders, 20, "evmvault")
        deposits = call_uint(n, vault, "deposits()")
        held = call_uint(n, AMATICC, "balanceOf(address)", bd.w_addr(vault))
        bad = b.check_last_receipts(n, lists, evm)
        native = b.tx_run(n, "certs", native_lists, b.senders, 20, "evmvault-native")
        check = ""
        if deposits != evm["total_ok"] or held != deposits * DEPOSIT:
            check = (f"; MISMATCH: {evm['total_ok']} deposits answered, vault counted {deposits}, holds {held} "
                     f"aMATICc wei (want {deposits * DEPOSIT})")
        b.results["evm-vault"] = evm["rate"]
        b.figure(f"EVM contract calling a native one (BenchVault.deposit → aMATICc.transferFrom), {b.senders} conns",
                 f"{rate_line(evm)} beside native aMATICc.transfer {rate_line(native)} = "
                 f"{100 * evm['rate'] / max(1, native['rate']):.0f} % of native{check}{bad}", "≥ 3 000 tx/s")
    finally:
        n.stop()


SECTIONS = {"evmtoken": sec_evm_token, "evmcompute": sec_evm_compute, "evmvault": sec_evm_vault}
