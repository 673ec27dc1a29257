/// An event log as a contract emits it (position fields are added by the chain).
public struct Log: Hashable, Sendable {
    public var address: Address
    public var topics: [Hash]
    public var data: [UInt8]

    public init(address: Address, topics: [Hash], data: [UInt8]) {
        self.address = address; self.topics = topics; self.data = data
    }
}
