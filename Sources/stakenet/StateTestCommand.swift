import ArgumentParser
import Foundation
import Conformance

/// `stakenet statetest`: runs ethereum/tests GeneralStateTests against the EVM, like geth's
/// `evm statetest`.
struct StateTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statetest",
        abstract: "Run ethereum/tests GeneralStateTests JSON files against the EVM.",
        discussion: """
            Each post entry of the chosen fork is one case. Prints `FAIL <case>: <why>` for every \
            failing case (with --verbose also `PASS <case>`), then `N passed, M failed`. Exits 1 \
            when a case failed. Tests without an entry for the fork are not counted.
            """)

    @Option(help: "Fork whose post entries are checked (only Cancun is implemented).") var fork: String = "Cancun"
    @Flag(help: "Print passing cases too.") var verbose = false
    @Option(help: "Files run at once (at most 2).") var jobs: Int = 2
    @Argument(help: "State-test JSON files, or folders searched recursively for *.json.") var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one file or folder") }
        guard (1...2).contains(jobs) else { throw ValidationError("--jobs must be 1 or 2") }
    }

    func run() throws {
        let files = StateTestRunner.collectFiles(paths)
        var passed = 0, failed = 0
        let out = FileHandle.standardOutput
        StateTestRunner.run(files: files, fork: fork, threads: jobs) { results in
            var text = ""
            for r in results {
                if r.passed {
                    passed += 1
                    if verbose { text += "PASS \(r.name)\n" }
                } else {
                    failed += 1
                    text += "FAIL \(r.name): \(r.reason ?? "failed")\n"
                }
            }
            if !text.isEmpty { out.write(Data(text.utf8)) }
        }
        out.write(Data("\(passed) passed, \(failed) failed\n".utf8))
        if failed > 0 { throw ExitCode(1) }
    }
}
