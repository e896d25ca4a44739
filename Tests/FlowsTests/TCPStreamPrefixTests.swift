import Testing
@testable import Flows

struct TCPStreamPrefixTests {
    func add(_ stream: inout TCPStreamPrefix, _ sequence: UInt32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { stream.add(sequence: sequence, payload: $0) }
    }

    @Test func inOrderOutOfOrderAndRetransmitted() {
        var stream = TCPStreamPrefix(limit: 1024)
        stream.start(synSequence: 1000)
        #expect(add(&stream, 1001, [1, 2, 3]))
        #expect(!add(&stream, 1007, [7, 8]))        // ahead of a gap: held
        #expect(stream.hasGap)
        #expect(!add(&stream, 1001, [1, 2, 3]))     // retransmission: nothing new
        #expect(add(&stream, 1003, [3, 4, 5, 6]))   // overlaps one byte, fills the gap
        #expect(stream.bytes == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(!stream.hasGap)
    }

    @Test func sequenceNumbersWrapAround() {
        var stream = TCPStreamPrefix(limit: 64)
        stream.start(synSequence: UInt32.max - 1)
        #expect(add(&stream, UInt32.max, [1, 2]))
        #expect(add(&stream, 1, [3]))
        #expect(stream.bytes == [1, 2, 3])
    }

    @Test func midstreamStartsAtTheFirstData() {
        var stream = TCPStreamPrefix(limit: 64)
        #expect(add(&stream, 5000, [9, 9]))
        #expect(!add(&stream, 4990, [1, 1]))  // before the start: old data
        #expect(stream.bytes == [9, 9])
    }

    @Test func aNewConnectionAttemptWithAnotherSequenceNumberRestartsTheStream() {
        var stream = TCPStreamPrefix(limit: 64)
        stream.start(synSequence: 1000)
        stream.start(synSequence: 90_000)           // the port reused by a new attempt
        #expect(add(&stream, 90_001, [1, 2]))
        #expect(stream.bytes == [1, 2])
    }

    @Test func aStraySynAckDoesNotMoveTheStart() {
        // KakaoTalk_chat.pcap: a second SYN-ACK with a bogus number while the data
        // follows the first one.
        var stream = TCPStreamPrefix(limit: 64)
        stream.start(synSequence: 1_612_884_805)
        stream.start(synSequence: 1_712_195_420)
        #expect(add(&stream, 1_612_884_806, [1, 2]))
        #expect(add(&stream, 1_612_884_808, [3]))
        #expect(stream.bytes == [1, 2, 3])
    }

    @Test func boundedByTheLimit() {
        var stream = TCPStreamPrefix(limit: 4)
        stream.start(synSequence: 0)
        #expect(add(&stream, 1, [1, 2, 3, 4, 5, 6]))
        #expect(stream.bytes == [1, 2, 3, 4])
        #expect(stream.isFull)
        #expect(!add(&stream, 7, [7]))
        // Far-away segments are never held beyond the limit.
        var other = TCPStreamPrefix(limit: 8)
        other.start(synSequence: 0)
        for i in 0..<200 { _ = add(&other, UInt32(100 + i * 10), [UInt8](repeating: 1, count: 5)) }
        #expect(other.heldBytes <= 64)
        other.release()
        #expect(other.bytes.isEmpty && other.heldBytes == 0)
    }
}
