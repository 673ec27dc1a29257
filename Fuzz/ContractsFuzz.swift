// libFuzzer target: the emulated contracts' ABI decoding and dispatch (`NativeContracts.call`),
// run as a sequence of transactions on an in-memory WorldState. Compiled into one module with
// Sources/Contracts/*.swift, so it can read the dispatcher's function tables.
//
// The input is a program: each call takes
//   [contract] [caller] [value kind] [function] (4 raw selector bytes when function >= 0xF0)
//   then one word kind (+ operand bytes) per head word, then [n] and n raw tail bytes.
// Word kinds produce the values contracts care about (holder addresses, token amounts,
// 0, max, powers of two, ABI offsets, raw words), so the fuzzer reaches deep paths quickly.
//
// Properties: no trap; a revert's data is empty, Error(string) or Panic(uint256); a call that
// reverts leaves its writes to be dropped (the harness restores the snapshot, as the chain
// does); a view/pure function writes nothing; after every successful call the books balance:
// MATIC, ANKR and aMATICc balances of every address the program could reach sum to the
// token's totalSupply, aMATICb shares sum to totalSharesSupply, and
// aMATICc.totalSupply == aMATICb.totalSharesSupply.
import Primitives
import EthCrypto
#if canImport(Glibc)
import Glibc
#endif

final class FuzzState: WorldState {
    struct Key: Hashable { let contract: Address; let slot: Hash }
    var balances: [Address: UInt256] = [:]
    var slots: [Key: UInt256] = [:]
    func balance(of account: Address) -> UInt256 { balances[account] ?? .zero }
    func setBalance(_ value: UInt256, of account: Address) { balances[account] = value.isZero ? nil : value }
    func storage(_ contract: Address, _ slot: Hash) -> UInt256 { slots[Key(contract: contract, slot: slot)] ?? .zero }
    func setStorage(_ contract: Address, _ slot: Hash, _ value: UInt256) {
        slots[Key(contract: contract, slot: slot)] = value.isZero ? nil : value
    }
}

struct FuzzInput {
    let b: [UInt8]
    var i = 0
    var atEnd: Bool { i >= b.count }
    mutating func byte() -> UInt8 { guard i < b.count else { return 0 }; defer { i += 1 }; return b[i] }
    mutating func bytes(_ n: Int) -> [UInt8] {
        let k = min(n, b.count - i)
        defer { i += k }
        return Array(b[i..<(i + k)]) + [UInt8](repeating: 0, count: n - k)
    }
}

let e18 = UInt256(1_000_000_000_000_000_000 as UInt64)

/// `fputs(s, stderr)` without Glibc's `stderr` global, a shared mutable var to Swift 6.
func printToStderr(_ s: String) { _ = s.withCString { write(2, $0, strlen($0)) } }

struct World {
    let contracts: NativeContracts
    var state = FuzzState()
    let users: [Address]
    let op: Address
    let feeCollector = Address(truncating: UInt256(0xfee01))
    let intermediary = Address(truncating: UInt256(0xa11))
    let callers: [Address]
    var tracked: Set<Address>

    init() {
        let keys = (1...4).map { Array(repeating: UInt8(0), count: 31) + [UInt8($0)] }
        users = keys.map { try! Secp256k1.address(privateKey: $0) }
        op = try! Secp256k1.address(privateKey: Array(repeating: 0, count: 31) + [0xA0])
        contracts = NativeContracts(addresses: .mainnet,
                                    roles: Roles(operator: op, feeCollector: feeCollector, intermediary: intermediary))
        contracts.genesis(state: state, holders: users, maticEach: UInt256(100_000) * e18, ankrEach: UInt256(100_000) * e18,
                          intermediaryReserve: UInt256(1_000_000) * e18)
        let a = ContractAddresses.mainnet
        callers = users + [op, feeCollector, intermediary, .zero, a.pool, a.aMATICb, a.aMATICc, a.matic, a.ankr]
        for c in callers { state.setBalance(UInt256(1_000) * e18, of: c) }
        tracked = Set(callers)
    }

    /// A copy with its own state (genesis is computed once; inputs start from a copy of it).
    func copy() -> World {
        var w = self
        w.state = FuzzState()
        w.state.balances = state.balances
        w.state.slots = state.slots
        return w
    }
}

nonisolated(unsafe) let genesisWorld = World()  // libFuzzer runs inputs on one thread, and only copy() reads it

let kinds = ContractKind.allCases
/// FUZZ_TRACE=1: print each call (for reading a crash input: `FUZZ_TRACE=1 .build-fuzz/contracts crash-…`).
let trace = getenv("FUZZ_TRACE") != nil

@_cdecl("LLVMFuzzerTestOneInput")
public func contractsFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(b: size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    var w = genesisWorld.copy()
    var block: UInt64 = 100
    var calls = 0
    var crossChecked = true
    while !input.atEnd && calls < 64 {
        calls += 1
        let kind = kinds[Int(input.byte()) % kinds.count]
        let to = w.contracts.addresses.all[kinds.firstIndex(of: kind)!].address
        check(w.contracts.addresses.kind(of: to) == kind, "address order")
        let caller = w.callers[Int(input.byte()) % w.callers.count]
        let value: UInt256
        switch input.byte() % 8 {
        case 0: value = w.contracts.ethUnstakeFee(state: w.state)
        case 1: value = .one
        case 2: value = UInt256(bigEndian: input.bytes(8))!
        default: value = .zero
        }
        let abi = Dispatcher.abi(kind)
        var calldata: [UInt8]
        var function: FunctionDef?
        let f = input.byte()
        if f >= 0xF0 {
            calldata = input.bytes(4)
            function = abi.function(UInt32(calldata[0]) << 24 | UInt32(calldata[1]) << 16 | UInt32(calldata[2]) << 8 | UInt32(calldata[3]))
        } else {
            let fn = abi.functions[Int(f) % abi.functions.count]
            function = fn
            calldata = [UInt8(fn.selector >> 24), UInt8(fn.selector >> 16 & 0xff), UInt8(fn.selector >> 8 & 0xff), UInt8(fn.selector & 0xff)]
        }
        let words = function?.inputs.count ?? Int(input.byte() % 4)
        for _ in 0..<words {
            let word = makeWord(&input, &w)
            calldata += word.bytes32
            w.tracked.insert(Address(truncating: word))
        }
        let tail = Int(input.byte())
        if tail >= 0xE0 {
            calldata.removeLast(min(calldata.count, tail - 0xDF))   // truncated calldata
        } else if tail > 0 {
            calldata += input.bytes(tail)
        }
        _ = w.contracts.describe(to: to, calldata: calldata)

        // The transaction: value moves first; everything is dropped on revert.
        let before = (w.state.balances, w.state.slots)
        if !value.isZero {
            let bal = w.state.balance(of: caller)
            guard bal >= value else { continue }   // the chain refuses such a transaction up front
            w.state.setBalance(bal - value, of: caller)
            w.state.setBalance(w.state.balance(of: to) + value, of: to)
        }
        let ctx = CallContext(caller: caller, origin: caller, value: value, blockNumber: block,
                              timestamp: 1_700_000_000 + block * 12, chainId: 31337)
        let r = w.contracts.call(to: to, calldata: calldata, context: ctx, state: w.state)
        if trace {
            printToStderr("call \(calls): \(caller.short) -> \(w.contracts.describe(to: to, calldata: calldata) ?? "?") value \(value) "
                  + "calldata \(calldata.hex) -> \(r.success ? "ok" : "revert") \(r.output.hex)\n")
        }
        block += UInt64(input.byte() % 3)
        if !r.success {
            check(r.logs.isEmpty, "logs on revert")
            check(r.output.isEmpty || ABI.decodeRevertReason(r.output) != nil || ABI.decodePanicCode(r.output) != nil,
                         "malformed revert data \(r.output.hex) for \(kind.label) \(calldata.hex)")
            w.state.balances = before.0
            w.state.slots = before.1
            continue
        }
        if let fn = function, fn.mutability == .view || fn.mutability == .pure {
            check(w.state.balances == before.0 && w.state.slots == before.1,
                         "\(kind.label).\(fn.signature) is \(fn.mutability) but wrote state")
        } else if w.state.slots != before.1 {
            // An admin call by the owner/operator, or anything done as a contract address
            // (impersonated), may legitimately rewire the contracts; from then on only the
            // per-token books are checked, not aMATICc supply == aMATICb shares.
            if caller == w.op && !(function.map { operatorDuties.contains($0.name) } ?? false) { crossChecked = false }
            if w.contracts.isContract(caller) { crossChecked = false }
            checkBooks(w, cross: crossChecked)
        }
    }
    return 0
}

func makeWord(_ input: inout FuzzInput, _ w: inout World) -> UInt256 {
    let k = input.byte()
    switch k % 10 {
    case 0: return UInt256(UInt64(input.byte()))
    case 1: return w.callers[Int(input.byte()) % w.callers.count].value
    case 2: return UInt256(UInt64(input.byte())) * e18 / UInt256(4)
    case 3: return UInt256.max
    case 4: return UInt256.max - UInt256(UInt64(input.byte()))
    case 5: return UInt256(bigEndian: input.bytes(32))!
    case 6: return UInt256(32) * UInt256(UInt64(input.byte() % 8))
    case 7: return UInt256.one << (Int(input.byte()) % 256)
    case 8: return UInt256(bigEndian: input.bytes(4))! * UInt256(1_000_000_000)
    default: return .zero
    }
}

func view(_ w: World, _ to: Address, _ sig: String, _ args: [ABIValue] = []) -> UInt256 {
    let r = w.contracts.call(to: to, calldata: try! ABI.encodeCall(sig, args),
                             context: CallContext(caller: .zero, origin: .zero, value: .zero, blockNumber: 0, timestamp: 0, chainId: 31337),
                             state: w.state)
    check(r.success && r.output.count >= 32, "\(sig) failed: \(r.output.hex)")
    return UInt256(bigEndian: r.output.prefix(32))!
}

/// What the operator does day to day (and ordinary user actions): none of it may unbalance
/// aMATICc supply against aMATICb shares.
let operatorDuties: Set<String> = [
    "updateRatio", "updateRatioAndFee", "serveClaims", "claimToIntermediary", "transfer", "approve", "transferFrom",
    "increaseAllowance", "decreaseAllowance", "stake", "stakeAndClaimBonds", "stakeAndClaimCerts", "unstake",
    "unstakeBonds", "unstakeCerts", "lockShares", "unlockShares", "pause", "unpause", "setNameAndSymbol",
    "setMinimumStake", "setEthUnstakeFee", "setServeGasLeft", "setFeeCollector", "setNotary",
]

func checkBooks(_ w: World, cross: Bool) {
    let a = w.contracts.addresses
    for token in [a.matic, a.ankr, a.aMATICc] {
        var sum = UInt256.zero
        for h in w.tracked {
            let (s, o) = sum.addingReportingOverflow(view(w, token, "balanceOf(address)", [.address(h)]))
            check(!o, "balances overflow")
            sum = s
        }
        let total = view(w, token, "totalSupply()")
        check(sum == total, "\(a.name(of: token)!): balances sum to \(sum), totalSupply is \(total)")
    }
    var shares = UInt256.zero
    for h in w.tracked { shares = shares + w.contracts.aMATICbShares(of: h, state: w.state) }
    let totalShares = w.contracts.aMATICbTotalShares(state: w.state)
    check(shares == totalShares, "aMATICb shares sum to \(shares), totalSharesSupply is \(totalShares)")
    if cross {
        check(w.contracts.aMATICcTotalSupply(state: w.state) == totalShares, "aMATICc.totalSupply != aMATICb.totalSharesSupply")
    }
}

/// `precondition` whose message survives -O (libFuzzer shows it with the crash).
@inline(__always) func check(_ cond: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !cond { fatalError(message(), file: file, line: line) }
}
