import XCTest
@testable import Chain

final class HeadStateCacheTests: XCTestCase {
    let k: [UInt8] = [1, 2, 3]

    func testAnswersOnlyForItsBlock() {
        let c = HeadStateCache(block: 5)
        c.fill(k, [9], at: 5)
        XCTAssertEqual(c.get(k, at: 5), .some([9]))
        XCTAssertTrue(c.get(k, at: 4) == nil, "another block is LevelDB's business")
        c.fill(k, [7], at: 4)                       // a late reader of an old block
        XCTAssertEqual(c.get(k, at: 5), .some([9]))
    }

    func testAdvanceKeepsUnchangedKeysAndAppliesWrites() {
        let c = HeadStateCache(block: 5)
        c.fill(k, [9], at: 5)
        c.fill([4], nil, at: 5)
        c.advance(to: 6, writes: [([4], [1])])
        XCTAssertEqual(c.get(k, at: 6), .some([9]))
        XCTAssertEqual(c.get([4], at: 6), .some([1]))
        c.advance(to: 8, writes: [])                  // a gap: nothing is known any more
        XCTAssertTrue(c.get(k, at: 8) == nil)
    }

    func testCheatsAndResets() {
        let c = HeadStateCache(block: 3)
        c.fill(k, [1], at: 3)
        c.apply([(k, nil)], at: 3)
        XCTAssertEqual(c.get(k, at: 3), .some(nil), "a deletion is cached as absent")
        c.reset(to: 1)
        XCTAssertTrue(c.get(k, at: 1) == nil)
        XCTAssertTrue(c.get(k, at: 3) == nil)
    }
}
