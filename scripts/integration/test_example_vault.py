"""The worked examples in fixtures/examples, deployed on stakenet and driven through JSON-RPC with web3.py:

- StakingVault.vy takes MATIC, stakes it through PolygonPool.stakeAndClaimCerts, holds the aMATICc, prices its
  shares from aMATICc.ratio() and exits through PolygonPool.unstakeCertsFor(user, …) paying the ETH unstake fee,
  so Ankr's operator pays the MATIC straight to the user after the unbonding period;
- MaticPool.vy is a constant-product aMATICc/MATIC market with a 0.3 % fee.

The node runs with its default operator (`--operator auto`) on a fixed clock: a warp rebases once per day, as
Ankr's backend does on mainnet, and serves the claims that fall due.
"""
from math import isqrt
from pathlib import Path

import pytest
from eth_abi import decode, encode
from web3 import Web3
from web3.logs import DISCARD

from support import AnkrSession, DEV, ETHER, q, same_address, vyper_compile

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "fixtures" / "examples"
GENESIS = 1_700_000_000
ARGS = ["--no-wall-clock", "--timestamp", str(GENESIS)]      # the operator: auto, the default
DAY = 86_400
WEEK = 7 * DAY
E18 = ETHER
ERROR_SELECTOR = "0x08c379a0"


def error_data(reason):
    return ERROR_SELECTOR + encode(["string"], [reason]).hex()


def ceil_div(a, b):
    return -(-a // b)


def ratio_after(ratio, n, apr=450, interval=DAY):
    """The operator's rebase (README): ratio·1e18 / (1e18 + apr·1e14·interval/31 536 000), n times."""
    growth = apr * 10**14 * interval // 31_536_000
    for _ in range(n):
        ratio = ratio * E18 // (E18 + growth)
    return ratio


@pytest.fixture(scope="session")
def examples():
    out = {}
    for name in ("StakingVault", "MaticPool"):
        c = vyper_compile(EXAMPLES / f"{name}.vy")
        out[name] = (c["abi"], c["bytecode"])
    return out


class World(AnkrSession):
    """The node, Ankr's contracts through their ABIs, and the examples deployed by DEV[0]."""

    def __init__(self, node, examples):
        super().__init__(node)
        self.fee_collector = Web3.to_checksum_address(node.config["operator"]["feeCollector"])
        self.vault = self.deploy(examples["StakingVault"], self.matic.address, self.pool.address, self.certs.address)
        self.amm = self.deploy(examples["MaticPool"], self.certs.address, self.matic.address)

    def deploy(self, build, *args):
        abi, bytecode = build
        h = self.w3.eth.contract(abi=abi, bytecode=bytecode).constructor(*args).transact({"from": DEV[0].address})
        rc = self.w3.eth.wait_for_transaction_receipt(h, timeout=30)
        assert rc["status"] == 1, rc
        return self.w3.eth.contract(address=rc["contractAddress"], abi=abi)

    # transactions (AnkrSession's send/tx/stake_*: the node signs and estimates the gas)
    def deposit(self, user, amount):
        self.tx(self.matic.functions.approve(self.vault.address, amount), user)
        return self.tx(self.vault.functions.deposit(amount), user)

    def warp(self, seconds):
        return self.node.rpc("stakenet_warp", seconds)

    # reads
    def ratio(self):
        """aMATICc per 1e18 MATIC, over RPC from aMATICc itself."""
        return self.certs.functions.ratio().call()

    def matic_of(self, a):
        return self.matic.functions.balanceOf(a).call()

    def certs_of(self, a):
        return self.certs.functions.balanceOf(a).call()

    def head_ts(self):
        return q(self.node.rpc("eth_getBlockByNumber", "latest", False)["timestamp"])

    def events(self, contract, rc, name):
        return [dict(e["args"]) for e in getattr(contract.events, name)().process_receipt(rc, errors=DISCARD)
                if same_address(e["address"], contract.address)]


@pytest.fixture
def world(node, examples):
    return World(node(ARGS), examples)


# -- the vault ------------------------------------------------------------------------------------------------------

def test_deposits_stake_through_the_pool_and_value_follows_the_ratio(world):
    w = world
    alice, bob = DEV[1].address, DEV[2].address
    v = w.vault.functions
    assert w.ratio() == E18

    # alice at ratio 1: 100 aMATICc for 100 MATIC, 100 shares
    a_in = 100 * E18
    alice0 = w.matic_of(alice)
    rc = w.deposit(alice, a_in)
    assert w.events(w.vault, rc, "Deposit") == [{"owner": alice, "assets": a_in, "certs": a_in, "shares": a_in}]
    # the native calls ran with the vault as msg.sender: it pulled alice's MATIC, the pool pulled the vault's
    assert w.events(w.matic, rc, "Transfer") == [{"from": alice, "to": w.vault.address, "value": a_in},
                                                 {"from": w.vault.address, "to": w.pool.address, "value": a_in}]
    assert w.events(w.pool, rc, "StakePending") == [{"staker": w.vault.address, "amount": a_in}]
    assert w.matic_of(alice) == alice0 - a_in and w.matic_of(w.vault.address) == 0
    assert w.matic.functions.allowance(w.vault.address, w.pool.address).call() == 0
    assert w.certs_of(w.vault.address) == a_in and v.balanceOf(alice).call() == a_in

    # three days of rewards, then bob at a ratio below 1: ceil(amount·ratio/1e18) aMATICc
    w.warp(3 * DAY)
    r1 = w.ratio()
    assert r1 == ratio_after(E18, 3) and r1 < E18
    b_in = 250 * E18 + 123_456_789
    rc = w.deposit(bob, b_in)
    b_certs = ceil_div(b_in * r1, E18)
    # shares in proportion to the aMATICc the deposit added: supply·received/before
    b_shares = b_certs * a_in // a_in
    assert w.events(w.vault, rc, "Deposit") == [{"owner": bob, "assets": b_in, "certs": b_certs, "shares": b_shares}]
    assert w.certs_of(w.vault.address) == a_in + b_certs
    assert v.totalSupply().call() == a_in + b_shares == v.totalCerts().call()

    # thirty days: thirty rebases in one block
    w.warp(30 * DAY)
    r = w.ratio()
    assert r == ratio_after(r1, 30) < r1
    certs = w.certs_of(w.vault.address)
    supply = v.totalSupply().call()
    assert v.ratio().call() == r
    assert v.totalAssets().call() == certs * E18 // r
    assert v.pricePerShare().call() == E18 * certs // supply * E18 // r == E18 * E18 // r
    for user, shares in ((alice, a_in), (bob, b_shares)):
        assert v.balanceOf(user).call() == shares
        assert v.certsOf(shares).call() == shares * certs // supply
        assert v.convertToAssets(shares).call() == shares * certs // supply * E18 // r
    # and it did grow: 33 days at 4.5 % APR on alice's 100 MATIC is about 0.41 MATIC
    gain = v.convertToAssets(a_in).call() - a_in
    assert abs(gain - a_in * 450 * 33 // 10_000 // 365) < 10**15
    # the vault's value is what aMATICc itself says its certificates are worth
    assert v.totalAssets().call() == w.certs.functions.balanceWithRewardsOf(w.vault.address).call()


def test_withdrawal_unbonds_and_pays_the_user_after_seven_days(world):
    w = world
    alice, bob = DEV[1].address, DEV[2].address
    v = w.vault.functions
    w.deposit(alice, 100 * E18)
    w.deposit(bob, 40 * E18)
    w.warp(30 * DAY)
    r = w.ratio()
    assert r == ratio_after(E18, 30)
    fee = w.pool.functions.ethUnstakeFee().call()
    assert fee == 25 * 10**15
    pps = v.pricePerShare().call()
    assert pps == E18 * E18 // r

    # the fee is the pool's: without it the pool's reason reaches alice
    shares = 60 * E18 + 5
    err = w.node.rpc_error("eth_call", {"from": alice, "to": w.vault.address,
                                        "data": v.withdraw(shares)._encode_transaction_data()}, "latest")
    reason = "PolygonPool: not enough ETH to pay fee"
    assert err == {"code": 3, "message": f"execution reverted: {reason}", "data": error_data(reason)}, err

    certs_before = w.certs_of(w.vault.address)
    supply = v.totalSupply().call()
    certs = shares * certs_before // supply
    owed = certs * E18 // r
    fc0, alice_eth0, alice_matic0 = w.node.balance(w.fee_collector), w.node.balance(alice), w.matic_of(alice)
    rc = w.tx(v.withdraw(shares), alice, value=fee)
    assert w.events(w.vault, rc, "Withdraw") == [{"owner": alice, "shares": shares, "certs": certs, "assets": owed,
                                                  "fee": fee}]
    # the pool saw the vault as the staker and payer, and queued the claim for alice
    assert w.events(w.pool, rc, "EthFeeCollected") == [{"claimer": w.vault.address, "amount": fee}]
    assert w.events(w.pool, rc, "MaticClaimPending") == [{"claimer": alice, "amount": owed}]
    burned = w.events(w.pool, rc, "TokensBurned")
    assert len(burned) == 1 and same_address(burned[0]["staker"], w.vault.address)
    assert burned[0]["amount"] == owed and burned[0]["shares"] == certs and burned[0]["isRebasing"] is False
    assert w.node.balance(w.fee_collector) == fc0 + fee
    assert w.node.balance(alice) == alice_eth0 - fee - rc["gasUsed"] * rc["effectiveGasPrice"]
    assert w.node.balance(w.vault.address) == 0
    assert w.certs_of(w.vault.address) == certs_before - certs
    assert v.balanceOf(alice).call() == 100 * E18 - shares and v.totalSupply().call() == supply - shares
    assert w.pool.functions.pendingMaticClaimsOf(alice).call() == owed
    assert w.pool.functions.pendingMaticClaimsOf(w.vault.address).call() == 0
    # the holders who stay keep their value per share
    assert v.pricePerShare().call() == pps
    queued_at = w.w3.eth.get_block(rc["blockNumber"])["timestamp"]

    # one second before the end of the unbonding period nothing is paid
    w.warp(queued_at + WEEK - 1 - w.head_ts())
    assert w.matic_of(alice) == alice_matic0
    assert w.pool.functions.pendingMaticClaimsOf(alice).call() == owed
    # at the deadline Ankr's operator pays alice directly, whatever the ratio did meanwhile
    assert w.warp(1) == queued_at + WEEK
    assert w.matic_of(alice) == alice_matic0 + owed
    assert w.pool.functions.pendingMaticClaimsOf(alice).call() == 0
    assert w.matic_of(w.vault.address) == 0
    # bob's share of the vault is untouched and worth more by the week's rewards
    r2 = w.ratio()
    assert r2 < r
    assert v.convertToAssets(40 * E18).call() == 40 * E18 * w.certs_of(w.vault.address) // v.totalSupply().call() \
        * E18 // r2


def test_native_revert_reason_reaches_the_eoa_that_called_the_vault(world):
    w = world
    alice = DEV[3].address
    minimum = w.pool.functions.getMinimumStake().call()
    assert minimum == E18
    amount = minimum - 1
    w.tx(w.matic.functions.approve(w.vault.address, amount), alice)
    fn = w.vault.functions.deposit(amount)
    reason = "Value must be greater than min amount"
    want = {"code": 3, "message": f"execution reverted: {reason}", "data": error_data(reason)}
    call = {"from": alice, "to": w.vault.address, "data": fn._encode_transaction_data()}
    assert w.node.rpc_error("eth_call", call, "latest") == want
    assert w.node.rpc_error("eth_estimateGas", call) == want

    matic0, eth0 = w.matic_of(alice), w.node.balance(alice)
    rc = w.send(fn, alice, gas=600_000)
    assert rc["status"] == 0 and rc["logs"] == []
    assert w.node.balance(alice) == eth0 - rc["gasUsed"] * rc["effectiveGasPrice"]
    # the MATIC the vault had pulled before the pool refused went back with the revert
    assert w.matic_of(alice) == matic0 and w.matic_of(w.vault.address) == 0
    assert w.matic.functions.allowance(alice, w.vault.address).call() == amount
    assert w.vault.functions.totalSupply().call() == 0 and w.certs_of(w.vault.address) == 0
    # the minimum itself is accepted
    w.tx(w.matic.functions.approve(w.vault.address, minimum), alice)
    rc = w.tx(w.vault.functions.deposit(minimum), alice)
    assert w.events(w.vault, rc, "Deposit") == [{"owner": alice, "assets": minimum, "certs": minimum, "shares": minimum}]


# -- traces: the native contracts' calls to one another are frames of their own -------------------------------

def sel(signature):
    return "0x" + Web3.keccak(text=signature)[:4].hex().removeprefix("0x")


def args(frame, types):
    return list(decode(types, bytes.fromhex(frame["input"][10:])))


def given(parent_gas, used_before):
    """The gas a nested native frame gets: what its caller has left less 1/64 (README, Tracing)."""
    left = parent_gas - used_before
    return left - left // 64


def check_gas(frame):
    """Each frame's nested calls together use no more than it does, and none is given more than it had."""
    kids = frame.get("calls", [])
    assert sum(q(k["gasUsed"]) for k in kids) <= q(frame["gasUsed"]) <= q(frame["gas"])
    for k in kids:
        assert q(k["gas"]) <= q(frame["gas"])
        check_gas(k)


TRANSFER_TOPIC = "0x" + Web3.keccak(text="Transfer(address,address,uint256)").hex().removeprefix("0x")


def test_call_tracer_shows_the_native_frames_of_a_vault_deposit(world):
    """vault → PolygonPool.stakeAndClaimCerts → MATIC.transferFrom, aMATICb.mintBonds (→ aMATICc.mint),
    aMATICb.unlockSharesFor (→ aMATICc.bondTransferTo): each native-to-native call is a frame with Solidity's calldata, return data and the
    callee's gas-table figure, its events in it."""
    w = world
    alice, amount = DEV[3].address, 5 * E18
    vault, pool = w.vault.address.lower(), w.pool.address.lower()
    matic, bonds, certs = w.matic.address.lower(), w.bonds.address.lower(), w.certs.address.lower()
    w.tx(w.matic.functions.approve(w.vault.address, amount), alice)
    rc = w.tx(w.vault.functions.deposit(amount), alice)
    trace = w.node.rpc("debug_traceTransaction", w.w3.to_hex(rc["transactionHash"]),
                       {"tracer": "callTracer", "tracerConfig": {"withLog": True}})
    assert q(trace["gasUsed"]) == rc["gasUsed"]
    check_gas(trace)
    # the vault's own calls: balanceOf, transferFrom, approve, stakeAndClaimCerts, balanceOf
    top = trace["calls"]
    assert [(c["type"], c["to"], c["input"][:10]) for c in top] == [
        ("STATICCALL", certs, sel("balanceOf(address)")),
        ("CALL", matic, sel("transferFrom(address,address,uint256)")),
        ("CALL", matic, sel("approve(address,uint256)")),
        ("CALL", pool, sel("stakeAndClaimCerts(uint256)")),
        ("STATICCALL", certs, sel("balanceOf(address)")),
    ]
    stake = top[3]
    assert stake["from"] == vault and args(stake, ["uint256"]) == [amount]
    assert stake["output"] == "0x" and "error" not in stake
    assert q(stake["gasUsed"]) == 198_000                         # PolygonPool.stakeAndClaimCerts in the gas table
    # the pool's calls, as the Solidity makes them (CALL, msg.sender the pool, value 0)
    pulled, minted, unlocked = stake["calls"]
    for c in (pulled, minted, unlocked):
        assert c["type"] == "CALL" and c["from"] == pool and q(c["value"]) == 0 and "error" not in c
    assert pulled["to"] == matic and pulled["input"][:10] == sel("transferFrom(address,address,uint256)")
    assert [a.lower() if isinstance(a, str) else a for a in args(pulled, ["address", "address", "uint256"])] == \
        [vault, pool, amount]
    assert pulled["output"] == "0x" + encode(["bool"], [True]).hex()
    assert minted["to"] == bonds and minted["input"][:10] == sel("mintBonds(address,uint256)")
    assert [args(minted, ["address", "uint256"])[0].lower(), args(minted, ["address", "uint256"])[1]] == [vault, amount]
    assert minted["output"] == "0x"
    assert unlocked["to"] == bonds and unlocked["input"][:10] == sel("unlockSharesFor(address,uint256)")
    assert args(unlocked, ["address", "uint256"])[1] == amount and unlocked["output"] == "0x"
    [moved] = unlocked["calls"]                                   # aMATICb → aMATICc.bondTransferTo(vault, shares)
    assert (moved["type"], moved["from"], moved["to"]) == ("CALL", bonds, certs)
    assert moved["input"][:10] == sel("bondTransferTo(address,uint256)")
    assert args(moved, ["address", "uint256"])[0].lower() == vault
    assert args(moved, ["address", "uint256"])[1] == amount       # ratio 1e18 at genesis: shares = bonds
    [locked] = minted["calls"]                                    # aMATICb → aMATICc.mint(aMATICb, shares): the backing
    assert (locked["type"], locked["from"], locked["to"]) == ("CALL", bonds, certs)
    assert locked["input"][:10] == sel("mint(address,uint256)")
    assert [args(locked, ["address", "uint256"])[0].lower(), args(locked, ["address", "uint256"])[1]] == [bonds, amount]
    assert "calls" not in pulled and "calls" not in locked and "calls" not in moved
    # gas: the callee's figure, given what the caller had left less 1/64
    assert [q(c["gasUsed"]) for c in (pulled, minted, locked, unlocked, moved)] == [38_000, 62_000, 30_000, 38_000, 34_000]
    g = q(stake["gas"])
    assert [q(c["gas"]) for c in (pulled, minted, unlocked)] == [given(g, 0), given(g, 38_000), given(g, 100_000)]
    assert q(locked["gas"]) == given(q(minted["gas"]), 0) and q(moved["gas"]) == given(q(unlocked["gas"]), 0)
    # events sit in the frame that emitted them; the pool's two come after mintBonds
    assert TRANSFER_TOPIC in [l["topics"][0] for l in pulled["logs"]]
    assert [l["topics"][0] for l in minted["logs"]] == [TRANSFER_TOPIC]
    assert [l["address"] for l in moved["logs"]] == [certs] and moved["logs"][0]["topics"][0] == TRANSFER_TOPIC
    assert [l["address"] for l in locked["logs"]] == [certs]
    assert [(l["address"], l["position"]) for l in stake["logs"]] == [(pool, "0x2"), (pool, "0x2")]
    # unlockSharesFor moves the vault's shares to aMATICb (its Transfer) before it calls aMATICc
    assert [(l["address"], l["topics"][0], l["position"]) for l in unlocked["logs"]] == [(bonds, TRANSFER_TOPIC, "0x0")]
    # the receipt holds the same events in the same order
    flat = []

    def walk(f):
        logs, calls = f.get("logs", []), f.get("calls", [])
        for i in range(len(calls) + 1):
            flat.extend(l["topics"] for l in logs if q(l["position"]) == i)
            if i < len(calls):
                walk(calls[i])
    walk(trace)
    assert flat == [[w.w3.to_hex(t) for t in l["topics"]] for l in rc["logs"]]


def test_call_tracer_shows_a_nested_native_revert_in_its_frame(world):
    """PolygonPool.unstakeCerts by an account without aMATICc: aMATICb.lockSharesFor, called by the pool, reverts
    with "Insufficient aMATICc balance" after its aMATICc.balanceOf; the revert bubbles up through the pool."""
    w = world
    alice = DEV[4].address
    fee = w.pool.functions.ethUnstakeFee().call()
    data = w.pool.functions.unstakeCerts(E18, 0, 0, b"")._encode_transaction_data()
    call = {"from": alice, "to": w.pool.address, "data": data, "value": hex(fee), "gas": hex(500_000)}
    trace = w.node.rpc("debug_traceCall", call, "latest", {"tracer": "callTracer"})
    reason = "Insufficient aMATICc balance"
    assert trace["error"] == "execution reverted" and trace["revertReason"] == reason
    ratio, lock = trace["calls"]
    assert (ratio["type"], ratio["to"], ratio["input"][:10]) == ("STATICCALL", w.bonds.address.lower(),
                                                                  sel("sharesToBalance(uint256)"))
    assert "value" not in ratio and "error" not in ratio and q(ratio["output"]) == E18 and q(ratio["gasUsed"]) == 7_600
    assert (lock["type"], lock["to"], lock["input"][:10]) == ("CALL", w.bonds.address.lower(),
                                                               sel("lockSharesFor(address,uint256)"))
    assert lock["error"] == "execution reverted" and lock["revertReason"] == reason
    assert lock["output"] == error_data(reason)
    [balance] = lock["calls"]
    assert (balance["type"], balance["from"], balance["to"]) == ("STATICCALL", w.bonds.address.lower(),
                                                                  w.certs.address.lower())
    assert args(balance, ["address"])[0].lower() == alice.lower() and q(balance["output"]) == 0 and "error" not in balance
    # a revert uses 5 000 of its own on top of what its nested calls used, within its figure
    assert q(balance["gasUsed"]) == 7_500                          # aMATICc.balanceOf
    assert q(lock["gasUsed"]) == 5_000 + 7_500                     # aMATICb.lockSharesFor reverted
    intrinsic = 21_000 + sum(4 if b == 0 else 16 for b in bytes.fromhex(data[2:]))
    assert q(trace["gasUsed"]) == intrinsic + 5_000 + 7_600 + 12_500
    check_gas(trace)
    # the same gas as a mined transaction
    rc = w.send(w.pool.functions.unstakeCerts(E18, 0, 0, b""), alice, value=fee, gas=500_000)
    assert rc["status"] == 0 and rc["gasUsed"] == q(trace["gasUsed"])


# -- the AMM --------------------------------------------------------------------------------------------------------

def amount_out(amount_in, reserve_in, reserve_out):
    with_fee = amount_in * 997
    return with_fee * reserve_out // (reserve_in * 1000 + with_fee)


def test_amm_swaps_move_reserves_by_the_constant_product(world):
    w = world
    lp_user, trader = DEV[4].address, DEV[5].address
    amm = w.amm.functions
    w.warp(5 * DAY)                                   # a ratio below 1: aMATICc is worth more than MATIC
    r = w.ratio()
    w.stake_certs(lp_user, 500 * E18)
    w.stake_certs(trader, 50 * E18)
    certs_lp = w.certs_of(lp_user)
    assert certs_lp == ceil_div(500 * E18 * r, E18)

    # liquidity at the staking price: certs : matic = ratio : 1e18
    c_in = 400 * E18
    m_in = c_in * E18 // r
    w.tx(w.certs.functions.approve(w.amm.address, 2**256 - 1), lp_user)
    w.tx(w.matic.functions.approve(w.amm.address, 2**256 - 1), lp_user)
    rc = w.tx(amm.addLiquidity(c_in, m_in), lp_user)
    lp = isqrt(c_in * m_in)
    assert w.events(w.amm, rc, "AddLiquidity") == [{"provider": lp_user, "certs": c_in, "matic": m_in, "lp": lp}]
    assert w.events(w.certs, rc, "Transfer") == [{"from": lp_user, "to": w.amm.address, "value": c_in}]
    assert w.events(w.matic, rc, "Transfer") == [{"from": lp_user, "to": w.amm.address, "value": m_in}]
    assert (amm.reserveCerts().call(), amm.reserveMatic().call()) == (c_in, m_in)
    assert amm.balanceOf(lp_user).call() == lp == amm.totalSupply().call()

    w.tx(w.certs.functions.approve(w.amm.address, 2**256 - 1), trader)
    w.tx(w.matic.functions.approve(w.amm.address, 2**256 - 1), trader)
    rc_, rm = c_in, m_in
    swaps = [("certs", 10 * E18 + 3), ("matic", 25 * E18 + 11), ("certs", 7 * 10**17), ("matic", 1)]
    for side, amount in swaps:
        trader_c, trader_m = w.certs_of(trader), w.matic_of(trader)
        k0 = rc_ * rm
        if side == "certs":
            out = amount_out(amount, rc_, rm)
            assert amm.getAmountOut(amount, True).call() == out
            rc = w.tx(amm.swapCertsForMatic(amount, out), trader)
            assert w.events(w.amm, rc, "Swap") == [{"trader": trader, "certsIn": amount, "maticIn": 0, "certsOut": 0,
                                                    "maticOut": out}]
            assert w.events(w.certs, rc, "Transfer") == [{"from": trader, "to": w.amm.address, "value": amount}]
            assert w.events(w.matic, rc, "Transfer") == [{"from": w.amm.address, "to": trader, "value": out}]
            rc_, rm = rc_ + amount, rm - out
            assert (w.certs_of(trader), w.matic_of(trader)) == (trader_c - amount, trader_m + out)
        else:
            out = amount_out(amount, rm, rc_)
            assert amm.getAmountOut(amount, False).call() == out
            rc = w.tx(amm.swapMaticForCerts(amount, out), trader)
            assert w.events(w.amm, rc, "Swap") == [{"trader": trader, "certsIn": 0, "maticIn": amount, "certsOut": out,
                                                    "maticOut": 0}]
            assert w.events(w.matic, rc, "Transfer") == [{"from": trader, "to": w.amm.address, "value": amount}]
            assert w.events(w.certs, rc, "Transfer") == [{"from": w.amm.address, "to": trader, "value": out}]
            rm, rc_ = rm + amount, rc_ - out
            assert (w.certs_of(trader), w.matic_of(trader)) == (trader_c + out, trader_m - amount)
        assert (amm.reserveCerts().call(), amm.reserveMatic().call()) == (rc_, rm)
        assert (w.certs_of(w.amm.address), w.matic_of(w.amm.address)) == (rc_, rm)
        assert rc_ * rm >= k0                        # the fee stays in the pool

    # slippage protection and a native reason, both reaching the trader
    amount = 5 * E18
    out = amount_out(amount, rc_, rm)
    fn = amm.swapCertsForMatic(amount, out + 1)
    err = w.node.rpc_error("eth_call", {"from": trader, "to": w.amm.address, "data": fn._encode_transaction_data()},
                           "latest")
    assert err == {"code": 3, "message": "execution reverted: MaticPool: slippage", "data": error_data("MaticPool: slippage")}
    broke = DEV[6].address
    w.tx(w.certs.functions.approve(w.amm.address, 2**256 - 1), broke)
    fn = amm.swapCertsForMatic(amount, 0)
    err = w.node.rpc_error("eth_call", {"from": broke, "to": w.amm.address, "data": fn._encode_transaction_data()},
                           "latest")
    reason = "ERC20: transfer amount exceeds balance"            # aMATICc's, from inside transferFrom
    assert err == {"code": 3, "message": f"execution reverted: {reason}", "data": error_data(reason)}

    # the provider takes everything back, pro rata
    supply = amm.totalSupply().call()
    half = lp // 2
    c_out, m_out = half * rc_ // supply, half * rm // supply
    lp_c, lp_m = w.certs_of(lp_user), w.matic_of(lp_user)
    rc = w.tx(amm.removeLiquidity(half), lp_user)
    assert w.events(w.amm, rc, "RemoveLiquidity") == [{"provider": lp_user, "certs": c_out, "matic": m_out, "lp": half}]
    assert (w.certs_of(lp_user), w.matic_of(lp_user)) == (lp_c + c_out, lp_m + m_out)
    assert (amm.reserveCerts().call(), amm.reserveMatic().call()) == (rc_ - c_out, rm - m_out)
