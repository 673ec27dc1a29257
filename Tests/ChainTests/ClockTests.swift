import XCTest
@testable import Chain

final class ClockTests: XCTestCase {
    func testNoWallClockIsGenesisPlusOffset() {
        var c = ChainClock(useWallClock: false, genesisTimestamp: 1_700_000_000)
        XCTAssertEqual(c.now, 1_700_000_000)
        c.state.offset = 86_400
        XCTAssertEqual(c.now, 1_700_086_400)
        XCTAssertEqual(c.nextBlockTimestamp(parent: 1_700_000_000), 1_700_086_400)
    }

    func testNeverBackwards() {
        let c = ChainClock(useWallClock: false, genesisTimestamp: 100)
        XCTAssertEqual(c.nextBlockTimestamp(parent: 500), 500)
    }

    func testOneShotTimestampMovesNow() {
        var c = ChainClock(useWallClock: false, genesisTimestamp: 1_000)
        c.state.nextTimestamp = 5_000
        XCTAssertEqual(c.nextBlockTimestamp(parent: 1_000), 5_000)
        c.blockMined(timestamp: 5_000)
        XCTAssertNil(c.state.nextTimestamp)
        XCTAssertEqual(c.now, 5_000)
    }

    func testIntervalAndSetTime() {
        var c = ChainClock(useWallClock: true, genesisTimestamp: 0)
        c.wallClock = { 10_000 }
        c.state.interval = 12
        XCTAssertEqual(c.nextBlockTimestamp(parent: 20_000), 20_012)
        c.setTime(50_000)
        XCTAssertEqual(c.now, 50_000)
        XCTAssertEqual(c.state.offset, 40_000)
    }
}
