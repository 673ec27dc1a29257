"""stakenet's EVM against py-evm's CancunVM (evmref.RefChain) on random bytecode and random transactions.

Each case is 1-3 random contracts at their own addresses (with preset storage, balance and nonce 1) and 1-3
signed transactions (types 0, 1 and 2, some with access lists, some contract creations) from one dev account.
The programs come from a seeded `random.Random` and a weighted mix of fragments: PUSH of edge values,
arithmetic (signed ops, ADDMOD, MULMOD, EXP, SIGNEXTEND, BYTE, SHL, SHR, SAR), memory (MSTORE, MSTORE8,
MLOAD, MCOPY) at bounded offsets, SSTORE/SLOAD/TSTORE/TLOAD, KECCAK256, LOG0-4, calldata and return data
ops, valid and invalid JUMP/JUMPI targets, CALL/CALLCODE/DELEGATECALL/STATICCALL into the case's other
contracts, empty accounts and precompiles 1-9 (with well-formed inputs as well as garbage), CREATE/CREATE2 of
generated initcode (including reverting, self-destructing, 0xEF-prefixed and oversized initcode), invalid
opcodes, stack underflow and overflow, SELFDESTRUCT.

The programs are installed on the node with anvil_setCode/anvil_setNonce/anvil_setStorageAt/anvil_setBalance
and in the reference chain's genesis; then every transaction is run on both. Compared per transaction:
eth_call at the pre-state (return data; for a revert: error code 3 and `data` = the revert bytes; for an
exceptional halt: an error that is not a revert), the receipt (status, gasUsed, contractAddress, logs), and
balance, nonce, code and every storage slot of each account the reference wrote (the sender and the
coinbase aside).

Two runs: a fixed seed (a stable baseline) and a fresh seed each time (more ground over many CI runs); a
failure prints the seed, the case, the programs' hex and the transaction. Replay with
STAKENET_EVM_DIFF_SEED=<seed> [STAKENET_EVM_DIFF_ONLY=<case>[,<case>...]] [STAKENET_EVM_DIFF_CASES=<n>]
(the case numbers stay the same, since all cases are always generated).
"""
import os
import random
import time
from dataclasses import dataclass, field

import pytest
from eth_keys import keys as eth_keys
from eth_utils import keccak, to_checksum_address
from py_ecc import bn128

from evmref import COINBASE, RefChain, account, dev_alloc
from support import CHAIN_ID, DEV, ETHER, GWEI, raw_hex

# py-evm warns on every SELFDESTRUCT it runs
pytestmark = pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode:DeprecationWarning")

FIXED_SEED = 0x5EED_C0DE
CASES = int(os.environ.get("STAKENET_EVM_DIFF_CASES", "150"))
SENDER = DEV[7]
EOA = DEV[8].address          # an account with a balance and no code that sends nothing here
MAX_FAILURES_SHOWN = 5

# -- opcodes -------------------------------------------------------------------------------------------------
STOP, ADD, MUL, SUB, DIV, SDIV, MOD, SMOD, ADDMOD, MULMOD, EXP, SIGNEXTEND = range(0x00, 0x0C)
LT, GT, SLT, SGT, EQ, ISZERO, AND, OR, XOR, NOT, BYTE, SHL, SHR, SAR = range(0x10, 0x1E)
KECCAK256 = 0x20
(ADDRESS, BALANCE, ORIGIN, CALLER, CALLVALUE, CALLDATALOAD, CALLDATASIZE, CALLDATACOPY, CODESIZE, CODECOPY,
 GASPRICE, EXTCODESIZE, EXTCODECOPY, RETURNDATASIZE, RETURNDATACOPY, EXTCODEHASH) = range(0x30, 0x40)
CHAINID, SELFBALANCE, BASEFEE, BLOBHASH = 0x46, 0x47, 0x48, 0x49
POP, MLOAD, MSTORE, MSTORE8, SLOAD, SSTORE, JUMP, JUMPI, PC, MSIZE, GAS, JUMPDEST, TLOAD, TSTORE, MCOPY, PUSH0 = \
    range(0x50, 0x60)
PUSH1, PUSH2, PUSH32 = 0x60, 0x61, 0x7F
DUP1, SWAP1, LOG0 = 0x80, 0x90, 0xA0
CREATE, CALL, CALLCODE, RETURN, DELEGATECALL, CREATE2 = 0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5
STATICCALL, REVERT, INVALID, SELFDESTRUCT = 0xFA, 0xFD, 0xFE, 0xFF
# 0x1E is CLZ (EIP-7939): stakenet runs Cancun plus CLZ while py-evm's Cancun has no CLZ, so it is left
# out here and tested on its own in the unit tests.
UNDEFINED = [0x0C, 0x0D, 0x0E, 0x0F, 0x1F, 0x21, 0x2F, 0x4B, 0x4F, 0xA5, 0xB0, 0xC0, 0xE0, 0xEF, 0xF6, 0xF9,
             0xFB, 0xFC]

# (opcode, number of stack arguments) for the pure stack-to-stack operations
ARITH = [(ADD, 2), (MUL, 2), (SUB, 2), (DIV, 2), (SDIV, 2), (MOD, 2), (SMOD, 2), (ADDMOD, 3), (MULMOD, 3),
         (EXP, 2), (SIGNEXTEND, 2), (LT, 2), (GT, 2), (SLT, 2), (SGT, 2), (EQ, 2), (ISZERO, 1), (AND, 2), (OR, 2),
         (XOR, 2), (NOT, 1), (BYTE, 2), (SHL, 2), (SHR, 2), (SAR, 2)]
M256 = 2**256
EDGE = [0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 0x7F, 0x80, 0xFF, 0x100, 0x101, 2**64 - 1, 2**128, 2**160 - 1,
        2**255 - 1, 2**255, 2**255 + 1, M256 - 2, M256 - 1]
SLOTS = [0, 1, 2, 3, 4, 2**255, M256 - 1]   # the storage keys programs use (and the node has preset values at)
PRECOMPILES = range(1, 10)

# BN254 (alt_bn128): the field modulus and the G2 generator in EIP-197's encoding (x_im, x_re, y_im, y_re).
BN_P = bn128.field_modulus
BN_G2 = tuple(int(c) for c in (bn128.G2[0].coeffs[1], bn128.G2[0].coeffs[0],
                               bn128.G2[1].coeffs[1], bn128.G2[1].coeffs[0]))
SIGNER = eth_keys.PrivateKey(keccak(text="stakenet differential ecrecover"))


def word(n):
    return (n % M256).to_bytes(32, "big")


def case_address(seed, case, i):
    return to_checksum_address(keccak(text=f"stakenet evm differential {seed} {case} {i}")[12:])


def empty_address(rng):
    """An address that has never had anything (so a value transfer to it pays the new-account charge)."""
    return to_checksum_address(keccak(rng.getrandbits(64).to_bytes(8, "big") + b"empty")[12:])


# -- assembler -----------------------------------------------------------------------------------------------
class Asm:
    """Bytes plus forward labels: `push_label` leaves a PUSH2 to be patched with the label's offset."""

    def __init__(self):
        self.code = bytearray()
        self.labels = {}
        self.fixups = []

    def op(self, *ops):
        self.code += bytes(ops)

    def push(self, value, width=None):
        value %= M256
        if width is None:
            if value == 0:
                self.code.append(PUSH0)
                return
            width = max(1, (value.bit_length() + 7) // 8)
        self.code.append(PUSH1 - 1 + width)
        self.code += value.to_bytes(width, "big")

    def push_label(self, name):
        self.code.append(PUSH2)
        self.fixups.append((len(self.code), name))
        self.code += b"\0\0"

    def jumpdest(self, name):
        self.labels[name] = len(self.code)
        self.code.append(JUMPDEST)

    def mark(self, name, offset):
        self.labels[name] = offset

    def assemble(self):
        for pos, name in self.fixups:
            self.code[pos:pos + 2] = self.labels[name].to_bytes(2, "big")
        return bytes(self.code)


# -- program generator ---------------------------------------------------------------------------------------
FRAGMENTS = {
    "push": 8, "arith": 18, "stack_arith": 6, "stack": 6, "mem": 8, "mcopy": 3, "sstore": 7, "sload": 3,
    "persist": 7, "transient": 5, "keccak": 3, "log": 4, "calldata": 5, "env": 6, "account": 4, "returndata": 3,
    "jump": 4, "jumpi": 4, "bad_jump": 0.6, "call": 7, "precompile": 5, "create": 2.5,
    "underflow": 0.25, "invalid": 0.25, "overflow": 0.04, "selfdestruct": 0.3,
}
TERMINATORS = {"stop": 15, "return": 35, "revert": 18, "end": 10, "invalid": 4, "undefined": 4, "selfdestruct": 5,
               "return_big": 4, "revert_error": 5}


class Program:
    """One random program. `callees` are the case contracts it may call (never itself or an earlier one, so
    calls cannot recurse); `nested` > 0 inside generated initcode, which is kept shorter."""

    def __init__(self, rng, self_address, callees, nested=0):
        self.rng = rng
        self.self_address = self_address
        self.callees = list(callees)
        self.nested = nested
        self.asm = Asm()
        self.depth = 0
        self.pending = []           # [(label, tracked depth at the jump)]
        self.nlabels = 0
        self.halted = False

    # values -------------------------------------------------------------------------------------------------
    def value(self):
        r = self.rng.random()
        if r < 0.45:
            return self.rng.choice(EDGE)
        if r < 0.7:
            return self.rng.randrange(0, 300)
        if r < 0.9:
            return self.rng.getrandbits(self.rng.choice([8, 16, 32, 64, 128, 160, 256]))
        return -self.rng.randrange(1, 300) % M256

    def offset(self):
        """A memory offset: mostly small; rarely one whose expansion costs much, or more than any gas."""
        r = self.rng.random()
        if r < 0.85:
            return self.rng.randrange(0, 256)
        if r < 0.99:
            return self.rng.randrange(0, 2048)
        if r < 0.998:
            return self.rng.choice([30_000, 100_000])
        return self.rng.choice([2**32, M256 - 1])

    def length(self):
        r = self.rng.random()
        if r < 0.2:
            return 0
        if r < 0.88:
            return self.rng.choice([1, 2, 31, 32, 33, 64, 65, 96, 100, 128])
        if r < 0.998:
            return self.rng.randrange(0, 1024)
        return self.rng.choice([30_000, M256 - 1])

    def push(self, v, width=None):
        self.asm.push(v, width)
        self.depth += 1

    def push_value(self):
        v = self.value()
        # sometimes a wider PUSH than needed, or PUSH1 0 instead of PUSH0
        width = None
        if self.rng.random() < 0.15:
            width = self.rng.randrange(max(1, (v.bit_length() + 7) // 8), 33)
        self.push(v, width)

    def args(self, *values):
        """Pushes the arguments of the next operation: values[0] ends on top of the stack."""
        for v in reversed(values):
            self.push(v)

    def op(self, opcode, pops, pushes):
        self.asm.op(opcode)
        self.depth = max(0, self.depth - pops) + pushes

    def write_memory(self, offset, data):
        for i in range(0, len(data), 32):
            chunk = data[i:i + 32].ljust(32, b"\0")
            self.args(int.from_bytes(chunk, "big"))
            self.args(offset + i)
            self.op(MSTORE, 2, 0)

    def target(self, allow_self=False):
        r = self.rng.random()
        if self.callees and r < 0.5:
            return int(self.rng.choice(self.callees), 16)
        if r < 0.7:
            return self.rng.choice(PRECOMPILES)
        if r < 0.8:
            return int(empty_address(self.rng), 16)
        if r < 0.88:
            return int(EOA, 16)
        if allow_self or r < 0.95:
            return int(self.self_address, 16)
        return self.rng.choice([0, 0x100])      # the coinbase (warm by EIP-3651), an empty low address

    # fragments ----------------------------------------------------------------------------------------------
    def f_push(self):
        for _ in range(self.rng.choice([1, 1, 2, 3, 6])):
            self.push_value()

    def f_arith(self):
        opcode, n = self.rng.choice(ARITH)
        self.args(*[self.value() for _ in range(n)])
        self.op(opcode, n, 1)

    def f_stack_arith(self):
        opcode, n = self.rng.choice(ARITH)
        while self.depth < n:
            self.push_value()
        self.op(opcode, n, 1)

    def f_stack(self):
        r = self.rng.random()
        n = self.rng.randrange(1, 17)
        if r < 0.4:
            while self.depth < n:
                self.push_value()
            self.op(DUP1 + n - 1, 0, 1)
        elif r < 0.8:
            while self.depth < n + 1:
                self.push_value()
            self.op(SWAP1 + n - 1, 0, 0)
        else:
            if self.depth == 0:
                self.push_value()
            self.op(POP, 1, 0)

    def f_mem(self):
        r = self.rng.random()
        if r < 0.45:
            self.args(self.offset(), self.value())
            self.op(MSTORE, 2, 0)
        elif r < 0.65:
            self.args(self.offset(), self.value())
            self.op(MSTORE8, 2, 0)
        elif r < 0.9:
            self.args(self.offset())
            self.op(MLOAD, 1, 1)
        else:
            self.op(MSIZE, 0, 1)

    def f_mcopy(self):
        self.args(self.offset(), self.offset(), self.length())
        self.op(MCOPY, 3, 0)

    def f_sstore(self):
        self.args(self.rng.choice(SLOTS), self.rng.choice([0, 0, 1, 2, self.value()]))
        self.op(SSTORE, 2, 0)

    def f_sload(self):
        self.args(self.rng.choice(SLOTS))
        self.op(SLOAD, 1, 1)

    def f_persist(self):
        """Stores the top of the stack (a computed value) so that the storage comparison sees it."""
        if self.depth == 0:
            self.op(self.rng.choice([GAS, MSIZE, RETURNDATASIZE, CALLDATASIZE]), 0, 1)
        self.args(self.rng.choice(SLOTS))
        self.op(SSTORE, 2, 0)

    def f_transient(self):
        key = self.rng.choice(SLOTS)
        if self.rng.random() < 0.5:
            self.args(key, self.rng.choice([0, 1, self.value()]))
            self.op(TSTORE, 2, 0)
        else:
            self.args(key)
            self.op(TLOAD, 1, 1)

    def f_keccak(self):
        self.args(self.offset(), self.length())
        self.op(KECCAK256, 2, 1)

    def f_log(self):
        n = self.rng.randrange(0, 5)
        self.args(self.offset(), self.length(), *[self.value() for _ in range(n)])
        self.op(LOG0 + n, 2 + n, 0)

    def f_calldata(self):
        r = self.rng.random()
        if r < 0.5:
            self.args(self.rng.choice([0, 1, 4, 31, 32, 36, 64, 100, M256 - 1]))
            self.op(CALLDATALOAD, 1, 1)
        elif r < 0.8:
            self.args(self.offset(), self.rng.choice([0, 4, 32, 1000, M256 - 1]), self.length())
            self.op(CALLDATACOPY, 3, 0)
        else:
            self.args(self.offset(), self.rng.choice([0, 5, 1000]), self.length())
            self.op(CODECOPY, 3, 0)

    def f_env(self):
        opcode = self.rng.choice([ADDRESS, ORIGIN, CALLER, CALLVALUE, CALLDATASIZE, CODESIZE, RETURNDATASIZE,
                                  SELFBALANCE, GAS, PC, MSIZE, CHAINID, BLOBHASH])
        if opcode == BLOBHASH:
            self.args(self.rng.choice([0, 1, M256 - 1]))
            self.op(BLOBHASH, 1, 1)
        else:
            self.op(opcode, 0, 1)

    def f_account(self):
        who = self.target(allow_self=True)
        r = self.rng.random()
        if r < 0.8:
            self.args(who)
            self.op(self.rng.choice([BALANCE, EXTCODESIZE, EXTCODEHASH]), 1, 1)
        else:
            self.args(who, self.offset(), self.rng.choice([0, 3, 1000]), self.length())
            self.op(EXTCODECOPY, 4, 0)

    def f_returndata(self):
        r = self.rng.random()
        if r < 0.4:
            self.op(RETURNDATASIZE, 0, 1)
        elif r < 0.8:
            self.op(RETURNDATASIZE, 0, 1)
            self.args(self.offset(), 0)
            self.op(RETURNDATACOPY, 3, 0)
        else:
            # off + len past the return data is an exceptional halt
            self.args(self.offset(), self.rng.choice([0, 0, 1, 32]), self.rng.choice([0, 1, 32, 64]))
            self.op(RETURNDATACOPY, 3, 0)

    def new_label(self):
        self.nlabels += 1
        return f"L{self.nlabels}"

    def f_jump(self):
        name = self.new_label()
        self.asm.push_label(name)
        self.op(JUMP, 0, 0)
        self.pending.append((name, self.depth))

    def f_jumpi(self):
        name = self.new_label()
        self.args(self.rng.choice([0, 1, 2, self.value()]))
        self.asm.push_label(name)
        self.op(JUMPI, 1, 0)
        self.pending.append((name, self.depth))

    def f_bad_jump(self):
        r = self.rng.random()
        if r < 0.35:
            # into PUSH data that holds a 0x5b byte
            start = len(self.asm.code)
            self.asm.op(PUSH2, JUMPDEST, JUMPDEST, POP)
            name = self.new_label()
            self.asm.mark(name, start + 1)
            self.asm.push_label(name)
        elif r < 0.6:
            # onto an instruction that is not a JUMPDEST
            name = self.new_label()
            self.asm.mark(name, len(self.asm.code))
            self.asm.push_label(name)
        else:
            self.asm.push(self.rng.choice([0xFFFF, 2**32, M256 - 1, len(self.asm.code) + 10_000]))
        if self.rng.random() < 0.3:
            # JUMPI with a zero condition: an invalid target that is never checked
            self.asm.op(PUSH0, SWAP1, JUMPI)
        else:
            self.asm.op(JUMP)
            self.halted = True

    def call_tail(self, ret_offset):
        """What a program does with a call's results: keep the flag, the return data size, the output."""
        r = self.rng.random()
        if r < 0.4:
            self.f_persist()
        elif r < 0.6:
            self.op(RETURNDATASIZE, 0, 1)
            self.f_persist()
        elif r < 0.8:
            self.args(ret_offset)
            self.op(MLOAD, 1, 1)
            self.f_persist()

    def emit_call(self, kind, addr, gas, value, args_offset, args_len, ret_offset, ret_len):
        """Pushes a call's arguments and the call; `addr` is an int, or "sload:<slot>" for an address kept in
        storage (a contract created earlier)."""
        self.args(ret_len)
        self.args(ret_offset)
        self.args(args_len)
        self.args(args_offset)
        if kind in (CALL, CALLCODE):
            self.args(value)
        if isinstance(addr, str):
            self.args(int(addr.split(":")[1]))
            self.op(SLOAD, 1, 1)
        else:
            self.args(addr)
        if gas is None:
            self.op(GAS, 0, 1)
        else:
            self.args(gas)
        self.op(kind, 7 if kind in (CALL, CALLCODE) else 6, 1)

    def call_kind(self):
        return self.rng.choice([CALL, CALL, CALL, CALLCODE, DELEGATECALL, STATICCALL])

    def call_gas(self):
        return self.rng.choice([None, None, None, 0, 1, 100, 2300, 2301, 5000, 30_000, 100_000, M256 - 1])

    def call_value(self):
        return self.rng.choice([0, 0, 0, 0, 1, 10**15, 2**255])

    def f_call(self):
        ret = self.rng.randrange(0, 256)
        self.emit_call(self.call_kind(), self.target(), self.call_gas(), self.call_value(), self.offset(),
                       self.length(), ret, self.rng.choice([0, 1, 32, 64, 100]))
        self.call_tail(ret)

    def precompile_input(self, n):
        rng = self.rng
        bad = rng.random() < 0.2
        if n == 1:  # ecrecover: hash, v, r, s
            h = rng.randbytes(32)
            sig = SIGNER.sign_msg_hash(h)
            v = 27 + sig.v if not bad else rng.choice([0, 26, 29, 2**255])
            return h + word(v) + word(sig.r) + word(sig.s if not bad or rng.random() < 0.5 else 0)
        if n in (2, 3, 4):
            return rng.randbytes(rng.choice([0, 1, 31, 32, 33, 64, 100, 200]))
        if n == 5:  # modexp: lengths, then base, exponent, modulus
            bl, el, ml = rng.choice([0, 1, 2, 32, 33, 64]), rng.choice([0, 1, 3, 32, 33]), rng.choice([0, 1, 2, 32, 64])
            head = word(bl) + word(el) + word(ml)
            body = rng.randbytes(bl) + rng.choice([rng.randbytes(el), b"\xff" * el, b"\0" * el]) + rng.randbytes(ml)
            if bad:
                body = body[:max(0, len(body) - rng.randrange(1, 20))]
            return head + body
        if n == 6:  # ecAdd: two G1 points
            pts = [word(1) + word(2), word(0) + word(0), word(1) + word(BN_P - 2)]
            if bad:
                pts.append(word(1) + word(3))
            return rng.choice(pts) + rng.choice(pts)
        if n == 7:  # ecMul: G1 point, scalar
            p = rng.choice([word(1) + word(2), word(0) + word(0)] + ([word(2) + word(2)] if bad else []))
            return p + word(rng.choice([0, 1, 2, 3, 2**255, M256 - 1, rng.getrandbits(256)]))
        if n == 8:  # ecPairing, kept to inputs that stay cheap for py-evm: empty, malformed, off-curve
            return rng.choice([b"", b"\0" * 191, word(1) + word(3) + b"".join(word(x) for x in BN_G2),
                               b"\0" * 192 + b"\1"])
        # n == 9, blake2f: rounds(4) h(64) m(128) t(16) f(1)
        rounds = rng.choice([0, 1, 2, 12])
        f = rng.choice([0, 1]) if not bad else rng.choice([2, 255])
        data = rounds.to_bytes(4, "big") + rng.randbytes(64 + 128 + 16) + bytes([f])
        if bad and rng.random() < 0.5:
            data = data[:-1]
        return data

    def f_precompile(self):
        n = self.rng.choice(PRECOMPILES)
        data = self.precompile_input(n)
        base = self.rng.choice([0, 0, 32, 100])
        self.write_memory(base, data)
        args_len = len(data) if self.rng.random() < 0.85 else max(0, len(data) + self.rng.choice([-1, 1, 32]))
        ret = base + len(data) + self.rng.choice([0, 32])
        kind = self.rng.choice([STATICCALL, STATICCALL, CALL, DELEGATECALL, CALLCODE])
        gas = self.rng.choice([None, None, None, 0, 100, 3000, 3500, 45_000, 200_000])
        self.emit_call(kind, n, gas, self.rng.choice([0, 0, 0, 1]), base, args_len, ret,
                       self.rng.choice([0, 20, 32, 64, 65]))
        self.call_tail(ret)

    def initcode(self):
        """Initcode for CREATE/CREATE2 or a creation transaction."""
        rng = self.rng
        r = rng.random()
        if r < 0.45 or self.nested >= 2:
            # returns a runtime: a short random program, random bytes, 0xEF-prefixed (EIP-3541), or nothing
            k = rng.random()
            if k < 0.5 and self.nested < 2:
                runtime = Program(rng, "0x" + "00" * 20, [], self.nested + 1).build(rng.randrange(1, 6))
            elif k < 0.75:
                runtime = rng.randbytes(rng.randrange(0, 40))
            elif k < 0.85:
                runtime = b"\xef" + rng.randbytes(rng.randrange(0, 8))
            else:
                runtime = b""
            p = Program(rng, "0x" + "00" * 20, [], self.nested + 1)
            p.write_memory(0, runtime)
            p.args(0, len(runtime))
            p.op(RETURN, 2, 0)
            return p.asm.assemble()
        if r < 0.75:
            return Program(rng, "0x" + "00" * 20, [], self.nested + 1).build(rng.randrange(1, 8))
        if r < 0.85:
            p = Program(rng, "0x" + "00" * 20, [], self.nested + 1)
            p.write_memory(0, rng.randbytes(rng.choice([0, 4, 36])))
            p.args(0, rng.choice([0, 4, 36]))
            p.op(REVERT, 2, 0)
            return p.asm.assemble()
        # self-destructs in its own creation: EIP-6780 deletes the new account
        p = Program(rng, "0x" + "00" * 20, [], self.nested + 1)
        p.args(self.target())
        p.op(SELFDESTRUCT, 1, 0)
        return p.asm.assemble()

    def f_create(self):
        if self.nested >= 2:
            return self.f_arith()
        code = self.initcode()
        base = self.rng.choice([0, 32])
        self.write_memory(base, code)
        size = len(code)
        r = self.rng.random()
        if r < 0.05:
            size = 49_153          # EIP-3860: one byte over the initcode limit
        elif r < 0.08:
            size = 49_152
        elif r < 0.15:
            size += self.rng.choice([-1, 1, 32])
        salt_op = self.rng.random() < 0.5
        if salt_op:
            self.args(self.rng.choice([0, 1, self.value()]))
        self.args(max(size, 0))
        self.args(base)
        # Over the EIP-3860 limit the endowment is 0: geth (whose fills the state tests are) halts on the size
        # before anything else, while py-evm first pushes 0 for an endowment the creator cannot pay.
        self.args(0 if size > 49_152 else self.rng.choice([0, 0, 0, 1, 10**15]))
        self.op(CREATE2 if salt_op else CREATE, 4 if salt_op else 3, 1)
        slot = self.rng.choice(SLOTS)
        self.args(slot)
        self.op(SSTORE, 2, 0)
        if self.rng.random() < 0.6:
            # call what was created (it may self-destruct: EIP-6780 deletes it, created in this transaction)
            self.emit_call(self.rng.choice([CALL, STATICCALL, DELEGATECALL]), f"sload:{slot}", self.call_gas(), 0,
                           self.offset(), self.length(), 0, 32)
            self.call_tail(0)

    def f_underflow(self):
        opcode, n = self.rng.choice([(ADD, 2), (ADDMOD, 3), (SSTORE, 2), (CALL, 7), (LOG0 + 4, 6), (MCOPY, 3),
                                     (DUP1 + 15, 16), (SWAP1 + 15, 17)])
        while self.depth >= n:
            self.op(POP, 1, 0)
        self.asm.op(opcode)
        self.halted = True

    def f_invalid(self):
        self.asm.op(self.rng.choice([INVALID] + UNDEFINED))
        self.halted = True

    def f_overflow(self):
        for _ in range(1025):
            self.asm.op(PUSH0)
        self.halted = True

    def f_selfdestruct(self):
        self.args(self.target(allow_self=True))
        self.op(SELFDESTRUCT, 1, 0)
        self.halted = True

    # the whole program --------------------------------------------------------------------------------------
    def place_label(self):
        name, depth = self.pending.pop(self.rng.randrange(len(self.pending)))
        self.asm.jumpdest(name)
        self.depth = min(self.depth, depth)

    def terminate(self):
        kind = self.rng.choices(list(TERMINATORS), weights=list(TERMINATORS.values()))[0]
        if kind == "stop":
            self.asm.op(STOP)
        elif kind in ("return", "revert"):
            self.args(self.rng.choice([0, 0, 32, self.rng.randrange(0, 200)]),
                      self.rng.choice([0, 1, 20, 32, 64, 96, 128]))
            self.asm.op(RETURN if kind == "return" else REVERT)
        elif kind == "return_big":
            self.args(self.offset(), self.length())
            self.asm.op(RETURN)
        elif kind == "revert_error":
            # Error(string) revert data, which geth turns into `execution reverted: <reason>`
            reason = self.rng.choice([b"boom", b"differential: " + self.rng.randbytes(3).hex().encode(), b""])
            data = bytes.fromhex("08c379a0") + word(32) + word(len(reason)) + reason.ljust(32, b"\0")
            self.write_memory(0, data)
            self.args(0, len(data))
            self.asm.op(REVERT)
        elif kind == "invalid":
            self.asm.op(INVALID)
        elif kind == "undefined":
            self.asm.op(self.rng.choice(UNDEFINED))
        elif kind == "selfdestruct":
            self.f_selfdestruct()

    def build(self, n_fragments):
        names = list(FRAGMENTS)
        weights = list(FRAGMENTS.values())
        if self.rng.random() < 0.02:
            self.f_underflow()
        for _ in range(n_fragments):
            if self.halted:
                break
            if self.pending and self.rng.random() < 0.4:
                self.place_label()
            getattr(self, "f_" + self.rng.choices(names, weights=weights)[0])()
            if self.depth > 900:
                self.asm.op(*([POP] * (self.depth - 100)))
                self.depth = 100
        while self.pending:
            self.place_label()
        if not self.halted:
            self.terminate()
        return self.asm.assemble()


# -- cases ---------------------------------------------------------------------------------------------------
@dataclass
class Contract:
    address: str
    code: bytes
    balance: int
    storage: dict


@dataclass
class Tx:
    fields: dict          # what eth-account signs (minus the nonce)
    data: bytes


@dataclass
class Case:
    index: int
    contracts: list
    txs: list = field(default_factory=list)

    def describe(self):
        lines = [f"case {self.index}:"]
        for c in self.contracts:
            storage = {hex(k): hex(v) for k, v in c.storage.items()}
            lines.append(f"  contract {c.address} balance={c.balance} storage={storage}")
            lines.append(f"    code 0x{c.code.hex()}")
        for i, t in enumerate(self.txs):
            f = {k: v for k, v in t.fields.items() if k != "data"}
            lines.append(f"  tx {i}: {f} data=0x{t.data.hex()}")
        return "\n".join(lines)


def intrinsic_gas(data, create, access_list):
    g = 21_000 + sum(4 if b == 0 else 16 for b in data)
    if create:
        g += 32_000 + 2 * ((len(data) + 31) // 32)
    for entry in access_list:
        g += 2_400 + 1_900 * len(entry["storageKeys"])
    return g


def random_calldata(rng):
    n = rng.choice([0, 0, 1, 4, 31, 32, 33, 64, 68, 100])
    out = bytearray()
    while len(out) < n:
        out += rng.choice([b"\0" * 32, b"\xff" * 32, rng.randbytes(32), word(rng.choice(EDGE))])
    return bytes(out[:n])


def make_case(rng, seed, index):
    n = rng.choice([1, 1, 2, 2, 3])
    addrs = [case_address(seed, index, i) for i in range(n)]
    contracts = []
    for i, a in enumerate(addrs):
        code = Program(rng, a, addrs[i + 1:]).build(rng.randrange(3, 30))
        storage = {k: rng.choice([1, 2, M256 - 1, rng.getrandbits(256)])
                   for k in rng.sample(SLOTS, rng.randrange(0, 4))}
        contracts.append(Contract(a, code, rng.choice([0, 0, 1, 10**18]), storage))
    case = Case(index, contracts)
    for _ in range(rng.choice([1, 1, 2, 3])):
        create = rng.random() < 0.08
        data = Program(rng, "0x" + "00" * 20, addrs).initcode() if create else random_calldata(rng)
        kind = rng.choice([0, 1, 2, 2, 2])
        access_list = []
        if kind and rng.random() < 0.3:
            for a in rng.sample(addrs + [to_checksum_address(word(rng.choice(PRECOMPILES))[12:])], rng.randrange(1, 3)):
                keys = ["0x" + word(k).hex() for k in rng.sample(SLOTS, rng.randrange(0, 3))]
                access_list.append({"address": a, "storageKeys": keys})
        gas = intrinsic_gas(data, create, access_list) + rng.choices(
            [0, 1, 50, 700, 5_000, 30_000, 100_000, 300_000, 1_000_000], weights=[1, 1, 1, 2, 4, 8, 25, 40, 18])[0]
        fields = {"chainId": CHAIN_ID, "gas": gas, "value": rng.choice([0, 0, 0, 1, ETHER]), "data": data}
        if not create:
            fields["to"] = addrs[0]
        if kind == 2:
            fields.update(type=2, maxFeePerGas=100 * GWEI, maxPriorityFeePerGas=GWEI)
        else:
            fields["gasPrice"] = 100 * GWEI
            if kind == 1:
                fields["type"] = 1
        if kind:
            fields["accessList"] = access_list
        case.txs.append(Tx(fields, data))
    return case


def make_cases(seed, count):
    rng = random.Random(seed)
    return [make_case(rng, seed, i) for i in range(count)]


def selected(cases):
    only = os.environ.get("STAKENET_EVM_DIFF_ONLY")
    if not only:
        return cases
    keep = {int(x) for x in only.split(",") if x.strip()}
    return [c for c in cases if c.index in keep]


# -- running -------------------------------------------------------------------------------------------------
def ref_alloc(cases):
    alloc = dev_alloc()
    for case in cases:
        for c in case.contracts:
            alloc[c.address] = account(balance=c.balance, nonce=1, code=c.code, storage=c.storage)
    return alloc


def install(node, cases):
    """The cases' contracts on the node, in JSON-RPC batches."""
    calls = []
    for case in cases:
        for c in case.contracts:
            calls.append(("anvil_setCode", [c.address, "0x" + c.code.hex()]))
            calls.append(("anvil_setNonce", [c.address, "0x1"]))
            calls.append(("anvil_setBalance", [c.address, hex(c.balance)]))
            for k, v in c.storage.items():
                calls.append(("anvil_setStorageAt", [c.address, hex(k), "0x" + word(v).hex()]))
    for i in range(0, len(calls), 500):
        batch = [{"jsonrpc": "2.0", "id": j, "method": m, "params": p} for j, (m, p) in enumerate(calls[i:i + 500])]
        for resp in node.raw(batch):
            assert "error" not in resp, f"{calls[i + resp['id']]}: {resp}"


def batch_results(node, calls):
    if not calls:
        return []
    out = node.raw([{"jsonrpc": "2.0", "id": j, "method": m, "params": p} for j, (m, p) in enumerate(calls)])
    by_id = {r["id"]: r for r in out}
    res = []
    for j, (m, p) in enumerate(calls):
        r = by_id[j]
        assert "result" in r, f"{m} {p}: {r}"
        res.append(r["result"])
    return res


def call_params(tx):
    f = tx.fields
    p = {"from": SENDER.address, "gas": hex(f["gas"]), "value": hex(f["value"]), "data": "0x" + tx.data.hex()}
    if "to" in f:
        p["to"] = f["to"]
    if f.get("accessList"):
        p["accessList"] = f["accessList"]
    return p


def compare_tx(node, ref, tx, nonce, senders):
    """Runs one transaction on both; returns (differences, the signed transaction, whether the run must stop)."""
    diffs = []
    signed = SENDER.sign_transaction({**tx.fields, "nonce": nonce})
    call = node.request("eth_call", call_params(tx), "latest")
    resp = node.request("eth_sendRawTransaction", raw_hex(signed))
    if "error" in resp:
        # the nonces of the two chains part from here on: nothing after this can be compared
        return [f"eth_sendRawTransaction refused: {resp['error']}"], signed, True
    rc = node.rpc("eth_getTransactionReceipt", resp["result"])
    r = ref.apply(signed)

    # eth_call at the pre-state
    if r.error is None:
        if call.get("result") != "0x" + r.output.hex():
            diffs.append(f"eth_call: node {call}, py-evm returned 0x{r.output.hex()}")
    elif r.error == "revert":
        err = call.get("error") or {}
        if err.get("code") != 3 or err.get("data") != "0x" + r.output.hex() \
                or not str(err.get("message", "")).startswith("execution reverted"):
            diffs.append(f"eth_call: node {call}, py-evm reverted with 0x{r.output.hex()}")
    else:
        err = call.get("error")
        if err is None or err.get("code") == 3 or err.get("data") not in (None, "0x"):
            diffs.append(f"eth_call: node {call}, py-evm halted ({r.error})")

    # the receipt
    got = {"status": int(rc["status"], 16), "gasUsed": int(rc["gasUsed"], 16),
           "contractAddress": rc.get("contractAddress") and to_checksum_address(rc["contractAddress"]),
           "logs": [(to_checksum_address(lg["address"]), [t.lower() for t in lg["topics"]], lg["data"].lower())
                    for lg in rc["logs"]]}
    want = {"status": r.status, "gasUsed": r.gas_used, "contractAddress": r.contract_address,
            "logs": [(lg.address, lg.topics, lg.data) for lg in r.logs]}
    for k in want:
        if got[k] != want[k]:
            diffs.append(f"receipt {k}: node {got[k]}, py-evm {want[k]} (py-evm error: {r.error})")

    # the accounts the reference wrote
    accounts = [(a, sorted(s)) for a, s in r.written.items() if a not in senders and a != to_checksum_address(COINBASE)]
    calls = []
    for a, slots in accounts:
        calls += [("eth_getBalance", [a, "latest"]), ("eth_getTransactionCount", [a, "latest"]),
                  ("eth_getCode", [a, "latest"])]
        calls += [("eth_getStorageAt", [a, hex(s), "latest"]) for s in slots]
    results = iter(batch_results(node, calls))
    for a, slots in accounts:
        ref_acct = ref.account(a, slots)
        node_acct = {"balance": int(next(results), 16), "nonce": int(next(results), 16),
                     "code": bytes.fromhex(next(results)[2:]),
                     "storage": {s: int(next(results), 16) for s in slots}}
        for k in ("balance", "nonce", "code"):
            if node_acct[k] != ref_acct[k]:
                diffs.append(f"{a} {k}: node {node_acct[k]!r}, py-evm {ref_acct[k]!r}")
        for s in slots:
            if node_acct["storage"][s] != ref_acct["storage"][s]:
                diffs.append(f"{a} storage[{hex(s)}]: node {hex(node_acct['storage'][s])}, "
                             f"py-evm {hex(ref_acct['storage'][s])}")
    return diffs, signed, False


def run_cases(node, cases, what, replay):
    """Installs `cases` on the node and in a fresh reference chain, runs their transactions on both and raises
    one AssertionError listing the first differences. Returns the reference chain."""
    t0 = time.monotonic()
    ref = RefChain(ref_alloc(cases))
    install(node, cases)
    senders = {SENDER.address}
    failures = []
    nonce = ntx = 0
    fatal = False
    for case in cases:
        for i, tx in enumerate(case.txs):
            try:
                diffs, signed, fatal = compare_tx(node, ref, tx, nonce, senders)
            except Exception as e:
                raise AssertionError(f"{what}: case {case.index}, tx {i} broke the run: {e!r} (replay with "
                                     f"{replay(case)})\n{case.describe()}") from e
            nonce += 1
            ntx += 1
            if diffs:
                failures.append((case, i, diffs, signed))
            if fatal:
                break
        if fatal:
            break
    print(f"evm differential: {what}, {len(cases)} cases, {ntx} transactions, {time.monotonic() - t0:.1f} s")
    if failures:
        parts = [f"{len(failures)} of {ntx} transactions differ from py-evm ({what}; replay with "
                 f"{replay(failures[0][0])})"]
        for case, i, diffs, signed in failures[:MAX_FAILURES_SHOWN]:
            parts.append(f"--- case {case.index}, tx {i} (raw {raw_hex(signed)})")
            parts += [f"    {d}" for d in diffs]
            parts.append(case.describe())
        raise AssertionError("\n".join(parts))
    return ref


def run_differential(node, seed, count):
    cases = selected(make_cases(seed, count))
    run_cases(node, cases, f"seed {seed:#x}",
              lambda case: f"STAKENET_EVM_DIFF_SEED={seed:#x} STAKENET_EVM_DIFF_ONLY={case.index}")


def seed_from_env(default):
    s = os.environ.get("STAKENET_EVM_DIFF_SEED")
    return int(s, 0) if s else default


def bn254_case():
    """One contract that STATICCALLs ecAdd, ecMul and ecPairing on valid points and keeps each call's success
    flag and first two output words in storage. (The random programs call ecPairing only with inputs that
    py-evm rejects or answers fast: a real pairing takes it about a second.)"""
    address = case_address("bn254", 0, 0)
    p = Program(random.Random(0), address, [])
    g1, neg_g1 = word(1) + word(2), word(1) + word(BN_P - 2)
    g2 = b"".join(word(x) for x in BN_G2)
    calls = [(6, g1 + g1), (6, g1 + neg_g1), (7, g1 + word(0xDEADBEEF_CAFE)), (7, neg_g1 + word(BN_P - 1)),
             (8, g1 + g2 + neg_g1 + g2),     # e(G1, G2) * e(-G1, G2) = 1: true
             (8, g1 + g2)]                   # e(G1, G2) != 1: false
    for i, (n, data) in enumerate(calls):
        p.write_memory(0, data)
        p.emit_call(STATICCALL, n, None, 0, 0, len(data), 0x400, 64)
        p.args(3 * i)
        p.op(SSTORE, 2, 0)
        for k in range(2):
            p.args(0x400 + 32 * k)
            p.op(MLOAD, 1, 1)
            p.args(3 * i + 1 + k)
            p.op(SSTORE, 2, 0)
    p.args(0x400, 64)
    p.op(RETURN, 2, 0)
    case = Case("bn254", [Contract(address, p.asm.assemble(), 0, {})])
    case.txs.append(Tx({"chainId": CHAIN_ID, "gas": 1_000_000, "value": 0, "data": b"", "to": address, "type": 2,
                        "maxFeePerGas": 100 * GWEI, "maxPriorityFeePerGas": GWEI}, b""))
    return case


@pytest.fixture
def quiet(node):
    """A node whose operator does nothing by itself: the blocks hold only the test's transactions."""
    return node(["--operator", "manual"])


def test_bn254_precompiles_on_valid_points(quiet):
    case = bn254_case()
    ref = run_cases(quiet, [case], "BN254 precompiles", lambda case: "test_bn254_precompiles_on_valid_points")
    # and what py-evm computed is right: every call succeeded, the points are py_ecc's, the pairings answered
    # true then false
    stored = ref.account(case.contracts[0].address, range(18))["storage"]
    assert [stored[3 * i] for i in range(6)] == [1] * 6
    g1, neg_g1 = (bn128.FQ(1), bn128.FQ(2)), (bn128.FQ(1), bn128.FQ(BN_P - 2))
    assert (stored[1], stored[2]) == tuple(int(c) for c in bn128.double(g1))
    assert (stored[4], stored[5]) == (0, 0)                               # G1 + (-G1): the point at infinity
    assert (stored[7], stored[8]) == tuple(int(c) for c in bn128.multiply(g1, 0xDEADBEEF_CAFE))
    assert (stored[10], stored[11]) == tuple(int(c) for c in bn128.multiply(neg_g1, BN_P - 1))
    assert (stored[13], stored[16]) == (1, 0)


def test_differential_fixed_seed(quiet):
    run_differential(quiet, seed_from_env(FIXED_SEED), CASES)


def test_differential_fresh_seed(quiet):
    if os.environ.get("STAKENET_EVM_DIFF_SEED"):
        pytest.skip("STAKENET_EVM_DIFF_SEED replays one seed in test_differential_fixed_seed")
    run_differential(quiet, random.SystemRandom().randrange(2**32), CASES)
