"""Native → EVM: PolygonPool pays the ETH unstake fee with Solidity's `payable(feeCollector).send(fee)`
(R7), so when the fee collector is a contract its `receive` code runs, with the 2 300-gas stipend that
`send` gives. A receiver that only logs succeeds (its log lands before EthFeeCollected, in execution
order); one that writes storage runs out of gas inside the stipend, `send` answers false and the unstake
reverts with the pool's own reason — all undone, as on mainnet.
"""
from web3 import Web3

from support import DEV, vyper_compile
from test_contracts import ARGS, E18, Ankr

LOGGING_RECEIVER = """
# pragma version ~=0.4.0
event Paid:
    sender: indexed(address)
    amount: uint256

@external
@payable
def __default__():
    log Paid(msg.sender, msg.value)
"""

STORING_RECEIVER = """
# pragma version ~=0.4.0
total: public(uint256)

@external
@payable
def __default__():
    self.total += msg.value
"""


def deploy(a: Ankr, source: str):
    out = vyper_compile(source)
    c = a.w3.eth.contract(abi=out["abi"], bytecode=out["bytecode"])
    h = c.constructor().transact({"from": DEV[0].address})
    rc = a.w3.eth.wait_for_transaction_receipt(h)
    assert rc["status"] == 1
    return a.w3.eth.contract(address=rc["contractAddress"], abi=out["abi"])


def test_fee_collector_contract_runs_its_receive_within_the_send_stipend(node):
    a = Ankr(node(ARGS))
    user = DEV[1].address
    receiver = deploy(a, LOGGING_RECEIVER)
    a.tx(a.pool.functions.setFeeCollector(receiver.address), a.operator)
    a.stake_bonds(user, 10 * E18)
    fee = a.fee()
    rc = a.tx(a.pool.functions.unstakeBonds(E18, 0, 0, b""), user, fee)
    assert a.node.balance(receiver.address) == fee
    paid = Web3.keccak(text="Paid(address,uint256)")
    fee_collected = Web3.keccak(text="EthFeeCollected(address,uint256)")
    topics0 = [bytes(l["topics"][0]) for l in rc["logs"]]
    # the receiver's log, emitted inside `send`, comes first; the pool's EthFeeCollected follows
    assert topics0[0] == paid and topics0[1] == fee_collected
    assert Web3.to_checksum_address(rc["logs"][0]["address"]) == receiver.address
    assert int.from_bytes(bytes(rc["logs"][0]["topics"][1])[-20:], "big") == int(a.pool.address, 16)
    # the call tracer shows the receive as a CALL under the pool's frame
    trace = a.node.rpc("debug_traceTransaction", rc["transactionHash"].hex() if not isinstance(rc["transactionHash"], str)
                       else rc["transactionHash"], {"tracer": "callTracer"})
    pool_frame = trace
    assert pool_frame["to"].lower() == a.pool.address.lower()
    sub = [c for c in pool_frame.get("calls", []) if c["to"].lower() == receiver.address.lower()]
    assert sub and int(sub[0]["gas"], 16) == 2_300 and int(sub[0]["value"], 16) == fee


def test_fee_collector_that_needs_more_than_the_stipend_makes_the_unstake_revert(node):
    a = Ankr(node(ARGS))
    user = DEV[1].address
    receiver = deploy(a, STORING_RECEIVER)
    a.tx(a.pool.functions.setFeeCollector(receiver.address), a.operator)
    a.stake_bonds(user, 10 * E18)
    fee = a.fee()
    bonds0, eth_receiver0 = a.bonds.functions.balanceOf(user).call(), a.node.balance(receiver.address)
    rc = a.send(a.pool.functions.unstakeBonds(E18, 0, 0, b""), user, fee, gas=500_000)
    assert rc["status"] == 0
    assert a.bonds.functions.balanceOf(user).call() == bonds0
    assert a.node.balance(receiver.address) == eth_receiver0 and receiver.functions.total().call() == 0
    try:
        a.pool.functions.unstakeBonds(E18, 0, 0, b"").call({"from": user, "value": fee})
        raise AssertionError("the unstake should revert")
    except Exception as e:  # web3's ContractLogicError carries the reason
        assert "could not transfer unstake fee" in str(e)
