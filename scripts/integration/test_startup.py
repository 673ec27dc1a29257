"""Startup, `--config-out`, dev accounts, CLI flags and the read-only basics."""
import re
import time

from eth_utils import keccak

from support import (CHAIN_ID, CONTRACTS, DEV, ETHER, GAS_LIMIT, GWEI, MNEMONIC, dev_accounts, q,
                     same_address)
from rpcschema import assert_conforms

ANVIL_FIRST = [
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
]


def test_derived_accounts_are_anvils():
    # Guards the suite's own derivation, which every other test relies on.
    assert [a.address for a in DEV[:3]] == ANVIL_FIRST
    assert DEV[0].key.hex().removeprefix("0x") == "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def test_config_out(dev):
    cfg = dev.config
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/?", cfg["url"]), cfg["url"]
    assert int(cfg["url"].rstrip("/").rsplit(":", 1)[1]) != 0, "--port 0 must write the port actually bound"
    assert cfg["chainId"] == CHAIN_ID
    assert [a.lower() for a in cfg["accounts"]] == [a.address.lower() for a in DEV]
    assert [k.lower().removeprefix("0x") for k in cfg["privateKeys"]] == [a.key.hex().removeprefix("0x") for a in DEV]
    for name, addr in CONTRACTS.items():
        assert same_address(cfg["contracts"].get(name), addr), f"contracts.{name}: {cfg['contracts'].get(name)}"


def test_chain_id_and_versions(dev):
    assert dev.w3.eth.chain_id == CHAIN_ID
    assert dev.rpc("eth_chainId") == hex(CHAIN_ID)
    assert dev.rpc("net_version") == str(CHAIN_ID)
    assert dev.rpc("web3_clientVersion").startswith("anvil/")
    assert dev.rpc("net_listening") is True
    assert q(dev.rpc("net_peerCount")) == 0
    assert dev.rpc("eth_syncing") is False
    assert dev.rpc("eth_blockNumber") == "0x0"
    assert isinstance(dev.rpc("eth_mining"), bool)
    assert re.fullmatch(r"0x[0-9a-fA-F]{40}", dev.rpc("eth_coinbase"))


def test_dev_accounts_and_balances(dev):
    accounts = dev.w3.eth.accounts
    assert [a.lower() for a in accounts] == [a.address.lower() for a in DEV]
    assert dev.rpc("eth_requestAccounts") == dev.rpc("eth_accounts")
    for a in DEV:
        assert dev.w3.eth.get_balance(a.address) == 10_000 * ETHER, a.address
        assert dev.w3.eth.get_transaction_count(a.address) == 0
    assert dev.balance("0x000000000000000000000000000000000000dEaD") == 0


def test_genesis_block(dev):
    g = dev.rpc("eth_getBlockByNumber", "earliest", False)
    assert_conforms("eth_getBlockByNumber", g)
    assert g["number"] == "0x0"
    assert g["parentHash"] == "0x" + "00" * 32
    assert q(g["baseFeePerGas"]) == GWEI
    assert q(g["gasLimit"]) == GAS_LIMIT
    assert q(g["gasUsed"]) == 0
    assert q(g["difficulty"]) == 0
    assert g["transactions"] == [] and g["uncles"] == [] and g["withdrawals"] == []
    assert "withdrawalsRoot" in g
    assert dev.rpc("eth_getBlockByHash", g["hash"], False) == g
    assert dev.rpc("eth_getBlockByNumber", "latest", False) == g
    assert dev.rpc("eth_getBlockByNumber", "0x1", False) is None


def test_code_at_emulated_contracts(dev):
    for name, addr in CONTRACTS.items():
        code = dev.rpc("eth_getCode", addr, "latest")
        assert re.fullmatch(r"0x([0-9a-f]{2})+", code), f"{name}: eth_getCode = {code!r}"
    assert dev.rpc("eth_getCode", DEV[0].address, "latest") == "0x"


def test_web3_sha3(dev):
    assert dev.rpc("web3_sha3", "0x68656c6c6f") == "0x" + keccak(b"hello").hex()
    assert dev.rpc("web3_sha3", "0x") == "0x" + keccak(b"").hex()


def test_cli_accounts_balance_chain_id(node):
    n = node(["-a", "3", "--balance", "5", "--chain-id", "1337"])
    assert n.config["chainId"] == 1337
    assert n.w3.eth.chain_id == 1337
    assert [a.lower() for a in n.w3.eth.accounts] == [a.address.lower() for a in DEV[:3]]
    for a in DEV[:3]:
        assert n.balance(a.address) == 5 * ETHER
    assert n.balance(DEV[3].address) == 0


def test_cli_mnemonic(node):
    words = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
    assert words != MNEMONIC
    n = node(["-m", words, "-a", "2"])
    expected = dev_accounts(2, words)
    assert [a.lower() for a in n.config["accounts"]] == [a.address.lower() for a in expected]
    assert [a.lower() for a in n.w3.eth.accounts] == [a.address.lower() for a in expected]
    assert n.balance(expected[1].address) == 10_000 * ETHER


def test_cli_base_fee_and_gas_limit(node):
    n = node(["--base-fee", "7000000000", "--gas-limit", "45000000"])
    g = n.rpc("eth_getBlockByNumber", "0x0", False)
    assert q(g["baseFeePerGas"]) == 7 * GWEI
    assert q(g["gasLimit"]) == 45_000_000


def test_banner_and_request_log(dev):
    port = dev.url.rstrip("/").rsplit(":", 1)[1]
    dev.rpc("eth_getBalance", DEV[0].address, "latest")
    # request lines are written by the console's writer a moment after the answer
    deadline = time.monotonic() + 5
    while "eth_getBalance" not in (log := dev.log_path.read_text(errors="replace")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert f"Listening on 127.0.0.1:{port}" in log
    assert MNEMONIC in log and str(CHAIN_ID) in log
    for a in DEV:
        assert a.address in log and a.key.hex().removeprefix("0x") in log, f"banner lacks {a.address} or its key"
    for name, addr in CONTRACTS.items():
        assert addr in log, f"banner lacks {name} {addr}"
    assert "eth_getBalance" in log, "requests should be logged by default"


def test_quiet_silences_request_log(node):
    n = node(["--quiet"])
    for _ in range(3):
        n.rpc("eth_getBalance", DEV[0].address, "latest")
    assert "eth_getBalance" not in n.log_path.read_text(errors="replace")
