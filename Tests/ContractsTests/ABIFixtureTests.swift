import XCTest
import Foundation
@testable import Contracts
import Primitives

/// `fixtures/abi/*.json` (used by the web3.py integration tests) must describe exactly what the
/// dispatcher implements. `STAKENET_WRITE_ABI=1 swift test --filter ABIFixtureTests` rewrites
/// them from the contract tables.
final class ABIFixtureTests: XCTestCase {
    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/abi")
    }

    static let files: [(ContractKind, String)] = [
        (.matic, "MATIC.json"), (.pool, "PolygonPool.json"), (.aMATICb, "aMATICb.json"), (.aMATICc, "aMATICc.json"), (.ankr, "ANKR.json"),
    ]

    /// The ABI JSON array for a contract's tables.
    static func render(_ k: ContractKind) -> [[String: Any]] {
        let abi = Dispatcher.abi(k)
        var out: [[String: Any]] = []
        for f in abi.functions {
            out.append([
                "type": "function",
                "name": f.name,
                "inputs": f.inputs.map { ["name": $0.name, "type": $0.type, "internalType": $0.type] },
                "outputs": f.outputs.map { ["name": $0.name, "type": $0.type, "internalType": $0.type] },
                "stateMutability": f.mutability.rawValue,
            ])
        }
        for e in abi.events {
            out.append([
                "type": "event",
                "name": e.name,
                "anonymous": false,
                "inputs": e.inputs.map { ["name": $0.name, "type": $0.type, "internalType": $0.type, "indexed": $0.indexed] as [String: Any] },
            ])
        }
        return out
    }

    /// The file text: one ABI entry per line, keys in a fixed order.
    static func text(_ k: ContractKind) -> String {
        func q(_ s: String) -> String { "\"" + s + "\"" }
        func params(_ ps: [(String, String, Bool?)]) -> String {
            "[" + ps.map { p in
                var fields = [q("name") + ":" + q(p.0), q("type") + ":" + q(p.1), q("internalType") + ":" + q(p.1)]
                if let indexed = p.2 { fields.append(q("indexed") + ":" + (indexed ? "true" : "false")) }
                return "{" + fields.joined(separator: ",") + "}"
            }.joined(separator: ",") + "]"
        }
        let abi = Dispatcher.abi(k)
        var lines: [String] = []
        for f in abi.functions {
            lines.append("{" + [q("type") + ":" + q("function"), q("name") + ":" + q(f.name),
                                q("inputs") + ":" + params(f.inputs.map { ($0.name, $0.type, nil) }),
                                q("outputs") + ":" + params(f.outputs.map { ($0.name, $0.type, nil) }),
                                q("stateMutability") + ":" + q(f.mutability.rawValue)].joined(separator: ",") + "}")
        }
        for e in abi.events {
            lines.append("{" + [q("type") + ":" + q("event"), q("name") + ":" + q(e.name), q("anonymous") + ":false",
                                q("inputs") + ":" + params(e.inputs.map { ($0.name, $0.type, $0.indexed) })].joined(separator: ",") + "}")
        }
        return "[\n  " + lines.joined(separator: ",\n  ") + "\n]\n"
    }

    func testFixturesMatchTheDispatcher() throws {
        let write = ProcessInfo.processInfo.environment["STAKENET_WRITE_ABI"] == "1"
        for (k, file) in Self.files {
            let url = Self.fixtures.appendingPathComponent(file)
            let rendered = Self.render(k)
            if write {
                try Data(Self.text(k).utf8).write(to: url)
            }
            let stored = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]], file)
            XCTAssertEqual(stored as NSArray, rendered as NSArray, "\(file) is out of date (STAKENET_WRITE_ABI=1 rewrites it)")
        }
    }

    /// Independent of the renderer: every function in a fixture is dispatched (its selector
    /// recomputed from the JSON types) with the declared payability, and every event's topic
    /// is one the contract declares.
    func testEveryFixtureFunctionIsDispatched() throws {
        for (k, file) in Self.files {
            let stored = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent(file))) as? [[String: Any]])
            let abi = Dispatcher.abi(k)
            var functions = 0
            for item in stored {
                let name = try XCTUnwrap(item["name"] as? String)
                let inputs = try XCTUnwrap(item["inputs"] as? [[String: Any]])
                let types = inputs.map { $0["type"] as? String ?? "?" }
                for t in types { XCTAssertNotNil(ABIType(t), "\(file) \(name): bad type \(t)") }
                let signature = name + "(" + types.joined(separator: ",") + ")"
                switch item["type"] as? String {
                case "function":
                    functions += 1
                    let f = try XCTUnwrap(abi.function(ABI.selectorValue(signature)), "\(file): \(signature) is not dispatched")
                    XCTAssertEqual(f.signature, signature)
                    XCTAssertEqual(item["stateMutability"] as? String, f.mutability.rawValue, signature)
                    let outputs = (item["outputs"] as? [[String: Any]] ?? []).map { $0["type"] as? String ?? "?" }
                    XCTAssertEqual(outputs, f.outputs.map(\.type), signature)
                case "event":
                    XCTAssertTrue(abi.events.contains { $0.topic == ABI.eventTopic(signature) }, "\(file): event \(signature)")
                default:
                    XCTFail("\(file): unexpected entry \(item)")
                }
            }
            XCTAssertEqual(functions, abi.functions.count, file)
        }
    }

    /// Every event a contract can emit is declared in its ABI (checked on the topics the
    /// contract code uses).
    func testEmittedTopicsAreDeclared() {
        let declared = Set(ContractKind.allCases.flatMap { Dispatcher.abi($0).events.map(\.topic) })
        let used: [Hash] = [Events.transfer, Events.approval, Events.ownershipTransferred, MaticToken.pauserAdded, MaticToken.pauserRemoved,
                            MaticToken.pausedTopic, MaticToken.unpausedTopic, AMaticB.ratioUpdate, AMaticB.certTokenChanged,
                            AMaticB.swapFeeOperatorChanged, AMaticB.swapFeeRatioUpdate, AMaticC.poolContractChanged, AMaticC.bondTokenChanged,
                            PolygonPool.intermediaryClaimed, PolygonPool.maticClaimPending, PolygonPool.claimsServed, PolygonPool.operatorChanged,
                            PolygonPool.bondContractChanged, PolygonPool.minimumStakeChanged, PolygonPool.feeCollectorChanged,
                            PolygonPool.notaryChanged, PolygonPool.ankrTokenAddressChanged, PolygonPool.serveGasLeftChanged,
                            PolygonPool.stakePending, PolygonPool.stakePendingV2, PolygonPool.tokensBurned, PolygonPool.ethFeeCollected,
                            PolygonPool.ethUnstakeFeeChanged]
        for t in used { XCTAssertTrue(declared.contains(t), t.hex) }
    }
}
