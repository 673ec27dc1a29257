"""A full disk under --data-dir: the request that cannot be made durable fails with a clear
error, the node keeps serving reads, and it takes writes again once space is back.

Needs a tiny tmpfs to fill (mount, so root); where mounting is not permitted the test is skipped
with that reason, since there is no other way here to make a disk full without filling the host.
"""
import os
import subprocess
import uuid
from pathlib import Path

import pytest

ALICE = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
BOB = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture
def small_fs(tmp_path):
    mnt = tmp_path / "smallfs"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4M", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill here: {r.stderr.strip() or r.returncode}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(path: Path) -> Path:
    filler = path / f"filler-{uuid.uuid4().hex}"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


def test_full_disk_fails_the_write_and_keeps_serving_reads(node, small_fs):
    n = node(["--data-dir", str(small_fs / "chain")])
    balance = n.rpc("eth_getBalance", ALICE, "latest")
    head = n.rpc("eth_blockNumber")
    filler = fill(small_fs)

    err = n.rpc_error("anvil_mine", "0x40")
    assert err["code"] in (-32603, -32000), err
    assert "disk full" in err["message"] or "No space" in err["message"], err

    # Reads go on, from committed blocks.
    assert n.rpc("eth_getBalance", ALICE, head) == balance
    assert n.rpc("eth_chainId") == "0x7a69"
    assert n.rpc("eth_getBlockByNumber", head, False)["number"] == head

    os.remove(filler)
    h = n.rpc("eth_sendTransaction", {"from": ALICE, "to": BOB, "value": "0x1"})
    receipt = n.rpc("eth_getTransactionReceipt", h)
    assert receipt is not None and receipt["status"] == "0x1"
