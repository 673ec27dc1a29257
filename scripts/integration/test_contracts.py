"""The emulated Ankr contracts driven by web3.py through the ABIs in fixtures/abi: staking, the
bond/certificate swap with a swap fee, token transfers and allowances, both unstake fee paths, every event
decoded in order, documented reverts (by eth_call and by mined transaction), calldata-level reverts with
empty data, and the supply invariants after every step. The operator runs in manual mode so that nothing
but the test's own transactions touches the contracts."""

import pytest
from eth_abi import encode
from web3 import Web3
from web3._utils.events import get_event_data
from web3.logs import DISCARD

from support import AnkrSession, CONTRACTS, DEV, ETHER, same_address

E18 = ETHER
E16 = 10**16
ARGS = ["--no-wall-clock", "--timestamp", "1700000000", "--operator", "manual"]
ZERO = "0x0000000000000000000000000000000000000000"
ERROR_SELECTOR = "0x08c379a0"
TX_GAS = 500_000


def ceil_div(a, b):
    return -(-a // b)


def to_shares(bonds, ratio):
    return ceil_div(bonds * ratio, E18)


def to_bonds(shares, ratio):
    return shares * E18 // ratio


def error_data(reason):
    return ERROR_SELECTOR + encode(["string"], [reason]).hex()


class Ankr(AnkrSession):
    """Contract objects, accounts and the checks shared by the tests, for one node."""

    def __init__(self, node):
        super().__init__(node)
        self.ankr = self.c["ANKR"]
        op = node.config["operator"]
        self.operator = Web3.to_checksum_address(op["operator"])
        self.fee_collector = Web3.to_checksum_address(op["feeCollector"])
        self.intermediary = Web3.to_checksum_address(op["intermediary"])
        # topic0 -> (contract name, event name) for every event in every ABI
        self.topics = {}
        for name, contract in self.c.items():
            for item in contract.abi:
                if item["type"] == "event":
                    sig = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
                    self.topics[(contract.address.lower(), bytes(Web3.keccak(text=sig)))] = (name, item)
        self._encoded = {}
        self.holders = {a.address for a in DEV[:6]} | {self.operator, self.fee_collector, self.intermediary,
                                                       self.bonds.address, self.certs.address, self.pool.address}

    # -- transactions --------------------------------------------------------------------------------
    def set_ratio(self, ratio):
        rc = self.tx(self.bonds.functions.updateRatio(ratio), self.operator)
        assert self.ratio() == ratio
        return rc

    # -- reads ---------------------------------------------------------------------------------------
    def ratio(self):
        return self.bonds.functions.ratio().call()

    def fee(self):
        return self.pool.functions.ethUnstakeFee().call()

    def shares(self, a):
        return self.bonds.functions.sharesOf(a).call()

    def bond_balance(self, a):
        return self.bonds.functions.balanceOf(a).call()

    def cert_balance(self, a):
        return self.certs.functions.balanceOf(a).call()

    def matic_of(self, a):
        return self.matic.functions.balanceOf(a).call()

    def reads(self, calls):
        """Many eth_calls in one JSON-RPC batch: `calls` are (contract name, function, args, from|None);
        returns the raw result hex strings in order."""
        payload = []
        for i, (cname, fname, args, sender) in enumerate(calls):
            key = (cname, fname, tuple(args))
            if key not in self._encoded:
                self._encoded[key] = self.c[cname].encode_abi(fname, args=list(args))
            call = {"to": self.c[cname].address, "data": self._encoded[key]}
            if sender is not None:
                call["from"] = sender
            payload.append({"jsonrpc": "2.0", "id": i, "method": "eth_call", "params": [call, "latest"]})
        resp = self.node.raw(payload)
        assert isinstance(resp, list) and len(resp) == len(calls), resp
        out = [None] * len(calls)
        for r in resp:
            assert "result" in r, f"read failed: {r} ({calls[r.get('id')]})"
            out[r["id"]] = r["result"]
        return out

    def uints(self, calls):
        return [int(x, 16) for x in self.reads(calls)]

    def state(self):
        """Everything the tests can observe about the contracts, for 'nothing changed' checks."""
        who = sorted(self.holders)
        calls = [("aMATICb", f, [], None) for f in ("ratio", "swapFeeRatio", "swapFeeOperator", "totalSupply",
                                                   "totalSharesSupply", "collectableFee")]
        calls += [("PolygonPool", f, [], None) for f in ("getMinimumStake", "ethUnstakeFee", "pendingGap",
                                                        "pendingClaimGap")]
        calls += [("PolygonPool", f, [], self.operator) for f in ("getRawPendingClaims", "getRawPendingStakes")]
        calls += [(t, "totalSupply", [], None) for t in ("aMATICc", "MATIC", "ANKR")]
        for a in who:
            calls += [("MATIC", "balanceOf", [a], None), ("ANKR", "balanceOf", [a], None),
                      ("aMATICb", "sharesOf", [a], None), ("aMATICc", "balanceOf", [a], None),
                      ("PolygonPool", "pendingMaticClaimsOf", [a], None), ("PolygonPool", "pendingStakesOf", [a], None),
                      ("aMATICb", "pendingBurn", [a], None)]
        owners = [DEV[1].address, DEV[2].address, DEV[3].address]
        for a in owners:
            for b in owners + [self.pool.address, self.operator]:
                calls += [(t, "allowance", [a, b], None) for t in ("MATIC", "ANKR", "aMATICb", "aMATICc")]
        values = self.reads(calls)
        eth = {a: self.node.balance(a) for a in (self.pool.address, self.fee_collector, self.bonds.address,
                                                 self.certs.address)}
        return dict(zip([f"{c[0]}.{c[1]}{tuple(c[2])}" for c in calls], values)), eth

    def invariants(self, staked=None):
        """The supply invariants; with `staked`, the pool's MATIC accounting (manual mode: no MATIC has
        left the pool, so it holds exactly what was staked, all of it still pending)."""
        who = sorted(self.holders)
        calls = [("aMATICc", "totalSupply", [], None), ("aMATICb", "totalSharesSupply", [], None),
                 ("aMATICb", "totalSupply", [], None), ("aMATICb", "ratio", [], None),
                 ("aMATICc", "balanceOf", [self.bonds.address], None), ("aMATICb", "sharesOf", [self.bonds.address], None),
                 ("MATIC", "balanceOf", [self.pool.address], None)]
        calls += [("aMATICb", "sharesOf", [a], None) for a in who]
        calls += [("aMATICc", "balanceOf", [a], None) for a in who]
        calls += [("PolygonPool", "pendingStakesOf", [a], None) for a in who]
        v = self.uints(calls)
        certs_total, shares_total, bonds_total, ratio, certs_at_bonds, shares_at_bonds, pool_matic = v[:7]
        n = len(who)
        shares, certs, pending = v[7:7 + n], v[7 + n:7 + 2 * n], v[7 + 2 * n:]
        assert certs_total == shares_total
        assert shares_at_bonds == certs_total - certs_at_bonds
        assert sum(shares) == shares_total
        assert sum(certs) == certs_total
        assert bonds_total == to_bonds(shares_total, ratio)
        if staked is not None:
            assert pool_matic == staked
            assert sum(pending) == staked
            stakers, amounts = self.pool.functions.getPendingStakes().call({"from": self.operator})
            assert sum(amounts) == staked

    # -- logs ----------------------------------------------------------------------------------------
    def events(self, rc):
        """Every log of `rc` decoded with its contract's ABI, in log order: (contract, event, args)."""
        out = []
        for log in rc["logs"]:
            key = (log["address"].lower(), bytes(log["topics"][0]))
            assert key in self.topics, f"log with unknown address/topic: {log}"
            name, item = self.topics[key]
            decoded = get_event_data(self.w3.codec, item, log)
            out.append((name, item["name"], dict(decoded["args"])))
        return out

    # -- raw JSON-RPC --------------------------------------------------------------------------------
    def call_error(self, to, data, sender, value=0):
        resp = self.node.request("eth_call", {"from": sender, "to": to, "data": data, "value": hex(value)}, "latest")
        assert "error" in resp and "result" not in resp, f"eth_call should revert: {resp}"
        return resp["error"]


def _lower(v):
    if isinstance(v, str):
        return v.lower()
    if isinstance(v, (list, tuple)):
        return [_lower(x) for x in v]
    return v


def norm(events):
    """Events with addresses lower-cased, for comparison with expected tuples."""
    out = []
    for contract, name, args in events:
        out.append((contract, name, {k: _lower(v) for k, v in args.items()}))
    return out


def L(a):
    return a.lower()


@pytest.fixture
def ankr(node):
    return Ankr(node(ARGS))


# ---------------------------------------------------------------------------------------------------------------
# staking


def test_stake_and_claim_bonds_balances_and_events(ankr):
    a, user = ankr, DEV[1].address
    amount = 25 * E18
    a.invariants(staked=0)
    matic_before = a.matic_of(user)
    rc_approve = a.tx(a.matic.functions.approve(a.pool.address, amount + 7), user)
    assert norm(a.events(rc_approve)) == [("MATIC", "Approval", {"owner": L(user), "spender": L(a.pool.address), "value": amount + 7})]
    rc = a.tx(a.pool.functions.stakeAndClaimBonds(amount), user)
    assert norm(a.events(rc)) == [
        ("MATIC", "Transfer", {"from": L(user), "to": L(a.pool.address), "value": amount}),
        ("MATIC", "Approval", {"owner": L(user), "spender": L(a.pool.address), "value": 7}),
        ("aMATICc", "Transfer", {"from": ZERO, "to": L(a.bonds.address), "value": amount}),
        ("aMATICb", "Transfer", {"from": ZERO, "to": L(user), "value": amount}),
        ("PolygonPool", "StakePending", {"staker": L(user), "amount": amount}),
        ("PolygonPool", "StakePendingV2", {"staker": L(user), "amount": amount, "isRebasing": True}),
    ]
    # the web3 event API decodes the same logs
    assert [e["args"]["amount"] for e in a.pool.events.StakePendingV2().process_receipt(rc, errors=DISCARD)] == [amount]
    assert a.matic_of(user) == matic_before - amount
    assert a.matic.functions.allowance(user, a.pool.address).call() == 7
    assert a.bond_balance(user) == amount and a.shares(user) == amount
    assert a.pool.functions.pendingStakesOf(user).call() == amount
    a.invariants(staked=amount)

    # at a non-round ratio the bonds minted are floor(ceil(b·r)/r) and the shares ceil(b·r/1e18)
    ratio = 9 * E18 // 10 + 12345
    a.set_ratio(ratio)
    a.invariants(staked=amount)
    b2 = 3 * E18 + 1
    rc = a.stake_bonds(user, b2)
    s2 = to_shares(b2, ratio)
    ev = norm(a.events(rc))
    assert ev[2] == ("aMATICc", "Transfer", {"from": ZERO, "to": L(a.bonds.address), "value": s2})
    assert ev[3] == ("aMATICb", "Transfer", {"from": ZERO, "to": L(user), "value": to_bonds(s2, ratio)})
    assert ev[4:] == [("PolygonPool", "StakePending", {"staker": L(user), "amount": b2}),
                      ("PolygonPool", "StakePendingV2", {"staker": L(user), "amount": b2, "isRebasing": True})]
    assert a.shares(user) == amount + s2
    assert a.bond_balance(user) == to_bonds(amount + s2, ratio)
    a.invariants(staked=amount + b2)


def test_stake_and_claim_certs_gives_ceil_shares(ankr):
    a, user = ankr, DEV[2].address
    ratio = 8 * E18 // 10 + 987_654_321
    a.set_ratio(ratio)
    amount = 10 * E18 + 3
    rc = a.stake_certs(user, amount)
    shares = ceil_div(amount * ratio, E18)
    assert a.cert_balance(user) == shares
    assert a.shares(user) == 0 and a.bond_balance(user) == 0
    assert a.certs.functions.balanceWithRewardsOf(user).call() == to_bonds(shares, ratio)
    bonds = to_bonds(shares, ratio)
    assert norm(a.events(rc)) == [
        ("MATIC", "Transfer", {"from": L(user), "to": L(a.pool.address), "value": amount}),
        ("MATIC", "Approval", {"owner": L(user), "spender": L(a.pool.address), "value": 0}),
        ("aMATICc", "Transfer", {"from": ZERO, "to": L(a.bonds.address), "value": shares}),
        ("aMATICb", "Transfer", {"from": ZERO, "to": L(user), "value": bonds}),
        ("PolygonPool", "StakePending", {"staker": L(user), "amount": amount}),
        ("PolygonPool", "StakePendingV2", {"staker": L(user), "amount": amount, "isRebasing": False}),
        ("aMATICb", "Transfer", {"from": L(user), "to": L(a.bonds.address), "value": bonds}),
        ("aMATICc", "Transfer", {"from": L(a.bonds.address), "to": L(user), "value": shares}),
    ]
    a.invariants(staked=amount)
    # aMATICb holds the shares backing the certificates in circulation
    assert a.shares(a.bonds.address) == shares and a.cert_balance(a.bonds.address) == 0


# ---------------------------------------------------------------------------------------------------------------
# transfers and allowances


def test_amaticb_transfer_approve_transfer_from(ankr):
    a = ankr
    alice, bob, carol = DEV[1].address, DEV[2].address, DEV[3].address
    a.stake_bonds(alice, 100 * E18)
    ratio = 7 * E18 // 10 + 3
    a.set_ratio(ratio)
    a.invariants(staked=100 * E18)
    shares0 = a.shares(alice)

    amt = 10 * E18 + 1
    rc = a.tx(a.bonds.functions.transfer(bob, amt), alice)
    s = to_shares(amt, ratio)
    assert norm(a.events(rc)) == [("aMATICb", "Transfer", {"from": L(alice), "to": L(bob), "value": to_bonds(s, ratio)})]
    assert a.shares(alice) == shares0 - s and a.shares(bob) == s
    a.invariants(staked=100 * E18)

    # no allowance: transferFrom of a non-zero amount reverts (R7 source), nothing moves
    rc = a.send(a.bonds.functions.transferFrom(alice, carol, E18), bob, gas=TX_GAS)
    assert rc["status"] == 0
    assert a.shares(carol) == 0 and a.shares(alice) == shares0 - s
    err = a.call_error(a.bonds.address, a.bonds.encode_abi("transferFrom", args=[alice, carol, E18]), bob)
    assert err["code"] == 3 and err["message"] == "execution reverted: ERC20: transfer amount exceeds allowance"

    allowance = 5 * E18
    rc = a.tx(a.bonds.functions.approve(bob, allowance), alice)
    stored = to_shares(allowance, ratio)
    assert norm(a.events(rc)) == [("aMATICb", "Approval", {"owner": L(alice), "spender": L(bob),
                                                            "value": to_bonds(stored, ratio)})]
    assert a.bonds.functions.allowance(alice, bob).call() == to_bonds(stored, ratio)

    part = 2 * E18 + 5
    ps = to_shares(part, ratio)
    before_alice = a.shares(alice)
    rc = a.tx(a.bonds.functions.transferFrom(alice, carol, part), bob)
    assert norm(a.events(rc)) == [("aMATICb", "Transfer", {"from": L(alice), "to": L(carol), "value": to_bonds(ps, ratio)})]
    assert a.shares(alice) == before_alice - ps and a.shares(carol) == ps
    assert a.bonds.functions.allowance(alice, bob).call() == to_bonds(stored - ps, ratio)
    a.invariants(staked=100 * E18)

    # more than the remaining allowance (but within the balance) reverts
    too_much = to_bonds(stored - ps, ratio) + E18
    rc = a.send(a.bonds.functions.transferFrom(alice, carol, too_much), bob, gas=TX_GAS)
    assert rc["status"] == 0 and a.shares(carol) == ps
    assert a.bonds.functions.allowance(alice, bob).call() == to_bonds(stored - ps, ratio)

    # increase / decrease allowance log Approval with the recomputed bonds
    rc = a.tx(a.bonds.functions.increaseAllowance(bob, E18), alice)
    stored2 = stored - ps + to_shares(E18, ratio)
    assert norm(a.events(rc)) == [("aMATICb", "Approval", {"owner": L(alice), "spender": L(bob),
                                                            "value": to_bonds(stored2, ratio)})]
    rc = a.tx(a.bonds.functions.decreaseAllowance(bob, E18), alice)
    stored3 = stored2 - to_shares(E18, ratio)
    assert norm(a.events(rc)) == [("aMATICb", "Approval", {"owner": L(alice), "spender": L(bob),
                                                            "value": to_bonds(stored3, ratio)})]
    a.invariants(staked=100 * E18)


def test_amaticc_transfer_approve_transfer_from(ankr):
    a = ankr
    alice, bob, carol = DEV[1].address, DEV[2].address, DEV[3].address
    a.stake_certs(alice, 50 * E18)
    c0 = a.cert_balance(alice)
    assert c0 == 50 * E18

    rc = a.tx(a.certs.functions.transfer(bob, 7 * E18), alice)
    assert norm(a.events(rc)) == [("aMATICc", "Transfer", {"from": L(alice), "to": L(bob), "value": 7 * E18})]
    a.invariants(staked=50 * E18)

    rc = a.send(a.certs.functions.transferFrom(alice, carol, 1), bob, gas=TX_GAS)
    assert rc["status"] == 0 and a.cert_balance(carol) == 0

    rc = a.tx(a.certs.functions.approve(bob, 3 * E18), alice)
    assert norm(a.events(rc)) == [("aMATICc", "Approval", {"owner": L(alice), "spender": L(bob), "value": 3 * E18})]
    rc = a.tx(a.certs.functions.transferFrom(alice, carol, 2 * E18), bob)
    # OpenZeppelin 4.3: Transfer, then the lowered allowance's Approval
    assert norm(a.events(rc)) == [
        ("aMATICc", "Transfer", {"from": L(alice), "to": L(carol), "value": 2 * E18}),
        ("aMATICc", "Approval", {"owner": L(alice), "spender": L(bob), "value": E18}),
    ]
    assert a.cert_balance(alice) == c0 - 9 * E18 and a.cert_balance(carol) == 2 * E18
    assert a.certs.functions.allowance(alice, bob).call() == E18
    rc = a.send(a.certs.functions.transferFrom(alice, carol, E18 + 1), bob, gas=TX_GAS)
    assert rc["status"] == 0 and a.certs.functions.allowance(alice, bob).call() == E18
    a.invariants(staked=50 * E18)


# ---------------------------------------------------------------------------------------------------------------
# bonds <-> certificates with a swap fee


def test_unlock_and_lock_shares_with_swap_fee(ankr):
    a, user = ankr, DEV[4].address
    a.stake_bonds(user, 40 * E18)
    ratio = 95 * E18 // 100 + 17
    a.set_ratio(ratio)
    fee_ratio = 7 * 10**15 + 3   # 0.7 % and change
    rc = a.tx(a.bonds.functions.updateSwapFeeRatio(fee_ratio), a.operator)
    assert norm(a.events(rc)) == [("aMATICb", "SwapFeeRatioUpdate", {"newSwapFeeRatio": fee_ratio})]
    fee_op = a.bonds.functions.swapFeeOperator().call()
    assert same_address(fee_op, a.operator)
    a.invariants(staked=40 * E18)

    s = 13 * E18 + 11
    fee = ceil_div(s * fee_ratio, E18)
    sh0, op0 = a.shares(user), a.shares(fee_op)
    rc = a.tx(a.bonds.functions.unlockShares(s), user)
    assert norm(a.events(rc)) == [
        ("aMATICb", "Transfer", {"from": L(user), "to": L(a.bonds.address), "value": to_bonds(s - fee, ratio)}),
        ("aMATICb", "Transfer", {"from": L(user), "to": L(fee_op), "value": to_bonds(fee, ratio)}),
        ("aMATICc", "Transfer", {"from": L(a.bonds.address), "to": L(user), "value": s - fee}),
    ]
    assert a.shares(user) == sh0 - s and a.shares(fee_op) == op0 + fee
    assert a.cert_balance(user) == s - fee
    assert a.shares(a.bonds.address) == s - fee
    a.invariants(staked=40 * E18)

    back = 5 * E18 + 1
    fee2 = ceil_div(back * fee_ratio, E18)
    rc = a.tx(a.bonds.functions.lockShares(back), user)
    assert norm(a.events(rc)) == [
        ("aMATICc", "Transfer", {"from": L(user), "to": L(a.bonds.address), "value": back}),
        ("aMATICb", "Transfer", {"from": L(a.bonds.address), "to": L(user), "value": to_bonds(back - fee2, ratio)}),
        ("aMATICb", "Transfer", {"from": L(a.bonds.address), "to": L(fee_op), "value": to_bonds(fee2, ratio)}),
    ]
    assert a.cert_balance(user) == s - fee - back
    assert a.shares(user) == sh0 - s + back - fee2
    assert a.shares(fee_op) == op0 + fee + fee2
    assert a.shares(a.bonds.address) == s - fee - back
    # aMATICc minted at aMATICb for the 40 staked shares, less what went out, plus what came back
    assert a.cert_balance(a.bonds.address) == 40 * E18 - (s - fee) + back
    a.invariants(staked=40 * E18)

    # the pool's For-variant (stakeAndClaimCerts) charges no fee
    a.stake_certs(DEV[5].address, 2 * E18)
    assert a.cert_balance(DEV[5].address) == to_shares(2 * E18, ratio)
    a.invariants(staked=42 * E18)


# ---------------------------------------------------------------------------------------------------------------
# unstaking


def test_unstake_bonds_and_certs_eth_fee_path(ankr):
    a, user = ankr, DEV[1].address
    a.stake_bonds(user, 30 * E18)
    a.stake_certs(user, 20 * E18)
    ratio = 9 * E18 // 10 + 5
    a.set_ratio(ratio)
    fee = a.fee()
    assert fee == 25 * 10**15
    fc0 = a.node.balance(a.fee_collector)

    amount = 4 * E18 + 9
    shares = to_shares(amount, ratio)
    sh0 = a.shares(user)
    value = fee + 12345   # the whole value is forwarded
    rc = a.tx(a.pool.functions.unstakeBonds(amount, 0, 0, b""), user, value)
    assert norm(a.events(rc)) == [
        ("PolygonPool", "EthFeeCollected", {"claimer": L(user), "amount": value}),
        ("aMATICc", "Transfer", {"from": L(a.bonds.address), "to": ZERO, "value": shares}),
        ("aMATICb", "Transfer", {"from": L(user), "to": ZERO, "value": to_bonds(shares, ratio)}),
        ("PolygonPool", "MaticClaimPending", {"claimer": L(user), "amount": amount}),
        ("PolygonPool", "TokensBurned", {"staker": L(user), "amount": amount, "shares": shares, "fee": 0,
                                         "isRebasing": True}),
    ]
    assert a.node.balance(a.fee_collector) == fc0 + value
    assert a.shares(user) == sh0 - shares
    assert a.pool.functions.pendingMaticClaimsOf(user).call() == amount
    assert a.bonds.functions.pendingBurn(user).call() == amount
    a.invariants(staked=50 * E18)

    c0 = a.cert_balance(user)
    cs = 3 * E18 + 2
    camount = to_bonds(cs, ratio)
    rc = a.tx(a.pool.functions.unstakeCerts(cs, 0, 0, b""), user, fee)
    burn_shares = to_shares(camount, ratio)
    assert norm(a.events(rc)) == [
        ("PolygonPool", "EthFeeCollected", {"claimer": L(user), "amount": fee}),
        ("aMATICc", "Transfer", {"from": L(user), "to": L(a.bonds.address), "value": cs}),
        ("aMATICb", "Transfer", {"from": L(a.bonds.address), "to": L(user), "value": to_bonds(cs, ratio)}),
        ("aMATICc", "Transfer", {"from": L(a.bonds.address), "to": ZERO, "value": burn_shares}),
        ("aMATICb", "Transfer", {"from": L(user), "to": ZERO, "value": to_bonds(burn_shares, ratio)}),
        ("PolygonPool", "MaticClaimPending", {"claimer": L(user), "amount": camount}),
        ("PolygonPool", "TokensBurned", {"staker": L(user), "amount": camount, "shares": cs, "fee": 0,
                                         "isRebasing": False}),
    ]
    assert a.cert_balance(user) == c0 - cs
    assert a.node.balance(a.fee_collector) == fc0 + value + fee
    assert a.pool.functions.pendingMaticClaimsOf(user).call() == amount + camount
    claimers, amounts = a.pool.functions.getPendingClaims().call({"from": a.operator})
    assert [L(x) for x in claimers] == [L(user), L(user)] and amounts == [amount, camount]
    # the MATIC stays in the pool until the operator moves it
    a.invariants(staked=50 * E18)


def test_unstake_bonds_and_certs_ankr_fee_path(ankr):
    a, user = ankr, DEV[3].address
    a.stake_bonds(user, 10 * E18)
    a.stake_certs(user, 10 * E18)
    fee = 3 * E18
    a.tx(a.ankr.functions.approve(a.pool.address, 2 * fee), user)
    ankr0, fc_ankr0, fc_eth0 = (a.ankr.functions.balanceOf(user).call(),
                                a.ankr.functions.balanceOf(a.fee_collector).call(), a.node.balance(a.fee_collector))
    assert ankr0 >= 2 * fee

    for kind in ("bonds", "certs"):
        use_before = a.w3.eth.block_number + 5
        sig = bytes.fromhex(a.node.rpc("stakenet_unstakeFeeSignature", hex(fee), use_before, user)[2:])
        assert a.pool.functions._checkUnstakeAnkrFeeSignature(fee, use_before, user, sig).call()
        fn = (a.pool.functions.unstakeBonds if kind == "bonds" else a.pool.functions.unstakeCerts)(2 * E18, fee, use_before, sig)
        rc = a.tx(fn, user)
        ev = norm(a.events(rc))
        assert ev[0] == ("ANKR", "Transfer", {"from": L(user), "to": L(a.fee_collector), "value": fee})
        assert ev[1][:2] == ("ANKR", "Approval")
        assert ev[-2] == ("PolygonPool", "MaticClaimPending", {"claimer": L(user), "amount": 2 * E18})
        assert ev[-1] == ("PolygonPool", "TokensBurned", {"staker": L(user), "amount": 2 * E18, "shares": 2 * E18,
                                                          "fee": fee, "isRebasing": kind == "bonds"})
        assert not any(e[1] == "EthFeeCollected" for e in ev)
        a.invariants(staked=20 * E18)
    assert a.ankr.functions.balanceOf(user).call() == ankr0 - 2 * fee
    assert a.ankr.functions.balanceOf(a.fee_collector).call() == fc_ankr0 + 2 * fee
    assert a.ankr.functions.allowance(user, a.pool.address).call() == 0
    assert a.node.balance(a.fee_collector) == fc_eth0
    assert a.pool.functions.pendingMaticClaimsOf(user).call() == 4 * E18
    assert a.shares(user) == 8 * E18 and a.cert_balance(user) == 8 * E18


# ---------------------------------------------------------------------------------------------------------------
# documented reverts: eth_call answers code 3 with the reason; a mined transaction fails, pays gas, changes nothing


def _sig(a, fee, use_before, staker):
    return bytes.fromhex(a.node.rpc("stakenet_unstakeFeeSignature", hex(fee), use_before, staker)[2:])


# (id, sender: "user"|"other"|"op", contract, function, args(a) -> list, value(a) -> int, reason)
REVERTS = [
    ("stake-below-minimum", "user", "PolygonPool", "stakeAndClaimBonds", lambda a: [E18 - 1], None,
     "Value must be greater than min amount"),
    ("stake-certs-below-minimum", "user", "PolygonPool", "stakeAndClaimCerts", lambda a: [0], None,
     "Value must be greater than min amount"),
    ("unstake-zero", "user", "PolygonPool", "unstakeBonds", lambda a: [0, 0, 0, b""], "fee",
     "PolygonPool: cannot unstake 0"),
    ("unstake-certs-zero", "user", "PolygonPool", "unstakeCerts", lambda a: [0, 0, 0, b""], "fee",
     "PolygonPool: cannot unstake 0"),
    ("unstake-more-than-balance", "user", "PolygonPool", "unstakeBonds", lambda a: [10 * E18 + 1, 0, 0, b""], "fee",
     "PolygonPool: cannot claim more than have on address"),
    ("unstake-eth-fee-too-low", "user", "PolygonPool", "unstakeBonds", lambda a: [E18, 0, 0, b""], "fee-1",
     "PolygonPool: not enough ETH to pay fee"),
    ("unstake-ankr-expired", "user", "PolygonPool", "unstakeBonds",
     lambda a: [E18, E18, a.w3.eth.block_number, _sig(a, E18, a.w3.eth.block_number, DEV[1].address)], None,
     "PolygonPool: fee approval expired"),
    ("unstake-ankr-wrong-signer", "user", "PolygonPool", "unstakeBonds",
     lambda a: [E18, E18, 10**6, _sig(a, E18, 10**6, DEV[2].address)], None,
     "PolygonPool: invalid unstake fee signature"),
    ("unstake-ankr-short-signature", "user", "PolygonPool", "unstakeBonds", lambda a: [E18, E18, 10**6, b"\x01" * 10],
     None, "ECDSA: invalid signature length"),
    ("updateRatio-not-operator", "user", "aMATICb", "updateRatio", lambda a: [E18 // 2], None, "Operator: not allowed"),
    ("updateRatio-above-1e18", "op", "aMATICb", "updateRatio", lambda a: [E18 + 1], None,
     "new ratio should be less or equal to 1e18"),
    ("getPendingClaims-not-operator", "user", "PolygonPool", "getPendingClaims", lambda a: [], None,
     "Operator: not allowed"),
    ("getPendingStakes-not-operator", "user", "PolygonPool", "getPendingStakes", lambda a: [], None,
     "Operator: not allowed"),
    ("swap-fee-above-1pct", "op", "aMATICb", "updateSwapFeeRatio", lambda a: [E16 + 1], None,
     "swapFee must be not greater that 1%"),
    ("swap-fee-not-owner", "user", "aMATICb", "updateSwapFeeRatio", lambda a: [1], None,
     "Ownable: caller is not the owner"),
    ("setMinimumStake-not-operator", "user", "PolygonPool", "setMinimumStake", lambda a: [1], None,
     "Operator: not allowed"),
    ("setEthUnstakeFee-not-operator", "user", "PolygonPool", "setEthUnstakeFee", lambda a: [0], None,
     "Operator: not allowed"),
    ("setNotary-not-owner", "user", "PolygonPool", "setNotary", lambda a: [DEV[1].address], None,
     "Ownable: caller is not the owner"),
    ("serveClaims-not-operator", "user", "PolygonPool", "serveClaims", lambda a: [0, DEV[1].address, 0], None,
     "Operator: not allowed"),
    ("serveClaims-more-than-available", "op", "PolygonPool", "serveClaims", lambda a: [1, a.operator, 0], None,
     "not enough MATIC tokens to serve claims"),
    ("claimToIntermediary-not-operator", "user", "PolygonPool", "claimToIntermediary", lambda a: [DEV[1].address, 1],
     None, "Operator: not allowed"),
    ("pool-initialize-again", "op", "PolygonPool", "initialize",
     lambda a: [a.operator, CONTRACTS["MATIC"], CONTRACTS["ANKR"], a.fee_collector], None,
     "Initializable: contract is already initialized"),
    ("mintBonds-not-pool", "user", "aMATICb", "mintBonds", lambda a: [DEV[1].address, E18], None, "Minter: not allowed"),
    ("certs-mint-not-minter", "user", "aMATICc", "mint", lambda a: [DEV[1].address, E18], None,
     "onlyMinter: not allowed"),
    ("unlockShares-too-many", "user", "aMATICb", "unlockShares", lambda a: [10 * E18 + 1], None,
     "Insufficient aMATICb balance"),
    ("lockShares-too-many", "user", "aMATICb", "lockShares", lambda a: [1], None, "Insufficient aMATICc balance"),
    ("bonds-transfer-over-balance", "user", "aMATICb", "transfer", lambda a: [DEV[2].address, 10 * E18 + 1], None,
     "ERC20: transfer amount exceeds balance"),
    ("bonds-transfer-to-zero", "user", "aMATICb", "transfer", lambda a: [ZERO, 1], None,
     "ERC20: transfer to the zero address"),
    ("bonds-transferFrom-no-allowance", "other", "aMATICb", "transferFrom",
     lambda a: [DEV[1].address, DEV[2].address, E18], None, "ERC20: transfer amount exceeds allowance"),
    ("bonds-decrease-allowance-below-zero", "user", "aMATICb", "decreaseAllowance", lambda a: [DEV[2].address, 1], None,
     "ERC20: decreased allowance below zero"),
    ("certs-transferFrom-no-allowance", "other", "aMATICc", "transferFrom",
     lambda a: [DEV[2].address, DEV[1].address, 1], None, "ERC20: transfer amount exceeds allowance"),
    ("certs-transfer-over-balance", "other", "aMATICc", "transfer", lambda a: [DEV[1].address, 5 * E18 + 1], None,
     "ERC20: transfer amount exceeds balance"),
]


def _setup_for_reverts(a):
    """DEV[1] holds 10 aMATICb (no aMATICc), DEV[2] holds 5 aMATICc; DEV[1] approved ANKR to the pool."""
    a.stake_bonds(DEV[1].address, 10 * E18)
    a.stake_certs(DEV[2].address, 5 * E18)
    a.tx(a.ankr.functions.approve(a.pool.address, 10 * E18), DEV[1].address)
    a.invariants(staked=15 * E18)


@pytest.mark.parametrize("case", REVERTS, ids=[r[0] for r in REVERTS])
def test_documented_revert(ankr, case):
    _, who, cname, fname, args_of, value_kind, reason = case
    a = ankr
    _setup_for_reverts(a)
    sender = {"user": DEV[1].address, "other": DEV[2].address, "op": a.operator}[who]
    contract = a.c[cname]
    args = args_of(a)
    value = {None: 0, "fee": a.fee(), "fee-1": a.fee() - 1}[value_kind]
    data = contract.encode_abi(fname, args=args)

    err = a.call_error(contract.address, data, sender, value)
    assert err["code"] == 3, err
    assert err["message"] == f"execution reverted: {reason}", err
    assert isinstance(err.get("data"), str) and err["data"].startswith(ERROR_SELECTOR), err
    assert err["data"] == error_data(reason), err

    # the same call mined: status 0, gas paid, nothing else changed
    before = a.state()
    eth0, nonce0 = a.node.balance(sender), a.node.nonce(sender)
    fn = getattr(contract.functions, fname)(*args)
    rc = a.send(fn, sender, value, gas=TX_GAS)
    assert rc["status"] == 0
    assert rc["logs"] == []
    assert 21_000 < rc["gasUsed"] <= TX_GAS
    assert a.node.balance(sender) == eth0 - rc["gasUsed"] * rc["effectiveGasPrice"]
    assert a.node.nonce(sender) == nonce0 + 1
    after = a.state()
    assert after == before
    a.invariants(staked=15 * E18)


# ---------------------------------------------------------------------------------------------------------------
# calldata-level reverts: empty revert data, nothing changes


def _empty_cases(a):
    pool, bonds = a.pool, a.bonds
    stake = pool.encode_abi("stakeAndClaimBonds", args=[2 * E18])
    transfer = bonds.encode_abi("transfer", args=[DEV[2].address, E18])
    return [
        ("short-calldata-stake", pool.address, stake[:2 + 8 + 32], 0),
        ("short-calldata-transfer", bonds.address, transfer[:2 + 8 + 64 + 10], 0),
        ("selector-only", bonds.address, transfer[:10], 0),
        ("three-bytes", bonds.address, transfer[:8], 0),
        ("wrong-selector-pool", pool.address, "0xdeadbeef" + stake[10:], 0),
        ("wrong-selector-certs", a.certs.address, "0x12345678", 0),
        ("eth-to-nonpayable-stake", pool.address, stake, 1),
        ("eth-to-nonpayable-transfer", bonds.address, transfer, 10**9),
        ("plain-eth-to-pool", pool.address, "0x", E18),
        ("plain-eth-to-certs", a.certs.address, "0x", 1),
    ]


EMPTY_IDS = ["short-calldata-stake", "short-calldata-transfer", "selector-only", "three-bytes", "wrong-selector-pool",
             "wrong-selector-certs", "eth-to-nonpayable-stake", "eth-to-nonpayable-transfer", "plain-eth-to-pool",
             "plain-eth-to-certs"]


@pytest.mark.parametrize("case_id", EMPTY_IDS)
def test_malformed_call_reverts_with_empty_data(ankr, case_id):
    a = ankr
    user = DEV[1].address
    a.stake_bonds(user, 10 * E18)
    a.tx(a.matic.functions.approve(a.pool.address, 100 * E18), user)   # so a well-formed stake would succeed
    (_, to, data, value), = [c for c in _empty_cases(a) if c[0] == case_id]

    err = a.call_error(to, data, user, value)
    assert err["code"] == 3, err
    assert err["message"] == "execution reverted", err
    assert err.get("data", "0x") == "0x", err

    before = a.state()
    eth0, to_eth0 = a.node.balance(user), a.node.balance(to)
    h = a.node.rpc("eth_sendTransaction", {"from": user, "to": to, "data": data, "value": hex(value),
                                           "gas": hex(TX_GAS)})
    rc = a.w3.eth.wait_for_transaction_receipt(h, timeout=30)
    assert rc["status"] == 0 and rc["logs"] == []
    assert a.node.balance(user) == eth0 - rc["gasUsed"] * rc["effectiveGasPrice"]
    assert a.node.balance(to) == to_eth0
    assert a.state() == before
    a.invariants(staked=10 * E18)


def test_well_formed_counterpart_of_malformed_calls_succeeds(ankr):
    """The control for the empty-data cases: the same calldata with the right length, selector and no value works."""
    a = ankr
    user = DEV[1].address
    a.stake_bonds(user, 10 * E18)
    a.tx(a.matic.functions.approve(a.pool.address, 100 * E18), user)
    for to, data in ((a.pool.address, a.pool.encode_abi("stakeAndClaimBonds", args=[2 * E18])),
                     (a.bonds.address, a.bonds.encode_abi("transfer", args=[DEV[2].address, E18]))):
        assert a.node.rpc("eth_call", {"from": user, "to": to, "data": data}, "latest") is not None
        h = a.node.rpc("eth_sendTransaction", {"from": user, "to": to, "data": data, "gas": hex(TX_GAS)})
        assert a.w3.eth.wait_for_transaction_receipt(h, timeout=30)["status"] == 1
    assert a.shares(DEV[2].address) == E18
    a.invariants(staked=12 * E18)


# ---------------------------------------------------------------------------------------------------------------
# the pool's MATIC accounting through the operator's own transactions


def test_pool_matic_accounting_through_claim_to_intermediary_and_serve_claims(ankr):
    a = ankr
    u1, u2 = DEV[1].address, DEV[2].address
    a.stake_bonds(u1, 30 * E18)
    a.stake_certs(u2, 20 * E18)
    a.tx(a.pool.functions.unstakeBonds(5 * E18, 0, 0, b""), u1, a.fee())
    a.tx(a.pool.functions.unstakeCerts(4 * E18, 0, 0, b""), u2, a.fee())
    a.invariants(staked=50 * E18)
    inter0 = a.matic_of(a.intermediary)

    # part of the pending stakes to the intermediary: FIFO, the second stake split at the threshold
    rc = a.tx(a.pool.functions.claimToIntermediary(a.intermediary, 40 * E18), a.operator)
    assert norm(a.events(rc)) == [
        ("MATIC", "Transfer", {"from": L(a.pool.address), "to": L(a.intermediary), "value": 40 * E18}),
        ("PolygonPool", "IntermediaryClaimed", {"stakers": [L(u1), L(u2)], "amounts": [30 * E18, 10 * E18],
                                                "intermediary": L(a.intermediary), "total": 40 * E18}),
    ]
    assert a.matic_of(a.pool.address) == 10 * E18
    assert a.pool.functions.pendingStakesOf(u1).call() == 0 and a.pool.functions.pendingStakesOf(u2).call() == 10 * E18
    assert a.matic_of(a.intermediary) == inter0 + 40 * E18
    a.invariants()

    # serving needs MATIC beyond the pending stakes: 10 pending, 0 spare
    err = a.call_error(a.pool.address, a.pool.encode_abi("serveClaims", args=[1, a.intermediary, 0]), a.operator)
    assert err["message"] == "execution reverted: not enough MATIC tokens to serve claims"
    a.tx(a.matic.functions.transfer(a.pool.address, 9 * E18 + 1), a.intermediary)
    assert a.matic_of(a.pool.address) == 19 * E18 + 1
    rc = a.tx(a.pool.functions.serveClaims(0, a.intermediary, 0), a.operator)
    assert norm(a.events(rc)) == [
        ("MATIC", "Transfer", {"from": L(a.pool.address), "to": L(u1), "value": 5 * E18}),
        ("MATIC", "Transfer", {"from": L(a.pool.address), "to": L(u2), "value": 4 * E18}),
        ("MATIC", "Transfer", {"from": L(a.pool.address), "to": L(a.intermediary), "value": 1}),
        ("PolygonPool", "ClaimsServed", {"claimers": [L(u1), L(u2)], "amounts": [5 * E18, 4 * E18], "missing": 0}),
    ]
    # what remains is exactly the stake still pending
    assert a.matic_of(a.pool.address) == 10 * E18 == a.pool.functions.pendingStakesOf(u2).call()
    assert a.pool.functions.pendingMaticClaimsOf(u1).call() == 0 and a.pool.functions.pendingMaticClaimsOf(u2).call() == 0
    assert a.bonds.functions.pendingBurn(u1).call() == 0 and a.bonds.functions.pendingBurn(u2).call() == 0
    assert a.pool.functions.getPendingClaims().call({"from": a.operator}) == [[], []]
    a.invariants(staked=10 * E18)
