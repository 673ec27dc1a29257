// libFuzzer target: EIP-712 typed data (`eth_signTypedData_v4`'s document, which any dApp can
// send): JSON parsing, type-string parsing, dependency collection (cycles), encodeType,
// encodeData/hashStruct, domain separator and digest (Sources/RPC/Methods/EIP712.swift).
//
// Properties: no trap, no runaway recursion; the digest is 32 bytes and deterministic; every
// struct type's encodeType starts with its own name and its typeHash is keccak(encodeType).
import Primitives

@_cdecl("LLVMFuzzerTestOneInput")
public func eip712FuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes: [UInt8] = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    guard let doc = try? JSON.parse(bytes) else { return 0 }
    // Also as MetaMask sends it: the document inside a JSON string.
    for input in [doc, JSON.string(doc.jsonString)] {
        let td: EIP712TypedData
        do { td = try EIP712TypedData(json: input) } catch {
            check(!error.message.isEmpty, "empty TypedDataError")
            continue
        }
        for name in td.types.keys.sorted() {
            guard let enc = td.encodeType(name) else { continue }
            check(enc.hasPrefix(name + "("), "encodeType(\(name)) = \(enc)")
            check(td.typeHash(name) == Hash.keccak(Array(enc.utf8)).bytes, "typeHash(\(name)) is not keccak(encodeType)")
        }
        if let d = try? td.digest() {
            check(d.count == 32, "digest of \(d.count) bytes")
            check((try? td.digest()) == d, "digest not deterministic")
        }
        _ = try? td.domainSeparator()
        _ = try? td.hashStruct(td.primaryType, td.message)
    }
    return 0
}

/// `precondition` whose message survives -O (libFuzzer shows it with the crash).
@inline(__always) func check(_ cond: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !cond { fatalError(message(), file: file, line: line) }
}
