"""py-evm's CancunVM as the reference EVM that test_evm_contracts.py and test_evm_differential.py hold
stakenet's figures against (no fixtures here; see conftest.py).

`RefChain(alloc)` is a one-fork chain (CancunVM from genesis, no proof of work) with stakenet's chain id and
block gas limit and the given genesis accounts. `apply(raw)` runs one signed raw transaction, exactly the
bytes sent to the node, and returns what its receipt and return data would be; every state write is also
recorded per address (balances, nonces, code, storage slots) so a test can ask the node for exactly the
accounts and slots the reference touched.
"""
from dataclasses import dataclass, field

from eth.chains.base import MiningChain
from eth.consensus import ConsensusApplier, NoProofConsensus
from eth.db.atomic import AtomicDB
from eth.exceptions import Revert
from eth.vm.forks.cancun import CancunVM
from eth.vm.forks.cancun.state import CancunState
from eth_utils import to_canonical_address, to_checksum_address

from support import CHAIN_ID, DEV, ETHER, GAS_LIMIT, GWEI

import importlib
from eth_utils import big_endian_to_int

# MODEXP with an empty base: py-evm answers 0 whatever the exponent, while geth and revm read the empty
# base as the number 0, so 0^0 mod m = 1 for a modulus above 1 (EIP-198: base**exp % mod). The reference
# follows geth here; everything else is py-evm's own. Found by test_evm_differential's fresh seed 0x99f5b1b3.
_pyevm_modexp = importlib.import_module("eth.precompiles.modexp")
_pyevm_modexp_value = _pyevm_modexp._modexp


def _modexp_as_geth(data: bytes) -> int:
    base_length, exponent_length, modulus_length = _pyevm_modexp.extract_lengths(data)
    if base_length != 0 or modulus_length == 0:
        return _pyevm_modexp_value(data)
    exponent = big_endian_to_int(data[96:96 + exponent_length].ljust(exponent_length, b"\0"))
    modulus = big_endian_to_int(data[96 + exponent_length:96 + exponent_length + modulus_length]
                                .ljust(modulus_length, b"\0"))
    return 0 if modulus == 0 else pow(0, exponent, modulus)


_pyevm_modexp._modexp = _modexp_as_geth

# The dev accounts' genesis balance on a default stakenet node (Anvil's 10 000 ETH).
DEV_BALANCE = 10_000 * ETHER
GENESIS_TIMESTAMP = 1_700_000_000
# A default node's coinbase (ChainConfig.coinbase): the zero address, warm in every transaction (EIP-3651).
COINBASE = b"\x00" * 20


class _RecordingState(CancunState):
    """CancunState that records which accounts and storage slots each transaction writes (the writes of
    reverted frames too: a test then also checks that the node did not keep them)."""

    written = None  # {canonical address: set of slots}, set by RefChain around each transaction

    def _note(self, address, slot=None):
        if _RecordingState.written is not None:
            slots = _RecordingState.written.setdefault(bytes(address), set())
            if slot is not None:
                slots.add(slot)

    def set_storage(self, address, slot, value):
        self._note(address, slot)
        return super().set_storage(address, slot, value)

    def set_balance(self, address, balance):
        self._note(address)
        return super().set_balance(address, balance)

    def delta_balance(self, address, delta):
        self._note(address)
        return super().delta_balance(address, delta)

    def set_nonce(self, address, nonce):
        self._note(address)
        return super().set_nonce(address, nonce)

    def increment_nonce(self, address):
        self._note(address)
        return super().increment_nonce(address)

    def set_code(self, address, code):
        self._note(address)
        return super().set_code(address, code)

    def delete_account(self, address):
        self._note(address)
        return super().delete_account(address)


_RecordingCancunVM = CancunVM.configure(__name__="RecordingCancunVM", _state_class=_RecordingState)


class _Chain(MiningChain):
    chain_id = CHAIN_ID
    vm_configuration = ConsensusApplier(NoProofConsensus).amend_vm_configuration(((0, _RecordingCancunVM),))


@dataclass
class RefLog:
    address: str        # checksummed
    topics: list        # 0x-hex, 32 bytes each
    data: str           # 0x-hex


@dataclass
class RefResult:
    status: int                      # receipt status: 1 success, 0 revert or exceptional halt
    gas_used: int                    # this transaction's receipt gasUsed
    logs: list                       # [RefLog]
    output: bytes                    # return data, revert data, or b"" after an exceptional halt
    error: str | None                # None, "revert", or the py-evm exception class of the halt
    contract_address: str | None     # checksummed, for a creation
    written: dict = field(default_factory=dict)  # {checksummed address: set of storage slots written}


def account(balance=0, nonce=0, code=b"", storage=None):
    """A genesis account for RefChain's alloc."""
    return {"balance": balance, "nonce": nonce, "code": bytes(code), "storage": dict(storage or {})}


def dev_alloc(n=10, balance=DEV_BALANCE):
    """Genesis entries for the first n dev accounts with a default node's balance."""
    return {a.address: account(balance) for a in DEV[:n]}


class RefChain:
    """A CancunVM-only py-evm chain. Transactions run one after another in one block that is never sealed:
    each one starts as a block's transaction does (its own access lists, transient storage and original
    storage values; the state of the ones before), and its receipt gasUsed is its own. Skipping the state
    roots and seals keeps a few hundred transactions to a few seconds."""

    def __init__(self, alloc, gas_limit=GAS_LIMIT, base_fee=GWEI, timestamp=GENESIS_TIMESTAMP):
        state = {to_canonical_address(a): acct for a, acct in alloc.items()}
        params = {
            "coinbase": COINBASE, "difficulty": 0, "gas_limit": gas_limit, "timestamp": timestamp,
            "extra_data": b"", "nonce": b"\x00" * 8, "mix_hash": b"\x00" * 32, "base_fee_per_gas": base_fee,
        }
        self.chain = _Chain.from_genesis(AtomicDB(), params, state)
        self.vm = self.chain.get_vm()
        # block 1's header with nothing used: each receipt's gasUsed is then that transaction's alone
        self.header = self.vm.get_header()

    def decode(self, raw: bytes):
        return self.vm.get_transaction_builder().decode(bytes(raw))

    def apply(self, raw) -> RefResult:
        """Runs one signed raw transaction (bytes or an eth-account SignedTransaction)."""
        raw = bytes(getattr(raw, "raw_transaction", raw))
        tx = self.decode(raw)
        _RecordingState.written = {}
        try:
            receipt, comp = self.vm.apply_transaction(self.header, tx)
            written = _RecordingState.written
        finally:
            _RecordingState.written = None
        if comp.is_error:
            error = "revert" if isinstance(comp.error, Revert) else type(comp.error).__name__
        else:
            error = None
        created = None
        if not tx.to:
            created = to_checksum_address(comp.msg.storage_address)
        logs = [RefLog(to_checksum_address(lg.address), ["0x" + t.to_bytes(32, "big").hex() for t in lg.topics],
                       "0x" + bytes(lg.data).hex()) for lg in receipt.logs]
        return RefResult(
            status=0 if comp.is_error else 1,
            gas_used=receipt.gas_used,
            logs=logs,
            output=bytes(comp.output),
            error=error,
            contract_address=created,
            written={to_checksum_address(a): s for a, s in written.items()},
        )

    # -- state after the last applied transaction ----------------------------------------------------------
    def _state(self):
        return self.vm.state

    def balance(self, address):
        return self._state().get_balance(to_canonical_address(address))

    def nonce(self, address):
        return self._state().get_nonce(to_canonical_address(address))

    def code(self, address):
        return bytes(self._state().get_code(to_canonical_address(address)))

    def storage(self, address, slot):
        return self._state().get_storage(to_canonical_address(address), slot)

    def account(self, address, slots=()):
        """{"balance", "nonce", "code", "storage": {slot: value}} of one account, read from one state."""
        st, a = self._state(), to_canonical_address(address)
        return {"balance": st.get_balance(a), "nonce": st.get_nonce(a), "code": bytes(st.get_code(a)),
                "storage": {s: st.get_storage(a, s) for s in slots}}

    def exists(self, address):
        return self._state().account_exists(to_canonical_address(address))
