import Decoding
import Dissectors
import Inspection
import Testing

/// DNS messages as bytes, parsed by the DNS dissector as the inspector does.
enum DNSWire {
    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    enum RecordData {
        case a(String)
        case aaaa([UInt8])
        case cname(String)
    }

    /// A response (or query) for `queried`, with answers (owner name, TTL, data).
    static func message(_ queried: String, answers: [(owner: String?, ttl: UInt32, data: RecordData)] = [], response: Bool = true) -> DNSMessage? {
        func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        var bytes = u16(0x1234) + u16(response ? 0x8180 : 0x0100) + u16(1) + u16(answers.count) + u16(0) + u16(0)
        bytes += name(queried) + u16(1) + u16(1)
        for answer in answers {
            bytes += answer.owner.map(name) ?? [0xC0, 0x0C]
            let (type, data): (Int, [UInt8]) = switch answer.data {
            case .a(let text): (1, text.split(separator: ".").map { UInt8($0)! })
            case .aaaa(let address): (28, address)
            case .cname(let target): (5, name(target))
            }
            bytes += u16(type) + u16(1)
            bytes += [UInt8(answer.ttl >> 24 & 0xFF), UInt8(answer.ttl >> 16 & 0xFF), UInt8(answer.ttl >> 8 & 0xFF), UInt8(answer.ttl & 0xFF)]
            bytes += u16(data.count) + data
        }
        return bytes.withUnsafeBytes { DNSMessage.parse($0) }
    }
}

/// `DNSNameCache`: which name each answered address was looked up by, kept for the
/// answer's TTL but at least two minutes, bounded (oldest first).
struct DNSNameCacheTests {
    let second: Int64 = 1_000_000_000
    let start: Int64 = 1_700_000_000 * 1_000_000_000

    func address(_ text: String) -> IPAddress { IPAddress(text)! }

    @Test func addressesAreKnownByTheQueriedName() throws {
        var cache = DNSNameCache()
        let v6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [7]
        cache.learn(from: try #require(DNSWire.message("chat.example.org", answers: [(nil, 300, .a("192.0.2.7")), (nil, 300, .a("192.0.2.8"))])), at: start)
        cache.learn(from: try #require(DNSWire.message("v6.example.org", answers: [(nil, 300, .aaaa(v6))])), at: start)
        // Through a CNAME chain: the address is known by the name the client asked for.
        cache.learn(from: try #require(DNSWire.message("www.example.org", answers: [
            (nil, 300, .cname("edge.cdn.example")), ("edge.cdn.example", 60, .a("198.51.100.9")),
        ])), at: start)
        #expect(cache.count == 4)
        #expect(cache.name(for: address("192.0.2.7"), at: start) == "chat.example.org")
        #expect(cache.name(for: address("192.0.2.8"), at: start + second) == "chat.example.org")
        #expect(cache.name(for: address("2001:db8::7"), at: start) == "v6.example.org")
        #expect(cache.name(for: address("198.51.100.9"), at: start) == "www.example.org")
        #expect(cache.name(for: address("192.0.2.99"), at: start) == nil)
    }

    @Test func queriesAndEmptyAnswersTeachNothing() throws {
        var cache = DNSNameCache()
        cache.learn(from: try #require(DNSWire.message("chat.example.org", answers: [(nil, 300, .a("192.0.2.7"))], response: false)), at: start)
        cache.learn(from: try #require(DNSWire.message("nothing.example.org")), at: start)
        cache.learn(from: try #require(DNSWire.message("alias.example.org", answers: [(nil, 300, .cname("elsewhere.example"))])), at: start)
        #expect(cache.count == 0)
    }

    @Test func answersLiveForTheirTTLButAtLeastTwoMinutes() throws {
        var cache = DNSNameCache()
        cache.learn(from: try #require(DNSWire.message("long.example", answers: [(nil, 300, .a("192.0.2.1"))])), at: start)
        cache.learn(from: try #require(DNSWire.message("short.example", answers: [(nil, 5, .a("192.0.2.2"))])), at: start)
        cache.learn(from: try #require(DNSWire.message("zero.example", answers: [(nil, 0, .a("192.0.2.3"))])), at: start)
        cache.learn(from: try #require(DNSWire.message("max.example", answers: [(nil, UInt32.max, .a("192.0.2.4"))])), at: start)
        #expect(DNSNameCache.minimumLifetime == 120 * second)
        #expect(cache.name(for: address("192.0.2.1"), at: start + 300 * second) == "long.example")
        #expect(cache.name(for: address("192.0.2.1"), at: start + 300 * second + 1) == nil)
        for (text, name) in [("192.0.2.2", "short.example"), ("192.0.2.3", "zero.example")] {
            #expect(cache.name(for: address(text), at: start + 120 * second) == name)
            #expect(cache.name(for: address(text), at: start + 120 * second + 1) == nil)
        }
        #expect(cache.name(for: address("192.0.2.4"), at: start + Int64(UInt32.max) * second) == "max.example")
        // An expired entry still counts until it is replaced or evicted.
        #expect(cache.count == 4)
    }

    @Test func laterAnswerReplacesNameAndLifetime() {
        var cache = DNSNameCache()
        cache.insert(address("192.0.2.1"), name: "first.example", expires: start + 10 * second)
        cache.insert(address("192.0.2.1"), name: "second.example", expires: start + 500 * second)
        #expect(cache.count == 1)
        #expect(cache.name(for: address("192.0.2.1"), at: start + 400 * second) == "second.example")
    }

    /// Full: the entry inserted first goes first (an update keeps its place).
    @Test func boundedOldestFirst() {
        var cache = DNSNameCache(capacity: 3)
        let far = start + 1_000 * second
        for index in 1...3 { cache.insert(address("192.0.2.\(index)"), name: "n\(index)", expires: far) }
        cache.insert(address("192.0.2.1"), name: "updated", expires: far)
        cache.insert(address("192.0.2.4"), name: "n4", expires: far)
        #expect(cache.count == 3)
        #expect(cache.name(for: address("192.0.2.1"), at: start) == nil)
        #expect((2...4).map { cache.name(for: address("192.0.2.\($0)"), at: start) } == ["n2", "n3", "n4"])
        #expect(DNSNameCache(capacity: 0).capacity == 1)
        #expect(DNSNameCache().capacity == 65_536)
    }

    /// Many more answers than the capacity: the newest stay, in order, and an address
    /// evicted long ago can come back.
    @Test func manyAnswersStayBounded() {
        var cache = DNSNameCache(capacity: 100)
        let far = start + 1_000 * second
        for index in 0..<10_000 { cache.insert(IPAddress(ipv4: 0x0A00_0000 + UInt32(index)), name: "n\(index)", expires: far) }
        #expect(cache.count == 100)
        #expect(cache.name(for: IPAddress(ipv4: 0x0A00_0000 + 9_899), at: start) == nil)
        #expect((9_900..<10_000).allSatisfy { cache.name(for: IPAddress(ipv4: 0x0A00_0000 + UInt32($0)), at: start) == "n\($0)" })
        cache.insert(IPAddress(ipv4: 0x0A00_0000), name: "back", expires: far)
        #expect(cache.count == 100)
        #expect(cache.name(for: IPAddress(ipv4: 0x0A00_0000), at: start) == "back")
        #expect(cache.name(for: IPAddress(ipv4: 0x0A00_0000 + 9_900), at: start) == nil, "the oldest made room")
        #expect(cache.name(for: IPAddress(ipv4: 0x0A00_0000 + 9_901), at: start) == "n9901")
    }
}
