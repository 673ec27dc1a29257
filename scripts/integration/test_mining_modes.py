"""Mining modes: automine, --no-mining with evm_mine, evm_setAutomine, interval mining
(--block-time and evm_setIntervalMining, seconds as Anvil), and the refusal of extra positional params."""
import time

from support import DEV, GWEI, eth_transfer, q

SENDER, RECIPIENT = DEV[3], DEV[4]


def transfer(nonce, value=GWEI):
    return eth_transfer(SENDER, nonce, RECIPIENT.address, value=value)


def wait_for(pred, timeout=6.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def test_no_mining_then_evm_mine_then_automine(node):
    n = node(["--no-mining"])
    assert n.rpc("anvil_getAutomine") is False
    h0, _ = n.head()
    tx = n.send_raw(transfer(0))
    time.sleep(0.3)
    assert n.rpc("eth_getTransactionReceipt", tx) is None and n.head()[0] == h0
    assert q(n.rpc("eth_getTransactionCount", SENDER.address, "pending")) == 1
    n.rpc("evm_mine")
    assert n.receipt(tx)["status"] == "0x1" and n.head()[0] == h0 + 1
    # Automine back on mines what is pending at once, then each transaction as it comes.
    tx1 = n.send_raw(transfer(1))
    n.rpc("evm_setAutomine", True)
    assert n.receipt(tx1)["status"] == "0x1"
    tx2 = n.send_raw(transfer(2))
    assert n.receipt(tx2)["blockNumber"] == hex(h0 + 3)


def test_block_time_flag_mines_on_an_interval(node):
    n = node(["--block-time", "1"])
    assert n.rpc("anvil_getAutomine") is False
    h0, _ = n.head()
    tx = n.send_raw(transfer(0))
    assert n.rpc("eth_getTransactionReceipt", tx) is None  # waits for the next interval block
    assert wait_for(lambda: n.rpc("eth_getTransactionReceipt", tx) is not None)
    # Empty blocks keep coming, about one a second.
    h1, _ = n.head()
    assert wait_for(lambda: n.head()[0] >= h1 + 1, timeout=3.5) and h1 > h0


def test_evm_set_interval_mining_and_back(node):
    n = node()
    assert n.rpc("evm_setIntervalMining", 1) is None
    assert n.rpc("anvil_getAutomine") is False
    assert n.rpc("anvil_nodeInfo")["miningMode"] == "interval 1s"
    h0, _ = n.head()
    assert wait_for(lambda: n.head()[0] >= h0 + 2, timeout=4.5)
    # 0 stops interval mining and leaves automine off, as Anvil.
    assert n.rpc("evm_setIntervalMining", 0) is None
    time.sleep(0.2)
    h1, _ = n.head()
    tx = n.send_raw(transfer(0))
    time.sleep(1.5)
    assert n.head()[0] == h1 and n.rpc("eth_getTransactionReceipt", tx) is None
    assert n.rpc("anvil_nodeInfo")["miningMode"] == "manual"
    # Automine on: the pending transaction is mined, and interval mining stays off.
    n.rpc("anvil_setIntervalMining", 1)
    n.rpc("evm_setAutomine", True)
    assert n.receipt(tx)["status"] == "0x1"
    h2, _ = n.head()
    time.sleep(1.5)
    assert n.head()[0] == h2
    assert n.rpc("anvil_nodeInfo")["miningMode"] == "auto"


def test_interval_mining_refuses_bad_seconds(dev):
    for bad in (-1, "-0x1", "soon", None, [1]):
        e = dev.rpc_error("evm_setIntervalMining", bad)
        assert e["code"] == -32602, (bad, e)
    assert dev.rpc("anvil_getAutomine") is True


def test_extra_positional_params_are_refused_and_change_nothing(dev):
    h0, _ = dev.head()
    for method, params in [("evm_mine", [None, 1]), ("anvil_mine", ["0x1", "0x0", "0x0"]),
                           ("eth_blockNumber", [1]), ("eth_getBalance", [SENDER.address, "latest", 1]),
                           ("evm_setAutomine", [False, True]), ("eth_sendRawTransaction", ["0x00", "0x00"]),
                           ("stakenet_rebase", [1])]:
        e = dev.rpc_error(method, *params)
        assert e["code"] == -32602 and "too many params" in e["message"], (method, e)
    assert dev.head()[0] == h0 and dev.rpc("anvil_getAutomine") is True
    # Optional params stay optional.
    assert dev.rpc("eth_getBalance", SENDER.address) == dev.rpc("eth_getBalance", SENDER.address, "latest")
