import Testing
import Decoding
@testable import Flows

final class Collector: FlowEndHandler {
    var ended: [FlowSummary] = []
    func flowEnded(slot: Int32, reason: EndReason, table: FlowTable) {
        ended.append(table.summary(slot, reason: reason))
    }
}

let second: Int64 = 1_000_000_000

func tcpPacket(_ src: String, _ sport: UInt16, _ dst: String, _ dport: UInt16, flags: UInt8, payload: UInt32 = 0, tag: UInt64 = 1, time: Int64 = 0) -> DecodedPacket {
    var p = DecodedPacket()
    p.ipVersion = 4
    p.proto = IPProtocol.tcp
    p.source = IPAddress(src)!
    p.destination = IPAddress(dst)!
    p.sourcePort = sport
    p.destinationPort = dport
    p.tcpFlags = flags
    p.payloadLength = payload
    p.ipBytes = 40 + payload
    p.originTag = tag
    p.originTime = time
    return p
}

func udpPacket(_ src: String, _ sport: UInt16, _ dst: String, _ dport: UInt16, payload: UInt32 = 10, tag: UInt64 = 1, time: Int64 = 0) -> DecodedPacket {
    var p = tcpPacket(src, sport, dst, dport, flags: 0, payload: payload, tag: tag, time: time)
    p.proto = IPProtocol.udp
    p.ipBytes = 28 + payload
    return p
}

struct FlowTableTests {
    func table(_ configure: (inout FlowTableConfiguration) -> Void = { _ in }) -> (FlowTable, Collector) {
        var configuration = FlowTableConfiguration()
        configure(&configuration)
        let table = FlowTable(configuration: configuration)
        let collector = Collector()
        table.endHandler = collector
        return (table, collector)
    }

    @Test func handshakeDirectionsAndFin() {
        let (table, collector) = table()
        let syn = SYN, ack = ACK
        _ = table.process(tcpPacket("10.0.0.1", 5000, "10.0.0.2", 443, flags: syn, tag: 1), time: 0)
        _ = table.process(tcpPacket("10.0.0.2", 443, "10.0.0.1", 5000, flags: syn | ack, tag: 2), time: 1)
        _ = table.process(tcpPacket("10.0.0.1", 5000, "10.0.0.2", 443, flags: ack, tag: 3), time: 2)
        _ = table.process(tcpPacket("10.0.0.1", 5000, "10.0.0.2", 443, flags: ack, payload: 100, tag: 4), time: 3)
        _ = table.process(tcpPacket("10.0.0.2", 443, "10.0.0.1", 5000, flags: ack, payload: 50, tag: 5), time: 4)
        _ = table.process(tcpPacket("10.0.0.1", 5000, "10.0.0.2", 443, flags: FIN | ack, tag: 6), time: 5)
        _ = table.process(tcpPacket("10.0.0.2", 443, "10.0.0.1", 5000, flags: FIN | ack, tag: 7), time: 6)
        #expect(collector.ended.isEmpty)  // lingering
        // A packet of another flow 20 s later ends the closed one by its linger.
        _ = table.process(udpPacket("10.0.0.9", 1, "10.0.0.8", 2, tag: 8, time: 20 * second), time: 20 * second)
        #expect(collector.ended.count == 1)
        let flow = collector.ended[0]
        #expect(flow.endReason == .fin)
        #expect(flow.clientAddress.description == "10.0.0.1" && flow.clientPort == 5000)
        #expect(flow.c2s.packets == 4 && flow.s2c.packets == 3)
        #expect(flow.c2s.payloadBytes == 100 && flow.s2c.payloadBytes == 50)
        #expect(flow.payloadLengths == [100, -50])
        #expect(flow.tcp.contains(.established))
        #expect(flow.flowID == 1)
    }

    /// End of input ends the open flows in flow-id order, with ids small enough to
    /// pack beside their slot numbers and with ids too large for that (here past
    /// 2^61: seven slots take 3 bits), whatever order the slots were filled in.
    @Test(arguments: [UInt64(1), 1 << 62])
    func endAllEndsInFlowIDOrder(base: UInt64) {
        let (table, collector) = table()
        let tags: [UInt64] = [7, 3, 9, 1, 5, 8, 2]
        for (index, tag) in tags.enumerated() {
            // Each a flow of its own, taking slots in the order above.
            _ = table.process(udpPacket("10.0.0.1", UInt16(1000 + index), "10.0.0.2", 53, tag: base + tag), time: Int64(index))
        }
        table.endAll(reason: .eof)
        #expect(collector.ended.map(\.flowID) == tags.sorted().map { base + $0 })
    }

    @Test func synAckFirstMakesTheOtherSideTheInitiator() {
        let (table, collector) = table()
        _ = table.process(tcpPacket("10.0.0.2", 443, "10.0.0.1", 5000, flags: SYN | ACK), time: 0)
        table.endAll(reason: .eof)
        #expect(collector.ended[0].clientAddress.description == "10.0.0.1")
        #expect(collector.ended[0].s2c.packets == 1)
    }

    @Test func midstreamFirstSenderIsTheInitiator() {
        let (table, collector) = table()
        _ = table.process(tcpPacket("10.0.0.2", 443, "10.0.0.1", 5000, flags: ACK, payload: 10), time: 0)
        table.endAll(reason: .eof)
        #expect(collector.ended[0].clientAddress.description == "10.0.0.2")
        #expect(collector.ended[0].endReason == .eof)
    }

    @Test func idleTimeoutPerProtocol() {
        let (table, collector) = table { $0.udpIdleTimeout = 10 * second; $0.tcpIdleTimeout = 100 * second }
        _ = table.process(udpPacket("10.0.0.1", 1, "10.0.0.2", 2, tag: 1), time: 0)
        _ = table.process(tcpPacket("10.0.0.1", 1, "10.0.0.2", 2, flags: ACK, tag: 2), time: 0)
        _ = table.process(udpPacket("10.0.0.3", 1, "10.0.0.4", 2, tag: 3, time: 30 * second), time: 30 * second)
        #expect(collector.ended.map(\.endReason) == [.idle])
        #expect(collector.ended[0].proto == IPProtocol.udp)
        // The same 5-tuple after the timeout is a new flow.
        _ = table.process(udpPacket("10.0.0.1", 1, "10.0.0.2", 2, tag: 4, time: 31 * second), time: 31 * second)
        table.endAll(reason: .eof)
        #expect(collector.ended.count == 4)
    }

    @Test func activeTimeoutSplitsAndMarks() {
        let (table, collector) = table { $0.activeTimeout = 60 * second; $0.udpIdleTimeout = 1000 * second }
        for i in 0..<5 {
            let t = Int64(i) * 40 * second
            _ = table.process(udpPacket("10.0.0.1", 1, "10.0.0.2", 2, tag: UInt64(i + 1), time: t), time: t)
        }
        table.endAll(reason: .eof)
        #expect(collector.ended.map(\.endReason) == [.active, .active, .eof])
        #expect(collector.ended.map(\.splitIndex) == [0, 1, 2])
        #expect(collector.ended[1].splitOf == collector.ended[0].flowID)
        #expect(collector.ended[2].splitOf == collector.ended[0].flowID)
        #expect(collector.ended.map(\.c2s.packets).reduce(0, +) == 5)
    }

    @Test func portReuseAfterCloseStartsANewFlow() {
        let (table, collector) = table()
        _ = table.process(tcpPacket("10.0.0.1", 5000, "10.0.0.2", 80, flags: SYN, tag: 1), time: 0)
        _ = table.process(tcpPacket("10.0.0.2", 80, "10.0.0.1", 5000, flags: RST | ACK, tag: 2), time: 1)
        _ = table.process(tcpPacket("10.0.0.1", 5000, "10.0.0.2", 80, flags: SYN, tag: 3), time: 2)
        table.endAll(reason: .eof)
        #expect(collector.ended.map(\.endReason) == [.rst, .eof])
        #expect(collector.ended.map(\.flowID) == [1, 3])
    }

    @Test func evictionAtMaxFlowsReportsEveryFlow() {
        let (table, collector) = table { $0.maxFlows = 100 }
        for i in 0..<1000 {
            _ = table.process(udpPacket("10.0.\(i / 256).\(i % 256)", 1000, "192.0.2.1", 53, tag: UInt64(i + 1), time: Int64(i)), time: Int64(i))
        }
        #expect(table.activeFlows == 100)
        #expect(table.flowsEvicted == 900)
        table.endAll(reason: .eof)
        #expect(collector.ended.count == 1000)
        #expect(collector.ended.filter { $0.endReason == .evicted }.count == 900)
        #expect(Set(collector.ended.map(\.flowID)).count == 1000)
    }

    /// The index against a dictionary model under random churn (insert, hit, end).
    @Test func indexAgreesWithAModel() {
        let (table, collector) = table { $0.maxFlows = 5000 }
        var generator = SystemRandomNumberGenerator()
        var live = Set<Int>()
        for step in 0..<20000 {
            let n = Int.random(in: 0..<3000, using: &generator)
            let packet = udpPacket("10.1.\(n / 256).\(n % 256)", 7, "10.2.0.1", 9, tag: UInt64(step + 1), time: Int64(step))
            let hit = table.process(packet, time: Int64(step))
            live.insert(n)
            if step % 7 == 0 {
                table.end(hit.slot, reason: .idle)
                live.remove(n)
            }
            #expect(table.activeFlows == live.count)
        }
        table.endAll(reason: .eof)
        #expect(table.activeFlows == 0)
        #expect(UInt64(collector.ended.count) == table.flowsCreated)
    }
}

let SYN = TCPFlags.syn, ACK = TCPFlags.ack, FIN = TCPFlags.fin, RST = TCPFlags.rst

struct FlowMemoryTests {
    /// The README states the memory per flow; keep it small (under 1 KiB).
    @Test func perFlowMemoryIsSmall() {
        print("FlowState stride \(MemoryLayout<FlowState>.stride) bytes, table bytes per flow \(FlowTable.bytesPerFlow)")
        #expect(FlowTable.bytesPerFlow < 1024)
    }
}
