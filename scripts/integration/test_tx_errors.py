"""Rejected transactions: geth's wording, and a rejection changes nothing."""
import pytest

from support import CHAIN_ID, DEV, GAS_LIMIT, GWEI, empty_account, raw_hex

VALIDATION_CODES = (-32000, -32003)
SENDER, RECIPIENT = DEV[1], DEV[2]


def transfer(nonce=0, **over):
    tx = {"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "maxFeePerGas": 5 * GWEI, "maxPriorityFeePerGas": GWEI,
          "gas": 21_000, "to": RECIPIENT.address, "value": 10**15, "data": b""}
    tx.update(over)
    return tx


def snapshot(node, *addrs):
    return {"head": node.head(), "balances": {a: node.balance(a) for a in addrs},
            "nonces": {a: node.nonce(a) for a in addrs},
            "pending": {a: node.nonce(a, "pending") for a in addrs}}


def rejected(node, raw, *watch):
    """Sends `raw`, expects an error, checks that head, balances and nonces did not move; returns the error."""
    watch = watch or (SENDER.address, RECIPIENT.address)
    before = snapshot(node, *watch)
    err = node.rpc_error("eth_sendRawTransaction", raw)
    assert snapshot(node, *watch) == before, f"state changed after a rejected transaction ({err})"
    return err


def test_nonce_too_low(dev):
    dev.send_raw(SENDER.sign_transaction(transfer(0)))
    dev.send_raw(SENDER.sign_transaction(transfer(1)))
    err = rejected(dev, raw_hex(SENDER.sign_transaction(transfer(0, value=12345))))
    assert "nonce too low" in err["message"] and err["code"] in VALIDATION_CODES, err


def test_insufficient_funds(dev):
    poor = empty_account("insufficient-funds")
    err = rejected(dev, raw_hex(poor.sign_transaction(transfer(0, value=1))), poor.address, RECIPIENT.address)
    assert "insufficient funds for gas * price + value" in err["message"], err
    assert err["code"] in VALIDATION_CODES, err


def test_insufficient_funds_for_value_alone(dev):
    big = 10_001 * 10**18
    err = rejected(dev, raw_hex(SENDER.sign_transaction(transfer(0, value=big))))
    assert "insufficient funds for gas * price + value" in err["message"], err


def test_wrong_chain_id(dev):
    for tx in (transfer(0, chainId=1), {"nonce": 0, "gasPrice": 3 * GWEI, "gas": 21_000, "to": RECIPIENT.address,
                                        "value": 1, "data": b"", "chainId": 1}):
        err = rejected(dev, raw_hex(SENDER.sign_transaction(tx)))
        assert "invalid chain id for signer" in err["message"], err


def test_max_fee_below_base_fee(dev):
    err = rejected(dev, raw_hex(SENDER.sign_transaction(transfer(0, maxFeePerGas=GWEI // 10,
                                                                  maxPriorityFeePerGas=GWEI // 10))))
    assert "max fee per gas less than block base fee" in err["message"], err


def test_intrinsic_gas_too_low(dev):
    err = rejected(dev, raw_hex(SENDER.sign_transaction(transfer(0, gas=20_999))))
    assert "intrinsic gas too low" in err["message"], err


def test_exceeds_block_gas_limit(dev):
    err = rejected(dev, raw_hex(SENDER.sign_transaction(transfer(0, gas=GAS_LIMIT + 1))))
    assert "exceeds block gas limit" in err["message"], err


def test_contract_creation_is_accepted_and_oversized_init_code_refused(dev):
    # init code that returns one byte of runtime code (0x00): PUSH1 0 PUSH1 0 MSTORE8 PUSH1 1 PUSH1 0 RETURN
    tx = transfer(0, data=bytes.fromhex("60006000536001" + "6000f3"), gas=100_000, value=0)
    tx.pop("to")
    receipt = dev.receipt(dev.send_raw(SENDER.sign_transaction(tx)))
    assert receipt["status"] == "0x1" and receipt["to"] is None
    assert dev.rpc("eth_getCode", receipt["contractAddress"], "latest") == "0x00"
    # EIP-3860: more than 49 152 bytes of init code is refused before it reaches a block
    big = transfer(1, data=b"\x00" * 49_153, gas=1_000_000, value=0)
    big.pop("to")
    err = rejected(dev, raw_hex(SENDER.sign_transaction(big)))
    assert "max initcode size exceeded" in err["message"], err


@pytest.mark.parametrize("raw", ["0xdeadbeef", "0x", "0x02", "0xf8", "deadbeef", "0xzz", "0x" + "c0" * 3])
def test_malformed_raw_transaction(dev, raw):
    rejected(dev, raw)


def test_raw_transaction_with_bad_params(dev):
    before = dev.head()
    for params in ([], [123], [None], [{"raw": "0x00"}]):
        resp = dev.request("eth_sendRawTransaction", *params)
        assert "error" in resp, f"{params} -> {resp}"
    assert dev.head() == before


def test_tampered_signature(dev):
    signed = SENDER.sign_transaction(transfer(0))
    raw = bytearray(bytes(signed.raw_transaction))
    raw[-1] ^= 0xFF  # last byte of s: the sender recovers to another (unfunded) address, or not at all
    before = dev.balance(SENDER.address)
    resp = dev.request("eth_sendRawTransaction", "0x" + raw.hex())
    assert "error" in resp, resp
    assert dev.balance(SENDER.address) == before and dev.head()[0] == 0


def test_node_still_works_after_errors(dev):
    for raw in ("0xdeadbeef", raw_hex(SENDER.sign_transaction(transfer(0, chainId=1)))):
        dev.request("eth_sendRawTransaction", raw)
    h = dev.send_raw(SENDER.sign_transaction(transfer(0)))
    assert dev.receipt(h)["status"] == "0x1"
