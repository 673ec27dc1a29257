"""scripts/bench's baseline: the ETH-transfer workload against eth-tester + py-evm in-process, through web3.py's
EthereumTesterProvider (what a Python test suite uses instead of a node). Pre-signs --count EIP-1559 ETH
transfers from eth-tester's first account with eth-account (untimed), then times sending them one by one with
w3.eth.send_raw_transaction (automine: one block each) until all are sent or --seconds pass. Prints one JSON
line: {"rate": tx/s, "count": sent, "seconds": elapsed, "ok": last receipt status was 1}."""
import argparse
import json
import time

from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import EthereumTesterProvider, Web3
from eth_tester.backends.pyevm.main import get_default_account_keys

GWEI = 10**9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--seconds", type=float, default=20.0)
    a = ap.parse_args()

    w3 = Web3(EthereumTesterProvider())
    chain_id = w3.eth.chain_id
    key = get_default_account_keys()[0]
    acct = Account.from_key(key.to_bytes())
    to = [to_checksum_address(keccak(text=f"stakenet bench recipient {i}")[12:]) for i in range(64)]
    nonce0 = w3.eth.get_transaction_count(acct.address)
    raws = [acct.sign_transaction({"type": 2, "chainId": chain_id, "nonce": nonce0 + i, "to": to[i % 64],
                                   "value": GWEI, "gas": 21_000, "maxFeePerGas": 5 * GWEI,
                                   "maxPriorityFeePerGas": GWEI}).raw_transaction for i in range(a.count)]
    w3.eth.send_raw_transaction(raws[0])  # warm-up (imports, caches); not timed
    sent = 0
    last = None
    t0 = time.perf_counter()
    for raw in raws[1:]:
        last = w3.eth.send_raw_transaction(raw)
        sent += 1
        if time.perf_counter() - t0 > a.seconds:
            break
    dt = time.perf_counter() - t0
    ok = last is not None and w3.eth.get_transaction_receipt(last)["status"] == 1
    print(json.dumps({"rate": sent / dt if dt > 0 else 0.0, "count": sent, "seconds": dt, "ok": ok}))


if __name__ == "__main__":
    main()
