"""Ankr's emulated off-chain operator on a warpable clock (the stakenet_ methods, time warps, the operator), driven through
web3.py contract objects built from fixtures/abi: rebases, claim serving at exactly the unbond deadline, long
warps, snapshots, reproducibility, restarts with --data-dir, manual mode and bad input."""
import signal

import pytest
from web3 import Web3

from support import AnkrSession, CONTRACTS, DEV, eth_transfer, q, same_address

GENESIS = 1_700_000_000
FIXED_CLOCK = ["--no-wall-clock", "--timestamp", str(GENESIS)]
DAY = 86_400
WEEK = 7 * DAY
E18 = 10**18
RATIO_UPDATE = Web3.keccak(text="RatioUpdate(uint256)").hex()
CLAIMS_SERVED = Web3.keccak(text="ClaimsServed(address[],uint256[],uint256)").hex()


def topic(h):
    return h if h.startswith("0x") else "0x" + h


def ratio_after(ratio, n, apr=450, interval=DAY):
    """The README's rebase rule: growth = apr·1e14·interval/31 536 000; newRatio = ratio·1e18/(1e18 + growth), n times."""
    growth = apr * 10**14 * interval // 31_536_000
    for _ in range(n):
        ratio = ratio * E18 // (E18 + growth)
    return ratio


class Ankr(AnkrSession):
    """web3.py contract objects for the five emulated contracts on one node, and the user flows."""

    def send(self, fn, sender, value=0, gas=None):
        """As AnkrSession's, with `sender` a dev account (eth-account LocalAccount)."""
        return super().send(fn, sender.address, value, gas)

    def fee(self):
        return self.pool.functions.ethUnstakeFee().call()

    def unstake_bonds(self, user, amount):
        return self.tx(self.pool.functions.unstakeBonds(amount, 0, 0, b""), user, self.fee())

    def unstake_certs(self, user, shares):
        return self.tx(self.pool.functions.unstakeCerts(shares, 0, 0, b""), user, self.fee())

    def unstake_bonds_for(self, user, recipient, amount):
        return self.tx(self.pool.functions.unstakeBondsFor(recipient, amount, 0, 0, b""), user, self.fee())

    def ratio(self):
        return self.bonds.functions.ratio().call()

    def matic_of(self, a):
        return self.matic.functions.balanceOf(a).call()

    def claims_of(self, a):
        return self.pool.functions.pendingMaticClaimsOf(a).call()

    def warp(self, seconds):
        ts = self.node.rpc("stakenet_warp", seconds)
        assert isinstance(ts, int)
        return ts

    def block_logs(self, number, address, topic0):
        return self.node.rpc("eth_getLogs", {"fromBlock": hex(number), "toBlock": hex(number), "address": address,
                                             "topics": [topic(topic0)]})

    def served_in(self, number):
        """Claimers of every ClaimsServed event in block `number`, in log order."""
        out = []
        for log in self.block_logs(number, CONTRACTS["PolygonPool"], CLAIMS_SERVED):
            ev = self.pool.events.ClaimsServed().process_log(_web3_log(log))
            out.extend(ev["args"]["claimers"])
        return out


def _web3_log(log):
    """A raw eth_getLogs entry in the shape web3's process_log expects."""
    from hexbytes import HexBytes
    return {
        "address": Web3.to_checksum_address(log["address"]), "topics": [HexBytes(t) for t in log["topics"]],
        "data": HexBytes(log["data"]), "blockNumber": q(log["blockNumber"]), "transactionHash": HexBytes(log["transactionHash"]),
        "transactionIndex": q(log["transactionIndex"]), "blockHash": HexBytes(log["blockHash"]),
        "logIndex": q(log["logIndex"]), "removed": False,
    }


def head_number(node):
    return q(node.rpc("eth_blockNumber"))


def head_ts(node):
    return q(node.rpc("eth_getBlockByNumber", "latest", False)["timestamp"])


# ---------------------------------------------------------------------------------------------------------------


def test_one_day_rebase_grows_bonds_and_certs(node):
    n = node(FIXED_CLOCK)
    a = Ankr(n)
    bonder, certer = DEV[1], DEV[2]
    amount = 1_000 * E18
    a.stake_bonds(bonder, amount)
    a.stake_certs(certer, amount)
    assert a.bonds.functions.balanceOf(bonder.address).call() == amount
    shares = a.certs.functions.balanceOf(certer.address).call()
    assert shares == amount  # ratio 1e18
    assert a.certs.functions.balanceWithRewardsOf(certer.address).call() == amount

    ts = a.warp(DAY)
    assert ts == GENESIS + DAY
    new_ratio = ratio_after(E18, 1)
    assert a.ratio() == new_ratio
    grown = amount * E18 // new_ratio
    # the APR/365 step: 1000 MATIC · 4.5 % / 365 ≈ 0.1233 MATIC (to rounding of the ratio)
    assert abs((grown - amount) - amount * 450 // 10_000 // 365) < 10**12
    assert a.bonds.functions.balanceOf(bonder.address).call() == grown
    assert a.certs.functions.balanceWithRewardsOf(certer.address).call() == shares * E18 // new_ratio
    assert a.certs.functions.balanceOf(certer.address).call() == shares  # certificates do not rebase

    logs = a.block_logs(head_number(n), CONTRACTS["aMATICb"], RATIO_UPDATE)
    assert len(logs) == 1 and q(logs[0]["data"]) == new_ratio
    st = n.rpc("stakenet_status")
    assert q(st["ratio"]) == new_ratio and st["nextRebaseTime"] == GENESIS + 2 * DAY and st["apr"] == 450
    assert st["pendingStakes"] == [] and q(st["totalPendingStakes"]) == 0  # delegated before the rebase
    assert same_address(st["contracts"]["PolygonPool"], CONTRACTS["PolygonPool"])


UNSTAKES = ["bonds", "certs", "bonds-for-recipient"]


@pytest.mark.parametrize("kind", UNSTAKES)
def test_claim_served_exactly_at_the_unbond_deadline(node, kind):
    n = node(FIXED_CLOCK)
    a = Ankr(n)
    user, recipient = DEV[3], DEV[3]
    if kind == "certs":
        a.stake_certs(user, 500 * E18)
        rc = a.unstake_certs(user, 200 * E18)
    elif kind == "bonds":
        a.stake_bonds(user, 500 * E18)
        rc = a.unstake_bonds(user, 200 * E18)
    else:
        recipient = DEV[4]
        a.stake_bonds(user, 500 * E18)
        rc = a.unstake_bonds_for(user, recipient.address, 200 * E18)
    queued_at = n.w3.eth.get_block(rc["blockNumber"])["timestamp"]
    owed = a.claims_of(recipient.address)
    assert owed == 200 * E18
    burn = a.bonds.functions.pendingBurn(recipient.address).call()
    assert burn > 0
    matic_before = a.matic_of(recipient.address)
    st = n.rpc("stakenet_status")
    assert [(c["dueTime"], q(c["amount"])) for c in st["pendingClaims"]] == [(queued_at + WEEK, owed)]

    assert a.warp(queued_at + WEEK - 1 - head_ts(n)) == queued_at + WEEK - 1
    assert a.claims_of(recipient.address) == owed
    assert a.matic_of(recipient.address) == matic_before
    assert a.bonds.functions.pendingBurn(recipient.address).call() == burn
    assert a.served_in(head_number(n)) == []

    assert a.warp(1) == queued_at + WEEK
    assert a.matic_of(recipient.address) == matic_before + owed
    assert a.claims_of(recipient.address) == 0
    assert a.bonds.functions.pendingBurn(recipient.address).call() == 0
    assert [x.lower() for x in a.served_in(head_number(n))] == [recipient.address.lower()]
    assert n.rpc("stakenet_status")["pendingClaims"] == []


def test_year_warp_rebases_365_times_and_serves_fifo(node):
    n = node(FIXED_CLOCK)
    a = Ankr(n)
    for u in DEV[1:4]:
        a.stake_bonds(u, 100 * E18)
    order = []
    for day in range(3):
        for u in (DEV[3], DEV[1], DEV[2]):
            a.unstake_bonds(u, (day + 1) * E18)
            order.append(u.address.lower())
        a.warp(DAY)
    before = head_number(n)
    a.warp(365 * DAY - 3 * DAY)
    number = head_number(n)
    assert number == before + 1  # one block
    rebases = a.block_logs(number, CONTRACTS["aMATICb"], RATIO_UPDATE)
    assert len(rebases) == 362
    total = n.rpc("eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest", "address": CONTRACTS["aMATICb"],
                                  "topics": [topic(RATIO_UPDATE)]})
    assert len(total) == 365
    assert a.ratio() == ratio_after(E18, 365)
    served = []
    for b in range(0, number + 1):
        served.extend(x.lower() for x in a.served_in(b))
    assert served == order
    st = n.rpc("stakenet_status")
    assert st["pendingClaims"] == [] and st["rebasesDone"] == 365


def test_snapshot_and_revert_restore_everything(node):
    n = node(FIXED_CLOCK)
    a = Ankr(n)
    user = DEV[5]
    a.stake_bonds(user, 10 * E18)

    def capture():
        return {
            "head": n.head(),
            "ratio": a.ratio(),
            "matic": a.matic_of(user.address),
            "bonds": a.bonds.functions.balanceOf(user.address).call(),
            "claims": a.claims_of(user.address),
            "offset": n.rpc("evm_increaseTime", 0),
            "status": n.rpc("stakenet_status"),
        }

    snap = n.rpc("evm_snapshot")
    before = capture()
    a.stake_bonds(user, 20 * E18)
    a.warp(3 * DAY)
    a.unstake_bonds(user, 5 * E18)
    n.rpc("stakenet_setApr", 2_000)
    assert capture() != before
    assert n.rpc("evm_revert", snap) is True
    assert capture() == before
    assert n.rpc("evm_revert", snap) is False
    # time runs on from the snapshot's clock: the first rebase falls due one day after genesis
    a.warp(DAY)
    assert a.ratio() == ratio_after(E18, 1)


def test_same_requests_same_block_hashes(node):
    def run(name):
        n = node(FIXED_CLOCK, name=name)
        a = Ankr(n)
        a.stake_bonds(DEV[1], 50 * E18)
        a.stake_certs(DEV[2], 70 * E18)
        a.warp(2 * DAY)
        a.unstake_bonds(DEV[1], 10 * E18)
        a.warp(WEEK)
        n.rpc("stakenet_rebase")
        a.warp(30 * DAY)
        hashes = [n.rpc("eth_getBlockByNumber", hex(i), False)["hash"] for i in range(head_number(n) + 1)]
        n.stop()
        return hashes

    first, second = run("a"), run("b")
    assert len(first) > 8
    assert first == second


def test_restart_with_data_dir_serves_the_claim_once(node, tmp_path):
    data = tmp_path / "chain"
    flags = FIXED_CLOCK + ["--data-dir", str(data)]
    n = node(flags, name="first")
    a = Ankr(n)
    user = DEV[6]
    a.stake_bonds(user, 30 * E18)
    a.unstake_bonds(user, 12 * E18)
    n.rpc("stakenet_setApr", 900)
    matic = a.matic_of(user.address)
    a.warp(3 * DAY)
    ratio = a.ratio()
    assert ratio == ratio_after(E18, 3, apr=900)
    n.stop(signal.SIGTERM)

    n = node(flags, name="second")
    a = Ankr(n)
    st = n.rpc("stakenet_status")
    assert st["apr"] == 900 and len(st["pendingClaims"]) == 1 and q(st["ratio"]) == ratio
    # The stored settings win over the (default) flags, and the node says so.
    assert "note: this data directory keeps its operator settings (apr 900" in n.log_path.read_text()
    a.warp(4 * DAY)
    assert a.matic_of(user.address) == matic + 12 * E18
    assert a.ratio() == ratio_after(E18, 7, apr=900)
    a.warp(WEEK)
    served = n.rpc("eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest", "address": CONTRACTS["PolygonPool"],
                                   "topics": [topic(CLAIMS_SERVED)]})
    assert len(served) == 1
    assert a.matic_of(user.address) == matic + 12 * E18


def test_manual_mode_waits_for_operator_tick(node):
    n = node(FIXED_CLOCK + ["--operator", "manual"])
    a = Ankr(n)
    user = DEV[7]
    a.stake_bonds(user, 40 * E18)
    a.unstake_bonds(user, 4 * E18)
    matic = a.matic_of(user.address)
    a.warp(8 * DAY)
    assert a.ratio() == E18
    assert a.claims_of(user.address) == 4 * E18
    assert n.rpc("stakenet_status")["mode"] == "manual"
    assert n.w3.eth.get_block("latest")["transactions"] == []

    r = n.rpc("stakenet_operatorTick")
    assert r["rebases"] == 8 and r["claimsServed"] == 1
    assert a.ratio() == ratio_after(E18, 8)
    assert a.claims_of(user.address) == 0 and a.matic_of(user.address) == matic + 4 * E18
    a.warp(3 * DAY)
    assert a.ratio() == ratio_after(E18, 8)  # still manual


def test_forced_rebase_and_serve_claims(node):
    n = node(FIXED_CLOCK)
    a = Ankr(n)
    user = DEV[8]
    a.stake_bonds(user, 40 * E18)
    a.unstake_bonds(user, 3 * E18)
    r = n.rpc("stakenet_rebase")
    assert r["rebases"] == 1 and q(r["ratio"]) == ratio_after(E18, 1) and r["nextRebaseTime"] == GENESIS + 2 * DAY
    matic = a.matic_of(user.address)
    r = n.rpc("stakenet_serveClaims")
    assert r["claimsServed"] == 1 and r["rebases"] == 0
    assert a.matic_of(user.address) == matic + 3 * E18


def test_unstake_paying_the_fee_in_ankr_with_the_notary_signature(node):
    n = node(FIXED_CLOCK)
    a = Ankr(n)
    user, fee = DEV[2], 5 * E18
    a.stake_bonds(user, 10 * E18)
    a.tx(a.c["ANKR"].functions.approve(a.pool.address, fee), user)
    use_before = head_number(n) + 10
    sig = n.rpc("stakenet_unstakeFeeSignature", hex(fee), use_before, user.address)
    assert len(bytes.fromhex(sig[2:])) == 65
    a.tx(a.pool.functions.unstakeBonds(E18, fee, use_before, bytes.fromhex(sig[2:])), user)
    st = n.rpc("stakenet_status")
    assert a.c["ANKR"].functions.balanceOf(st["feeCollector"]).call() == fee
    assert a.claims_of(user.address) == E18


def test_bad_input_is_refused_and_changes_nothing(node):
    n = node(FIXED_CLOCK)
    a = Ankr(n)
    a.warp(DAY)
    before = (n.head(), n.rpc("stakenet_status"), n.rpc("evm_increaseTime", 0))

    err = n.rpc_error("evm_increaseTime", -5)
    assert err["code"] == -32602
    err = n.rpc_error("stakenet_warp", -5)
    assert err["code"] == -32602 and "param 0" in err["message"] and "negative" in err["message"]
    err = n.rpc_error("stakenet_warp", "soon")
    assert err["code"] == -32602 and "param 0" in err["message"]
    err = n.rpc_error("evm_setNextBlockTimestamp", GENESIS)
    assert err["code"] == -32602 and str(GENESIS) in err["message"] and str(GENESIS + DAY) in err["message"]
    assert n.rpc("evm_revert", "0x99") is False
    for method, arg in (("stakenet_setApr", "abc"), ("stakenet_setApr", -1), ("stakenet_setApr", 1.5),
                        ("stakenet_setApr", 10**9), ("stakenet_setRebaseInterval", 0),
                        ("stakenet_setRebaseInterval", "x"), ("stakenet_setUnbondPeriod", -3),
                        ("stakenet_setOperatorMode", "sometimes")):
        err = n.rpc_error(method, arg)
        assert err["code"] == -32602 and "param 0" in err["message"], (method, arg, err)
    err = n.rpc_error("stakenet_unstakeFeeSignature", "0x1", "0x2", "0x1234")
    assert err["code"] == -32602 and "staker" in err["message"]
    err = n.rpc_error("stakenet_rebase", 1)
    assert err["code"] == -32602

    after = (n.head(), n.rpc("stakenet_status"), n.rpc("evm_increaseTime", 0))
    assert after == before


def _operator_account(n):
    from eth_account import Account
    return Account.from_key(n.config["operator"]["privateKeys"][0])



def test_users_own_operator_transaction_keeps_its_nonce_when_a_rebase_is_due(node):
    """Tests may send operator transactions themselves. When the block their transaction
    triggers also has a rebase due, the operator's work comes after it instead of taking its nonce."""
    n = node(FIXED_CLOCK)
    a = Ankr(n)
    op = _operator_account(n)
    n.rpc("evm_increaseTime", DAY)
    nonce = n.nonce(op.address)
    tx = n.send_raw(eth_transfer(op, nonce, DEV[9].address, value=1, fee=100 * 10**9))
    rc = n.receipt(tx)
    assert rc["status"] == "0x1"
    block = n.rpc("eth_getBlockByNumber", rc["blockNumber"], True)
    txs = block["transactions"]
    assert txs[0]["hash"] == tx and q(txs[0]["nonce"]) == nonce
    assert len(txs) >= 2 and all(same_address(t["from"], op.address) for t in txs)
    assert [q(t["nonce"]) for t in txs] == list(range(nonce, nonce + len(txs)))
    assert a.ratio() == ratio_after(E18, 1)
    assert n.nonce(op.address) == nonce + len(txs)


def test_forced_rebase_with_a_pending_operator_transaction(node):
    n = node(FIXED_CLOCK + ["--no-mining"])
    op = _operator_account(n)
    nonce = n.nonce(op.address)
    tx = n.send_raw(eth_transfer(op, nonce, DEV[9].address, value=1, fee=100 * 10**9))
    r = n.rpc("stakenet_rebase")
    assert r["rebases"] == 1
    rc = n.receipt(tx)
    assert rc["status"] == "0x1" and q(rc["blockNumber"]) == q(r["blockNumber"]) and rc["transactionIndex"] == "0x0"
    assert n.rpc("txpool_status") == {"pending": "0x0", "queued": "0x0"}
