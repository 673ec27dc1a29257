import XCTest
@testable import Primitives

final class ConcreteBytesTests: XCTestCase {
    /// The concrete [UInt8]/ArraySlice decoders agree with the generic one at every length.
    func testAgreesWithGenericDecoder() {
        var seed: UInt64 = 0x9E3779B97F4A7C15
        func next() -> UInt8 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return UInt8(truncatingIfNeeded: seed >> 33) }
        for len in 0...33 {
            let bytes = (0..<len).map { _ in next() }
            let generic = UInt256(bigEndian: bytes.lazy.map { $0 })
            XCTAssertEqual(UInt256(bigEndian: bytes), generic, "length \(len)")
            XCTAssertEqual(UInt256(bigEndian: ([0xff] + bytes)[1...]), generic, "slice, length \(len)")
        }
        XCTAssertNil(Hash(bytes: [UInt8](repeating: 1, count: 31)))
        XCTAssertEqual(Address(bytes: [UInt8](repeating: 0xab, count: 20))?.hex, "0x" + String(repeating: "ab", count: 20))
    }
}
