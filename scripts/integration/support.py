"""Shared constants and helpers for the integration suite (no fixtures here; see conftest.py)."""
import json
import warnings
from pathlib import Path

import rlp
from eth_account import Account
from eth_utils import keccak

MNEMONIC = "test test test test test test test test test test test junk"
CHAIN_ID = 31337
ETHER = 10**18
GWEI = 10**9
GAS_LIMIT = 30_000_000
ZERO_BLOOM = "0x" + "00" * 256

# Default addresses are Ethereum mainnet's.
CONTRACTS = {
    "MATIC": "0x7D1AfA7B718fb893dB30A3aBc0Cfc608AaCfeBB0",
    "PolygonPool": "0xCfD4B4Bc15C8bF0Fd820B0D4558c725727B3ce89",
    "aMATICb": "0x99534Ef705Df1FFf4e4bD7bbaAF9b0dFf038EbFe",
    "aMATICc": "0x26dcFbFa8Bc267b250432c01C982Eaf81cC5480C",
    "ANKR": "0x8290333ceF9e6D528dD5618Fb97a76f268f3EDD4",
}

Account.enable_unaudited_hdwallet_features()


def dev_accounts(n=10, mnemonic=MNEMONIC):
    """The n dev accounts (LocalAccount), derived independently of the node at m/44'/60'/0'/0/i."""
    return [Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{i}") for i in range(n)]


DEV = dev_accounts()


def empty_account(tag: str):
    """A deterministic key that the node has never funded."""
    return Account.from_key(keccak(text=f"stakenet integration empty account {tag}"))


def eth_transfer(acct, nonce, to, value=GWEI, fee=50 * GWEI, tip=GWEI):
    """An EIP-1559 ETH transfer from eth-account `acct`, signed for stakenet's chain id."""
    return acct.sign_transaction({"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "maxFeePerGas": fee,
                                  "maxPriorityFeePerGas": tip, "gas": 21_000, "to": to, "value": value, "data": b""})


def q(x) -> int:
    """A JSON-RPC quantity (hex string) as int."""
    assert isinstance(x, str) and x.startswith("0x"), f"not a hex quantity: {x!r}"
    return int(x, 16)


def same_address(a, b) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


def raw_hex(signed) -> str:
    return "0x" + bytes(signed.raw_transaction).hex()


def next_base_fee(parent_base_fee: int, parent_gas_used: int, parent_gas_limit: int) -> int:
    """EIP-1559 base fee of the child block (elasticity 2, denominator 8)."""
    target = parent_gas_limit // 2
    if parent_gas_used == target:
        return parent_base_fee
    if parent_gas_used > target:
        delta = max(parent_base_fee * (parent_gas_used - target) // target // 8, 1)
        return parent_base_fee + delta
    delta = parent_base_fee * (target - parent_gas_used) // target // 8
    return parent_base_fee - delta


# Header fields in RLP order (geth's types.Header); the optional trailing ones are included when the
# block JSON has them, as every client does when it checks a header hash.
_HEADER = [
    ("parentHash", "b"), ("sha3Uncles", "b"), ("miner", "b"), ("stateRoot", "b"),
    ("transactionsRoot", "b"), ("receiptsRoot", "b"), ("logsBloom", "b"), ("difficulty", "i"),
    ("number", "i"), ("gasLimit", "i"), ("gasUsed", "i"), ("timestamp", "i"), ("extraData", "b"),
    ("mixHash", "b"), ("nonce", "b"),
]
_OPTIONAL = [
    ("baseFeePerGas", "i"), ("withdrawalsRoot", "b"), ("blobGasUsed", "i"), ("excessBlobGas", "i"),
    ("parentBeaconBlockRoot", "b"), ("requestsHash", "b"),
]


def header_rlp_hash(block: dict) -> str:
    """keccak256(rlp(header)) recomputed from a raw (hex-string) block JSON object."""
    def enc(v, kind):
        if kind == "i":
            n = int(v, 16)
            return n.to_bytes((n.bit_length() + 7) // 8, "big")
        return bytes.fromhex(v[2:])

    items = [enc(block[k], t) for k, t in _HEADER]
    for k, t in _OPTIONAL:
        if k not in block:
            break
        items.append(enc(block[k], t))
    return "0x" + keccak(rlp.encode(items)).hex()


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ABI_DIR = FIXTURES / "abi"


def vyper_compile(source, name="Contract", formats=("abi", "bytecode")):
    """Compiles Vyper `source` (text, or a Path to a .vy file) for Cancun with vyper's Python API;
    returns vyper's output dict for `formats`. Deprecation warnings (selfdestruct) are silenced."""
    import vyper
    from vyper.compiler.settings import Settings
    if isinstance(source, Path):
        name, source = source.stem, source.read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return vyper.compile_code(source, contract_path=f"{name}.vy", output_formats=list(formats),
                                  settings=Settings(evm_version="cancun"))


def ankr_contracts(w3):
    """web3 contract objects for the five native contracts at their default addresses, from the
    ABIs in fixtures/abi, by name (MATIC, PolygonPool, aMATICb, aMATICc, ANKR)."""
    from web3 import Web3
    return {name: w3.eth.contract(address=Web3.to_checksum_address(addr),
                                  abi=json.loads((ABI_DIR / f"{name}.json").read_text()))
            for name, addr in CONTRACTS.items()}


class AnkrSession:
    """One node's web3, the five contracts (`c` by name; `matic`, `pool`, `bonds`, `certs`), and
    transactions from the node's unlocked dev accounts. Test files subclass it with their own reads."""

    def __init__(self, node):
        self.node = node
        self.w3 = node.w3
        self.c = ankr_contracts(self.w3)
        self.matic, self.pool = self.c["MATIC"], self.c["PolygonPool"]
        self.bonds, self.certs = self.c["aMATICb"], self.c["aMATICc"]

    def send(self, fn, sender, value=0, gas=None):
        """Mines `fn` from `sender` (an address; the node signs, and estimates the gas unless given)
        and returns the receipt, whatever its status."""
        params = {"from": sender, "value": value}
        if gas is not None:
            params["gas"] = gas
        return self.w3.eth.wait_for_transaction_receipt(fn.transact(params), timeout=30)

    def tx(self, fn, sender, value=0):
        rc = self.send(fn, sender, value)
        assert rc["status"] == 1, f"transaction failed: {rc}"
        return rc

    def stake_bonds(self, user, amount):
        self.tx(self.matic.functions.approve(self.pool.address, amount), user)
        return self.tx(self.pool.functions.stakeAndClaimBonds(amount), user)

    def stake_certs(self, user, amount):
        self.tx(self.matic.functions.approve(self.pool.address, amount), user)
        return self.tx(self.pool.functions.stakeAndClaimCerts(amount), user)
