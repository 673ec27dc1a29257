// libFuzzer target: the EVM interpreter (Sources/EVM) through its public entry point,
// `EVM.transact`, on a dictionary-backed `StateBackend`. Everything a transaction can reach is
// fuzz bytes: the called contract's code, the calldata, a second contract's code, the gas
// limit, value, fees, and a tiny native (Swift) contract behind the `NativeCode` seam.
//
// Input layout (every field zero-filled past the end of the input):
//   [flags] [fees] [len1 hi] [len1 lo] code1 (len1 bytes) [n] calldata (n bytes) code2 (the rest)
//   flags  bits 0-2  gas limit: intrinsic + {0, 3k, 30k, 100k, 300k, 1M, 2M, 3M} (3M of CALL-heavy code
//                    takes seconds under ASan: more would trip libFuzzer's 10 s timeout)
//          bits 3-4  value: {0, 0, 1 wei, 1 ether}
//          bit  5    code2 is installed at 0x2000 (code1 is always at 0x1000)
//          bit  6    a second transaction follows, on the state the first left, to 0x2000
//                    (or 0x1000 again without code2)
//          bit  7    the first transaction is a creation with code1 as init code
//   fees   bits 0-1  base fee {0, 1, 7, 1 gwei}; bits 2-3 tip {0, 1, 2, 1 gwei};
//          bit  4    fee cap base + tip/2 (the tip paid is capped by it); bit 5 eth_call's options
//          bit  6    the native contract is installed at 0x4e41; bit 7 0x1000 starts with 1 ether
//
// Properties checked for every transaction (any violation is a crash with a message):
//   - no trap, and no TxError (the harness only builds transactions that pass validation);
//   - 0 < gasUsed ≤ gasLimit, gasRefunded ≤ (gasUsed + gasRefunded) / 5;
//   - a halt (neither success nor revert) used all the gas, returns nothing, refunds nothing;
//   - a revert or halt leaves no logs, no storage, no code, no account change but the
//     sender's (nonce + 1, fee) and the coinbase's (tip) (accounts a reverted frame wrote may be
//     listed in `changes`, with their old values);
//   - the sender's nonce goes up by one; its balance drops by exactly gasUsed × price on
//     failure, and by gasUsed × price + value on success when no contract holds ETH it could
//     send back (otherwise by an amount between gasUsed × price and that);
//   - ETH is conserved: the total drops by gasUsed × baseFee, plus (success only) what
//     SELFDESTRUCT of a contract created in the same transaction burned, at most the ETH
//     contracts and the value held;
//   - every account the transaction leaves with code has that code stored;
//   - running the same transaction again on the same state gives an identical result.
// FUZZ_TRACE=1 prints each transaction's parameters and result.
import EVM
import Primitives
#if canImport(Glibc)
import Glibc
#endif

/// `fputs(s, stderr)` without Glibc's `stderr` global, a shared mutable var to Swift 6.
func printToStderr(_ s: String) { _ = s.withCString { write(2, $0, strlen($0)) } }

// MARK: state

final class FuzzBackend: StateBackend {
    var accounts: [Address: EVMAccount] = [:]
    var codes: [Hash: [UInt8]] = [:]
    var slots: [SlotKey: UInt256] = [:]

    func account(_ a: Address) -> EVMAccount? { accounts[a] }
    func code(_ h: Hash) -> [UInt8] { codes[h] ?? [] }
    func storage(_ a: Address, _ s: UInt256) -> UInt256 { slots[SlotKey(a, s)] ?? .zero }
    func hasStorage(_ a: Address) -> Bool { slots.keys.contains { $0.address == a } }

    func install(_ a: Address, code: [UInt8], balance: UInt256 = .zero) {
        let h = code.isEmpty ? EVMAccount.emptyCodeHash : Hash.keccak(code)
        if !code.isEmpty { codes[h] = code }
        accounts[a] = EVMAccount(nonce: 1, balance: balance, codeHash: h)
    }

    /// What the chain does with a transaction's changes.
    func apply(_ c: StateChanges) {
        for (h, code) in c.codes { codes[h] = code }
        for (a, acct) in c.accounts {
            if let acct { accounts[a] = acct } else {
                accounts[a] = nil
                slots = slots.filter { $0.key.address != a }
            }
        }
        for (a, s) in c.storage { for (k, v) in s { slots[SlotKey(a, k)] = v.isZero ? nil : v } }
    }

    func copy() -> FuzzBackend {
        let b = FuzzBackend()
        b.accounts = accounts; b.codes = codes; b.slots = slots
        return b
    }

    var totalBalance: UInt256 { accounts.values.reduce(UInt256.zero) { $0 + $1.balance } }
    /// ETH that code could move: the balances of accounts with code.
    var contractFunds: UInt256 {
        accounts.values.reduce(UInt256.zero) { $1.codeHash == EVMAccount.emptyCodeHash ? $0 : $0 + $1.balance }
    }
}

/// A native contract at 0x4e41, so the fuzzer also crosses the EVM ↔ Swift seam, both ways. The
/// first input byte picks what it does: 0 write slot input[1] := caller (and log), 1 revert with
/// the input, 2 run out of gas, 3 write then revert (the EVM must undo the write), 5 call back
/// into the EVM through `NativeHost` (to 0x1000 + 0x1000·(input[1] & 1), passing on the value it
/// received and input[2...]), else read.
final class FuzzNatives: NativeCode, Sendable {
    static let address = Address(truncating: UInt256(UInt64(0x4e41)))
    func isNative(_ a: Address) -> Bool { a == FuzzNatives.address }
    func call(_ c: NativeCall, state: EVMState, block: BlockContext, host: NativeHost) -> NativeOutcome {
        let cost: UInt64 = 2_600
        guard c.gas >= cost else { return NativeOutcome(status: .outOfGas, output: [], gasUsed: c.gas) }
        let op = c.input.first ?? 4
        let arg = c.input.count > 1 ? c.input[1] : 0
        let slot = UInt256(UInt64(arg))
        switch op {
        case 0, 3:
            if c.isStatic { return NativeOutcome(status: .writeProtection, output: [], gasUsed: c.gas) }
            state.setStorage(c.address, slot, c.caller.value)
            state.addLog(Log(address: c.address, topics: [Hash(slot)], data: Array(c.input.prefix(64))))
            if op == 3 { return NativeOutcome(status: .revert, output: [0x08, 0xc3, 0x79, 0xa0], gasUsed: cost) }
            return NativeOutcome(status: .success, output: c.caller.value.bytes32, gasUsed: cost)
        case 1:
            return NativeOutcome(status: .revert, output: Array(c.input.prefix(100)), gasUsed: cost)
        case 2:
            return NativeOutcome(status: .outOfGas, output: [], gasUsed: c.gas)
        case 5:
            if c.isStatic && !c.value.isZero { return NativeOutcome(status: .writeProtection, output: [], gasUsed: c.gas) }
            let to = arg & 1 == 0 ? first : second
            let r = host.call(from: c.address, to: to, value: c.value, input: Array(c.input.dropFirst(2)),
                              gas: min(c.gas - cost, 200_000))
            check(r.gasUsed <= min(c.gas - cost, 200_000), "NativeHost.call used \(r.gasUsed) gas of \(min(c.gas - cost, 200_000))")
            return NativeOutcome(status: r.success ? .success : .revert, output: r.output, gasUsed: cost + r.gasUsed)
        default:
            return NativeOutcome(status: .success, output: state.storage(c.address, slot).bytes32 + c.value.bytes32, gasUsed: cost)
        }
    }
}

struct FuzzReader {
    let b: [UInt8]
    var i = 0
    mutating func byte() -> UInt8 { guard i < b.count else { return 0 }; defer { i += 1 }; return b[i] }
    mutating func bytes(_ n: Int) -> [UInt8] {
        let k = max(0, min(n, b.count - i))
        defer { i += k }
        return Array(b[i..<(i + k)])
    }
    mutating func rest() -> [UInt8] { bytes(b.count - i) }
}

// MARK: constants

let sender = Address(hex: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")!   // dev account 0 (public test key)
let coinbase = Address(hex: "0xc0ffee0000000000000000000000000000c0ffee")!
let first = Address(truncating: UInt256(UInt64(0x1000)))
let second = Address(truncating: UInt256(UInt64(0x2000)))
let ripemd = Address(truncating: UInt256(UInt64(3)))
let gwei = UInt256(UInt64(1_000_000_000))
let ether = UInt256(UInt64(1_000_000_000_000_000_000))
let gasExtras: [UInt64] = [0, 3_000, 30_000, 100_000, 300_000, 1_000_000, 2_000_000, 3_000_000]
let values: [UInt256] = [.zero, .zero, .one, ether]
let baseFees: [UInt256] = [.zero, .one, UInt256(UInt64(7)), gwei]
let tips: [UInt256] = [.zero, .one, UInt256(UInt64(2)), gwei]
let trace = getenv("FUZZ_TRACE") != nil
let natives = FuzzNatives()

/// `precondition` whose message survives -O (libFuzzer shows it with the crash).
@inline(__always) func check(_ cond: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !cond { fatalError(message(), file: file, line: line) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func evmFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var r = FuzzReader(b: size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    let flags = r.byte(), fees = r.byte()
    let len1 = Int(r.byte()) << 8 | Int(r.byte())
    let code1 = r.bytes(len1)
    let calldata = r.bytes(Int(r.byte()))
    let code2 = r.rest()

    let backend = FuzzBackend()
    backend.accounts[sender] = EVMAccount(nonce: 0, balance: ether * UInt256(UInt64(1_000_000)))
    backend.install(first, code: code1, balance: fees & 0x80 != 0 ? ether : .zero)
    if flags & 0x20 != 0 { backend.install(second, code: code2) }
    if fees & 0x40 != 0 { backend.install(FuzzNatives.address, code: [0xfe]) }

    let base = baseFees[Int(fees & 3)]
    let tip = tips[Int(fees >> 2 & 3)]
    let maxFee = fees & 0x10 != 0 ? base + tip / UInt256(UInt64(2)) : base + tip
    let block = BlockContext(number: 300, timestamp: 1_700_000_000, coinbase: coinbase, gasLimit: 30_000_000, baseFee: base,
                             prevRandao: Hash.keccak([0x52]), chainId: 31337, blobBaseFee: .one,
                             blockHash: { n in n < 300 && n >= 300 - 256 ? Hash.keccak(UInt256(n).bytes32) : nil })
    let evm = EVM(block: block, natives: fees & 0x40 != 0 ? natives : nil)
    let options: TransactOptions = fees & 0x20 != 0 ? .call : .transaction
    let value = values[Int(flags >> 3 & 3)]
    let extra = gasExtras[Int(flags & 7)]

    let isCreate = flags & 0x80 != 0
    let data1 = isCreate ? code1 : calldata
    var tx = TxEnv(caller: sender, to: isCreate ? nil : first, nonce: 0, value: value, data: data1,
                   gasLimit: EVM.intrinsicGas(data: data1, isCreate: isCreate, accessList: []) + extra,
                   maxFeePerGas: maxFee, maxPriorityFeePerGas: min(tip, maxFee))
    if isCreate && data1.count > 49_152 { return 0 }   // refused up front (max init code size), not interesting
    runAndCheck(evm, tx, backend, options)

    if flags & 0x40 != 0 {
        tx.to = flags & 0x20 != 0 ? second : first
        tx.nonce = 1
        tx.data = calldata
        tx.gasLimit = EVM.intrinsicGas(data: calldata, isCreate: false, accessList: []) + extra
        runAndCheck(evm, tx, backend, options)
    }
    return 0
}

/// Runs `tx` twice on `backend`, checks every property, and applies the changes.
func runAndCheck(_ evm: EVM, _ tx: TxEnv, _ backend: FuzzBackend, _ options: TransactOptions) {
    let before = backend.copy()
    let result = transactOrDie(evm, tx, backend, options, "unexpected TxError for a valid transaction")
    let again = transactOrDie(evm, tx, backend, options, "the same transaction threw on its second run")
    if trace {
        printToStderr("tx to \(tx.to?.hex ?? "create") value \(tx.value) gas \(tx.gasLimit) data \(Hex.encode(tx.data)) -> "
              + "\(result.status) gasUsed \(result.gasUsed) refund \(result.gasRefunded) output \(Hex.encode(result.output)) "
              + "logs \(result.logs.count) accounts \(result.changes.accounts.count) storage \(result.changes.storage.count)\n")
    }
    check(sameResult(result, again), "non-deterministic: two runs of one transaction differ (\(result.status) vs \(again.status))")

    let price = result.effectiveGasPrice
    let tip = price - evm.block.baseFee
    check(result.gasUsed > 0 && result.gasUsed <= tx.gasLimit, "gasUsed \(result.gasUsed) outside (0, \(tx.gasLimit)]")
    check(result.gasRefunded <= (result.gasUsed + result.gasRefunded) / 5,
          "refund \(result.gasRefunded) above a fifth of \(result.gasUsed + result.gasRefunded)")
    let failed: Bool
    switch result.status {
    case .success: failed = false
    case .revert: failed = true
    case .halt(let reason):
        failed = true
        check(result.gasUsed == tx.gasLimit, "halt (\(reason.message)) used \(result.gasUsed) of \(tx.gasLimit) gas")
        check(result.output.isEmpty, "halt (\(reason.message)) returned \(result.output.count) bytes")
        check(result.gasRefunded == 0, "halt refunded \(result.gasRefunded)")
    }
    if tx.to != nil { check(result.contractAddress == nil, "a call reported a created contract") }
    if failed {
        check(result.logs.isEmpty, "\(result.status) kept \(result.logs.count) logs")
        check(result.changes.storage.isEmpty, "\(result.status) changed storage of \(result.changes.storage.keys.map(\.hex))")
        check(result.changes.codes.isEmpty, "\(result.status) stored code")
        check(result.contractAddress == nil, "\(result.status) reported a created contract")
        // Accounts a reverted frame wrote may still be listed, but with the values they had.
        // The RIPEMD-160 touch survives a revert (the mainnet quirk); it can only delete an empty 0x03.
        for (a, acct) in result.changes.accounts where a != sender && a != coinbase && acct != before.accounts[a] {
            check(a == ripemd && acct == nil && (before.accounts[a]?.isEmpty ?? true),
                  "\(result.status) changed account \(a.hex): \(String(describing: before.accounts[a])) -> \(String(describing: acct))")
        }
    }

    let after = before.copy()
    after.apply(result.changes)
    let s0 = before.accounts[sender]!, s1 = after.accounts[sender] ?? EVMAccount()
    check(s1.nonce == s0.nonce + 1, "sender nonce \(s0.nonce) -> \(s1.nonce)")
    check(s1.codeHash == s0.codeHash, "sender code changed")
    // The sender: s1 = s0 − fee − value (success only) + what contracts sent it, and only ETH the
    // contracts held before, or the value itself, can come back.
    let fee = UInt256(result.gasUsed) * price
    let funds = before.contractFunds
    let paidValue = failed ? UInt256.zero : tx.value
    if failed || (funds.isZero && tx.value.isZero) {
        check(s1.balance + fee + paidValue == s0.balance,
              "\(result.status): sender balance \(s0.balance) -> \(s1.balance), want − gasUsed × price (\(fee)) − value paid (\(paidValue))")
    } else {
        check(s1.balance + fee + tx.value >= s0.balance && s1.balance + fee <= s0.balance + funds,
              "success: sender balance \(s0.balance) -> \(s1.balance), fee \(fee), value \(tx.value), contracts held \(funds)")
    }
    let cb0 = before.accounts[coinbase]?.balance ?? .zero, cb1 = after.accounts[coinbase]?.balance ?? .zero
    let tipPaid = UInt256(result.gasUsed) * tip
    if failed {
        check(cb1 == cb0 + tipPaid, "\(result.status): coinbase got \(cb1 &- cb0), gasUsed × tip is \(tipPaid)")
    } else {
        check(cb1 >= cb0 + tipPaid, "coinbase got \(cb1 &- cb0), less than gasUsed × tip \(tipPaid)")
    }
    // Conservation: only the base fee leaves, plus ETH burnt by a contract created in this
    // transaction that self-destructs to itself (EIP-6780), which then shows as a deleted account.
    let burnt = UInt256(result.gasUsed) * evm.block.baseFee
    let t0 = before.totalBalance, t1 = after.totalBalance
    check(t1 + burnt <= t0, "ETH created: total \(t0) -> \(t1), base fee burnt \(burnt)")
    let lost = t0 - t1 - burnt
    let deleted = result.changes.accounts.filter { $0.value == nil }.map(\.key)
    if failed || deleted.isEmpty {
        check(lost.isZero, "\(result.status): \(lost) wei vanished beyond the base fee (no account was deleted)")
    } else {
        let held = deleted.reduce(funds + tx.value) { $0 + (before.accounts[$1]?.balance ?? .zero) }
        check(lost <= held, "\(lost) wei vanished, more than the contracts, deleted accounts and value held (\(held))")
    }
    for (a, acct) in after.accounts where acct.codeHash != EVMAccount.emptyCodeHash {
        check(after.codes[acct.codeHash] != nil, "\(a.hex) has code hash \(acct.codeHash.hex) but no code stored")
    }
    for (a, acct) in result.changes.accounts { if let acct { check(acct.nonce >= (before.accounts[a]?.nonce ?? 0), "\(a.hex) nonce went down") } }
    backend.apply(result.changes)
}

func transactOrDie(_ evm: EVM, _ tx: TxEnv, _ backend: FuzzBackend, _ options: TransactOptions, _ what: String) -> TxResult {
    let r: Result<TxResult, TxError> = Result { () throws(TxError) -> TxResult in try evm.transact(tx, backend: backend, options: options) }
    switch r {
    case .success(let v): return v
    case .failure(let e): fatalError("\(what): \(e.message)")
    }
}

func sameResult(_ a: TxResult, _ b: TxResult) -> Bool {
    a.status == b.status && a.gasUsed == b.gasUsed && a.gasRefunded == b.gasRefunded && a.output == b.output
        && a.logs == b.logs && a.contractAddress == b.contractAddress && a.effectiveGasPrice == b.effectiveGasPrice
        && a.changes.accounts == b.changes.accounts && a.changes.storage == b.changes.storage && a.changes.codes == b.changes.codes
}
