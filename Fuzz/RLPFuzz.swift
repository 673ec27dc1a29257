// libFuzzer target: the RLP decoder (Sources/Primitives/RLP.swift).
//
// Properties checked on every input (a violation traps, which libFuzzer reports as a crash):
// - no input makes the generic decoder or the reader trap;
// - the decoder is strict, so whatever it accepts re-encodes to exactly the input;
// - the zero-copy reader, walked recursively, sees the same tree as the generic decoder;
// - a byte string that decodes as an integer re-encodes to the same bytes.
import Primitives

@_cdecl("LLVMFuzzerTestOneInput")
public func rlpFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes: [UInt8] = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let generic: RLP.Item?
    do {
        let item = try RLP.decode(bytes)
        let again = RLP.encode(item)
        check(again == bytes, "RLP round trip: \(bytes.hex) decoded, re-encoded as \(again.hex)")
        generic = item
    } catch {
        _ = error.description
        generic = nil
    }
    // The reader, item by item.
    var r = RLPReader(bytes)
    if !bytes.isEmpty, let walked = try? walk(&r, depth: 0) {
        let finished = (try? r.finish()) != nil
        if finished {
            check(generic == walked, "RLPReader and RLP.decode disagree on \(bytes.hex)")
        }
    }
    if generic == nil, !bytes.isEmpty {
        // The generic decoder refused: a full reader walk that ends cleanly must refuse too.
        var r2 = RLPReader(bytes)
        if let _ = try? walk(&r2, depth: 0), (try? r2.finish()) != nil {
            fatalError("RLPReader accepted what RLP.decode refused: \(bytes.hex)")
        }
    }
    return 0
}

/// Reads one item with the cursor API (peekIsList / readList / readBytes / integers).
private func walk(_ r: inout RLPReader, depth: Int) throws(RLPError) -> RLP.Item {
    if try r.peekIsList() {
        guard depth < RLP.maxDepth else { throw .tooDeep }
        var sub = try r.readList()
        var items: [RLP.Item] = []
        while !sub.isAtEnd { items.append(try walk(&sub, depth: depth + 1)) }
        try sub.finish()
        return .list(items)
    }
    var peek = r
    let b = try r.readBytes()
    // Integer views of the same item.
    if let v = try? peek.readUInt256() {
        check(RLP.encode(v) == RLP.encode(bytes: b), "UInt256 \(v) from \(Array(b).hex) re-encodes differently")
        if let w = try? RLP.decodeUInt64(b) { check(UInt256(w) == v, "UInt64 and UInt256 views differ on \(Array(b).hex)") }
    }
    return .bytes(Array(b))
}

/// `precondition` whose message survives -O (libFuzzer shows it with the crash).
@inline(__always) func check(_ cond: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !cond { fatalError(message(), file: file, line: line) }
}
