import Decoding
import Dissectors

/// Remembers which name each answered address was looked up by, so that a later
/// flow to that address carries the name (`dns_name`), also when it has no SNI.
/// Bounded: the oldest entries go first once `capacity` is reached.
public struct DNSNameCache {
    struct Entry {
        var name: String
        var expires: Int64
    }

    /// Answers are kept at least this long, whatever their TTL (many CDNs answer
    /// with TTLs of seconds while the connection starts a moment later).
    public static let minimumLifetime: Int64 = 120 * 1_000_000_000

    public let capacity: Int
    private var entries: [IPAddress: Entry] = [:]
    private var order: [IPAddress] = []
    private var orderStart = 0

    public init(capacity: Int = 65_536) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { entries.count }

    /// Records the addresses a DNS response answered, under the name queried.
    public mutating func learn(from message: DNSMessage, at time: Int64) {
        guard message.isResponse, let queried = message.questions.first?.name else { return }
        for record in message.answers {
            for address in record.addresses {
                let lifetime = max(Int64(record.ttl) * 1_000_000_000, DNSNameCache.minimumLifetime)
                insert(address, name: queried, expires: time + lifetime)
            }
        }
    }

    public mutating func insert(_ address: IPAddress, name: String, expires: Int64) {
        if entries.updateValue(Entry(name: name, expires: expires), forKey: address) == nil {
            order.append(address)
            if entries.count > capacity { evictOldest() }
        }
    }

    /// The name `address` was looked up by, if its answer is still fresh at `time`.
    public func name(for address: IPAddress, at time: Int64) -> String? {
        guard let entry = entries[address], entry.expires >= time else { return nil }
        return entry.name
    }

    private mutating func evictOldest() {
        while entries.count > capacity && orderStart < order.count {
            entries.removeValue(forKey: order[orderStart])
            orderStart += 1
        }
        // Compact the queue now and then so it does not grow without bound.
        if orderStart > capacity {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }
}
