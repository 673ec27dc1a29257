import ArgumentParser
import Foundation
import RPC

/// Anvil's command-line names and value forms that stakenet accepts beside its own: host lists
/// and `ANVIL_IP_ADDR`, named chains, fractional block times, `--order`, `--hardfork`, and the
/// fork flags (refused with a message, since stakenet never forks).
enum AnvilOptions {
    /// `--host a,b --host c`, else `$ANVIL_IP_ADDR` (same form), else 127.0.0.1.
    static func hosts(_ given: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let raw = given.isEmpty ? (environment["ANVIL_IP_ADDR"].map { [$0] } ?? []) : given
        let list = raw.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var seen = Set<String>(), out: [String] = []
        for h in list where seen.insert(h).inserted { out.append(h) }
        return out.isEmpty ? ["127.0.0.1"] : out
    }

    /// Chain names Anvil's `--chain` takes that a local devnet may reasonably pretend to be.
    static let namedChains: [String: UInt64] = [
        "mainnet": 1, "ethereum": 1, "sepolia": 11_155_111, "holesky": 17_000, "hoodi": 560_048,
        "polygon": 137, "matic": 137, "amoy": 80_002, "optimism": 10, "arbitrum": 42_161, "base": 8_453,
        "bsc": 56, "gnosis": 100, "anvil": 31_337, "dev": 31_337, "localhost": 31_337,
    ]

    /// `--chain-id`/`--chain`: a decimal or 0x number, or a known chain name.
    static func chainId(_ text: String) -> UInt64? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t.hasPrefix("0x") { return UInt64(t.dropFirst(2), radix: 16) }
        return UInt64(t) ?? namedChains[t]
    }

    /// `-b/--block-time/--blockTime` in seconds, fractions allowed (`0.5`), as nanoseconds.
    static func blockTimeNanos(_ text: String) -> UInt64? {
        guard let s = Double(text.trimmingCharacters(in: .whitespaces)), s.isFinite, s >= 0, s <= 1e9 else { return nil }
        return UInt64((s * 1e9).rounded())
    }

    /// `--order`: Anvil's mempool orderings. Returns whether blocks take the highest fee cap first.
    static func orderByFees(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "fees": return true
        case "fifo": return false
        default: return nil
        }
    }

    /// `--hardfork`: stakenet runs Cancun's rules (plus CLZ), so only names that mean Cancun are
    /// accepted; anything else is refused with a message saying so.
    static func checkHardfork(_ name: String) throws {
        let n = name.lowercased()
        if ["cancun", "latest"].contains(n) { return }
        let known = ["frontier", "homestead", "dao", "tangerine", "tangerinewhistle", "spuriousdragon", "byzantium",
                     "constantinople", "petersburg", "istanbul", "muirglacier", "berlin", "london", "arrowglacier",
                     "grayglacier", "paris", "merge", "shanghai", "prague", "osaka", "amsterdam"]
        if known.contains(n) {
            throw ValidationError("--hardfork \(name): stakenet implements Cancun's rules only (EIP-4844 opcodes, EIP-1153, EIP-5656, EIP-6780, plus CLZ); use --hardfork cancun or leave it out")
        }
        throw ValidationError("--hardfork \(name): unknown hardfork (stakenet runs cancun)")
    }

    /// The fork flags Anvil has: stakenet emulates the contracts natively and never forks.
    static func refuseFork(_ url: String?) throws {
        guard let url else { return }
        throw ValidationError("--fork-url \(url): stakenet does not fork a remote chain; it emulates Ankr's MATIC staking contracts natively at their mainnet addresses (see --addresses), and your own contracts deploy and run on its EVM")
    }

    /// Servers for the hosts after the first, on the same port and with the same settings.
    static func startExtraServers(hosts: [String], port: Int, methods: MethodTable, like base: RPCServerConfig) async throws -> [RPCServer] {
        var servers: [RPCServer] = []
        for h in hosts.dropFirst() {
            var c = base
            c.host = h
            c.port = port
            let s = RPCServer(config: c, methods: methods)
            do { _ = try await s.start() } catch {
                for s in servers { await s.stop() }
                throw ValidationError("cannot listen on \(h):\(port): \(error)")
            }
            servers.append(s)
        }
        return servers
    }
}
