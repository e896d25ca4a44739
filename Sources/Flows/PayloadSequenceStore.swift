/// The payload lengths and gaps of flows' first `sequenceLength` payload packets,
/// in chunks of `chunkLength` packets handed out as a flow needs them: a flow
/// without payload holds none, a flow of one datagram one (48 bytes) instead of
/// room for all 32. Chunks live in fixed-size segments, so that growing never
/// copies (nor briefly holds twice) what is stored.
struct PayloadSequenceStore {
    static let chunkLength = 8
    static let chunksPerFlow = sequenceLength / chunkLength
    private static let chunksPerSegment = 4096

    private var lengthSegments: [UnsafeMutablePointer<UInt16>] = []
    private var gapSegments: [UnsafeMutablePointer<UInt32>] = []
    /// Chunks handed out from the segments so far, and those given back.
    private var chunksUsed = 0
    private var freeChunks: [UInt32] = []

    /// A chunk's number plus one (0 is "no chunk").
    mutating func allocate() -> UInt32 {
        if let chunk = freeChunks.popLast() { return chunk }
        if chunksUsed == lengthSegments.count * PayloadSequenceStore.chunksPerSegment {
            let entries = PayloadSequenceStore.chunksPerSegment * PayloadSequenceStore.chunkLength
            lengthSegments.append(.allocate(capacity: entries))
            gapSegments.append(.allocate(capacity: entries))
        }
        chunksUsed += 1
        return UInt32(chunksUsed)
    }

    mutating func free(_ chunk: UInt32) {
        if chunk != 0 { freeChunks.append(chunk) }
    }

    /// Where entry `index` of `chunk` is: its segment and position there.
    @inline(__always)
    private func locate(_ chunk: UInt32, _ index: Int) -> (segment: Int, position: Int) {
        let number = Int(chunk) - 1
        return (number / PayloadSequenceStore.chunksPerSegment,
                number % PayloadSequenceStore.chunksPerSegment * PayloadSequenceStore.chunkLength + index)
    }

    @inline(__always)
    func store(_ chunk: UInt32, _ index: Int, length: UInt16, gap: UInt32) {
        let (segment, position) = locate(chunk, index)
        lengthSegments[segment][position] = length
        gapSegments[segment][position] = gap
    }

    func entry(_ chunk: UInt32, _ index: Int) -> (length: UInt16, gap: UInt32) {
        let (segment, position) = locate(chunk, index)
        return (lengthSegments[segment][position], gapSegments[segment][position])
    }

    func deallocate() {
        for segment in lengthSegments { segment.deallocate() }
        for segment in gapSegments { segment.deallocate() }
    }
}

/// The chunks of one flow's payload sequence (`PayloadSequenceStore`), 0 where none.
struct SequenceChunks {
    private var chunks: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)

    subscript(index: Int) -> UInt32 {
        get {
            switch index {
            case 0: chunks.0
            case 1: chunks.1
            case 2: chunks.2
            default: chunks.3
            }
        }
        set {
            switch index {
            case 0: chunks.0 = newValue
            case 1: chunks.1 = newValue
            case 2: chunks.2 = newValue
            default: chunks.3 = newValue
            }
        }
    }
}
