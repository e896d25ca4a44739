import Testing
import Decoding
@testable import Flows

/// The payload sequence lives in chunks of 8 packets handed out per flow: lengths,
/// directions and gaps must come out as if each flow had room for all 32, also
/// when chunks given back by ended flows are handed out again.
struct PayloadSequenceTests {
    @Test func sequencesAcrossChunksAndReusedChunks() {
        let table = FlowTable()
        let collector = Collector()
        table.endHandler = collector
        var tag: UInt64 = 0
        // Three rounds of 40 flows with 0...39 payload packets each (more than 32
        // for some), interleaved; each round's flows end before the next starts.
        for round in 0..<3 {
            for n in 0..<40 {
                for i in 0..<40 where i < n {
                    tag += 1
                    let time = Int64(round * 1000 + i) * 1_000_000 + Int64(n) * 1000
                    let packet = i % 3 == 2
                        ? udpPacket("10.0.1.\(n)", 53, "10.0.0.1", UInt16(1000 + round), payload: UInt32(100 + i), tag: tag, time: time)
                        : udpPacket("10.0.0.1", UInt16(1000 + round), "10.0.1.\(n)", 53, payload: UInt32(100 + i), tag: tag, time: time)
                    _ = table.process(packet, time: time)
                }
            }
            table.endAll(reason: .eof)
        }
        #expect(collector.ended.count == 3 * 39)
        for flow in collector.ended {
            let packets = Int(flow.c2s.packets + flow.s2c.packets)
            let kept = min(packets, sequenceLength)
            var lengths: [Int32] = [], gaps: [UInt32] = []
            for i in 0..<kept {
                let length = Int32(100 + i)
                lengths.append(i % 3 == 2 ? -length : length)
                gaps.append(i == 0 ? 0 : 1000)
            }
            #expect(flow.payloadLengths == lengths)
            #expect(flow.payloadGaps == gaps)
        }
    }

    @Test func aSplitFlowStartsAFreshSequence() {
        let table = FlowTable(configuration: { var c = FlowTableConfiguration(); c.activeTimeout = 10 * second; return c }())
        let collector = Collector()
        table.endHandler = collector
        for i in 0..<12 {
            let time = Int64(i) * second
            _ = table.process(udpPacket("10.0.0.1", 1000, "10.0.0.2", 53, payload: UInt32(10 + i), tag: UInt64(i + 1), time: time), time: time)
        }
        table.endAll(reason: .eof)
        #expect(collector.ended.map(\.payloadLengths) == [Array(10...19).map(Int32.init), [20, 21]])
    }
}
