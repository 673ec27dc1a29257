// swift-tools-version:6.0
import PackageDescription
import Foundation

// Dependencies point one way: RPC → Chain → Contracts/Storage → Primitives.
var targets: [Target] = [
    .systemLibrary(name: "CSecp256k1", path: "Sources/CSecp256k1",
                   providers: [.apt(["libsecp256k1-dev"])]),
    .systemLibrary(name: "CLevelDB", path: "Sources/CLevelDB",
                   providers: [.apt(["libleveldb-dev"])]),
    // UInt256, Address, Hash, hex, keccak, RLP, Merkle-Patricia root, ABI.
    .target(name: "Primitives"),
    // secp256k1 signatures, BIP-39 / BIP-32 key derivation.
    .target(name: "EthCrypto", dependencies: [
        "Primitives", "CSecp256k1", .product(name: "Crypto", package: "swift-crypto"),
    ]),
    // The EVM: interpreter, gas, precompiles, the journaled state and the host seam that
    // native (Swift) contracts plug into.
    .target(name: "EVM", dependencies: [
        "Primitives", "EthCrypto",
        .product(name: "Crypto", package: "swift-crypto"),
    ], swiftSettings: [
        // Release builds check exclusive access statically only: the interpreter's frames,
        // stack and journal are class instances, and the dynamic checks (a runtime call on
        // every property access) dominated CALL-heavy bytecode. Debug builds — the unit tests,
        // the state-test unit runs — keep them and trap on a violation.
        .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
    ]),
    // ethereum/tests GeneralStateTests: parsing, in-memory pre-state, post-state roots, the runner.
    .target(name: "Conformance", dependencies: ["EVM", "Primitives", "EthCrypto"]),
    // LevelDB and the multi-version state.
    .target(name: "Storage", dependencies: ["Primitives", "CLevelDB"]),
    // The five emulated contracts, their dispatcher and gas table.
    .target(name: "Contracts", dependencies: ["Primitives", "EthCrypto"]),
    // Transactions, blocks, receipts, txpool, mining, clock, fees.
    .target(name: "Chain", dependencies: ["Primitives", "EthCrypto", "Storage", "Contracts", "EVM"]),
    // Ankr's off-chain operator: rebases and claim serving.
    .target(name: "Operator", dependencies: ["Primitives", "EthCrypto", "Contracts", "Chain"]),
    // JSON-RPC: transport, method table, errors, filters, subscriptions.
    .target(name: "RPC", dependencies: [
        "Primitives", "EthCrypto", "Chain", "Contracts", "Operator", "EVM",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
    ]),
    .executableTarget(name: "stakenet", dependencies: [
        "RPC", "Chain", "Operator", "EthCrypto", "Primitives", "Conformance",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
    ]),
    // Helpers the test targets share: the shared vectors' location, a seeded generator.
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "PrimitivesTests", dependencies: ["Primitives", "TestSupport"]),
    // EVM: the TransactionTests vectors run the EVM's stateless validation (`EVM.validateStateless`).
    .testTarget(name: "EthCryptoTests", dependencies: ["EthCrypto", "Primitives", "EVM", "TestSupport"]),
    .testTarget(name: "EVMTests", dependencies: ["EVM", "Primitives", "EthCrypto", "TestSupport"]),
    .testTarget(name: "ConformanceTests", dependencies: ["Conformance", "EVM", "Primitives", "EthCrypto", "TestSupport"]),
    .testTarget(name: "StorageTests", dependencies: ["Storage", "Primitives", "TestSupport"]),
    .testTarget(name: "ContractsTests", dependencies: ["Contracts", "Primitives", "EthCrypto"]),
    .testTarget(name: "ChainTests", dependencies: ["Chain", "Contracts", "Primitives", "EthCrypto", "Storage"]),
    .testTarget(name: "OperatorTests", dependencies: ["Operator", "Chain", "Contracts", "Primitives", "Storage", "EthCrypto"]),
    .testTarget(name: "RPCTests", dependencies: ["RPC", "Chain", "Primitives", "TestSupport"]),
]

// Development aid: STAKENET_ONLY="Primitives,Storage" builds just those targets (and their
// tests), so work on a low module does not compile the HTTP stack. Unset in normal use.
if let only = ProcessInfo.processInfo.environment["STAKENET_ONLY"], !only.isEmpty {
    let keep = Set(only.split(separator: ",").map(String.init)).union(["CSecp256k1", "CLevelDB", "TestSupport"])
    targets = targets.filter { keep.contains($0.name) || keep.contains($0.name.replacingOccurrences(of: "Tests", with: "")) }
}

let package = Package(
    name: "stakenet",
    platforms: [.macOS(.v14)],
    products: targets.contains(where: { $0.name == "stakenet" }) ? [.executable(name: "stakenet", targets: ["stakenet"])] : [],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)
