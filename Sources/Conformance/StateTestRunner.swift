import Foundation
import Primitives
import EVM

/// The outcome of one (test, fork, indexes) case.
public struct StateTestCaseResult: Sendable, Equatable {
    /// `file:test:fork:d/g/v`.
    public var name: String
    public var passed: Bool
    /// Why it failed (nil when it passed).
    public var reason: String?

    public init(name: String, passed: Bool, reason: String? = nil) {
        self.name = name; self.passed = passed; self.reason = reason
    }
}

/// Runs state tests like geth's `evm statetest`: each post entry of the chosen fork is one case,
/// executed against a fresh copy of the pre-state.
public enum StateTestRunner {
    /// Executes one transaction; the default is the Cancun EVM without native contracts.
    public typealias Execute = @Sendable (TxEnv, BlockContext, StateBackend) throws(TxError) -> TxResult

    public static let evm: Execute = { (tx: TxEnv, block: BlockContext, backend: StateBackend) throws(TxError) -> TxResult in
        try EVM(block: block).transact(tx, backend: backend)
    }

    /// Every case of `test` for `fork` (none when the test has no entry for it). `file` is the
    /// name the results carry.
    public static func run(_ test: StateTest, name: String, file: String, fork: String,
                           execute: Execute = StateTestRunner.evm) -> [StateTestCaseResult] {
        guard let posts = test.post[fork], !posts.isEmpty else { return [] }
        let pre = MemoryState(test.pre)
        let block = test.env.blockContext
        var preRoot: Hash?
        var out: [StateTestCaseResult] = []
        out.reserveCapacity(posts.count)
        for post in posts {
            let ix = post.indexes
            let caseName = "\(file):\(name):\(fork):\(ix.data)/\(ix.gas)/\(ix.value)"
            func fail(_ why: String) { out.append(StateTestCaseResult(name: caseName, passed: false, reason: why)) }

            // The transaction, or why it is invalid before it reaches the EVM.
            var invalid: String?
            var result: TxResult?
            var state = pre
            do {
                let tx = try test.transaction.txEnv(ix)
                state = pre.copy()
                do { result = try execute(tx, block, state) } catch { invalid = error.message }
            } catch let e as StateTestTransaction.Unencodable {
                invalid = e.description
            } catch {
                fail("malformed case: \(error)")
                continue
            }

            if let invalid {
                guard let expected = post.expectException else { fail("unexpected exception: \(invalid)"); continue }
                // Nothing changed: the post-state is the pre-state.
                let root = preRoot ?? pre.stateRoot
                preRoot = root
                if root != post.hash {
                    fail("root mismatch got \(root.hex) want \(post.hash.hex) (invalid tx, expected \(expected): \(invalid))")
                } else {
                    out.append(StateTestCaseResult(name: caseName, passed: true))
                }
                continue
            }
            guard let result else { continue }
            if let expected = post.expectException {
                fail("expected exception \(expected), got none (status \(describe(result.status)), gas used \(result.gasUsed))")
                continue
            }
            state.apply(result.changes)
            let root = state.stateRoot
            let logs = MemoryState.logsHash(result.logs)
            if root != post.hash {
                fail("root mismatch got \(root.hex) want \(post.hash.hex) (status \(describe(result.status)), gas used \(result.gasUsed))"
                     + (logs != post.logs ? ", logs mismatch too" : ""))
            } else if logs != post.logs {
                fail("logs mismatch got \(logs.hex) want \(post.logs.hex) (\(result.logs.count) logs)")
            } else {
                out.append(StateTestCaseResult(name: caseName, passed: true))
            }
        }
        return out
    }

    /// Every case of one file for `fork`; a file that cannot be read or parsed gives one failed
    /// result named after the file.
    public static func run(file url: URL, name: String, fork: String,
                           execute: Execute = StateTestRunner.evm) -> [StateTestCaseResult] {
        let parsed: StateTestFile
        do { parsed = try StateTestFile(contentsOf: url) } catch {
            return [StateTestCaseResult(name: name, passed: false, reason: "malformed file: \(error)")]
        }
        var out: [StateTestCaseResult] = []
        for (testName, test) in parsed.tests {
            out += run(test, name: testName, file: name, fork: fork, execute: execute)
        }
        return out
    }

    /// The `*.json` files under `paths` (files as given, folders recursively), each with the
    /// name results carry: its path relative to the folder it was found in, or the path as given.
    /// Sorted within each folder; a missing path gives a nil URL (reported as a failure).
    public static func collectFiles(_ paths: [String]) -> [(url: URL?, name: String)] {
        var out: [(url: URL?, name: String)] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { out.append((nil, p)); continue }
            if !isDir.boolValue { out.append((URL(fileURLWithPath: p), p)); continue }
            let base = URL(fileURLWithPath: p).standardizedFileURL
            var found: [(URL, String)] = []
            if let e = fm.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) {
                let prefix = base.path.hasSuffix("/") ? base.path : base.path + "/"
                for case let u as URL in e where u.pathExtension == "json" {
                    let full = u.standardizedFileURL.path
                    let rel = full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : full
                    found.append((u, rel))
                }
            }
            found.sort { $0.1 < $1.1 }
            out += found.map { (url: $0.0, name: $0.1) }
        }
        return out
    }

    /// Runs `files` on up to `threads` threads; `report` gets each file's results in the order of
    /// `files` (serialised, on whichever thread finished the file that completed the prefix).
    public static func run(files: [(url: URL?, name: String)], fork: String, threads: Int = 2,
                           execute: @escaping Execute = StateTestRunner.evm,
                           report: @escaping ([StateTestCaseResult]) -> Void) {
        let box = OrderedResults(count: files.count, report: report)
        let workers = max(1, min(threads, files.count))
        if workers == 0 { return }
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            let t = Thread {
                while let i = box.next() {
                    let f = files[i]
                    let r: [StateTestCaseResult]
                    if let url = f.url {
                        r = run(file: url, name: f.name, fork: fork, execute: execute)
                    } else {
                        r = [StateTestCaseResult(name: f.name, passed: false, reason: "no such file or folder")]
                    }
                    box.finish(i, r)
                }
                group.leave()
            }
            // Deep EVM recursion (1024 call frames) needs more than the default 512 KiB.
            t.stackSize = 64 << 20
            t.start()
        }
        group.wait()
    }

    static func describe(_ s: ExecStatus) -> String {
        switch s {
        case .success: return "success"
        case .revert: return "revert"
        case .halt(let r): return "halt: \(r.message)"
        }
    }
}

/// Hands out file indexes and releases results in index order.
private final class OrderedResults: @unchecked Sendable {  // vars guarded by `lock`; `report` is only called under it
    private let lock = NSLock()
    private var nextIndex = 0
    private var nextReport = 0
    private var pending: [Int: [StateTestCaseResult]] = [:]
    private let count: Int
    private let report: ([StateTestCaseResult]) -> Void

    init(count: Int, report: @escaping ([StateTestCaseResult]) -> Void) { self.count = count; self.report = report }

    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func finish(_ i: Int, _ r: [StateTestCaseResult]) {
        lock.lock(); defer { lock.unlock() }
        pending[i] = r
        while let ready = pending.removeValue(forKey: nextReport) {
            report(ready)
            nextReport += 1
        }
    }
}
