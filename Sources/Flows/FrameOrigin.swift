/// Where a frame came from: the input it was read from (a file of the run, an
/// interface of a live capture, numbered by the reader) and its frame number
/// there. A flow keeps the origin of its first frame, so that what reports it can
/// name its `source_file` and `first_frame` from what the readers announced.
/// Input and frame are packed in 64 bits (24 for the input, 40 for the frame) to
/// keep `FlowState` small; `offset` is the byte offset of the frame's record in the
/// file (`first_offset`), -1 where there is none (live capture, standard input, a
/// datagram reassembled from fragments).
public struct FrameOrigin: Sendable, Hashable {
    public var raw: UInt64
    public var offset: Int64

    static let frameBits: UInt64 = 40
    static let frameMask: UInt64 = (1 << frameBits) - 1

    public init() {
        raw = 0
        offset = -1
    }

    public init(input: Int, frame: UInt64, offset: Int64 = -1) {
        raw = UInt64(truncatingIfNeeded: input) << FrameOrigin.frameBits | (frame & FrameOrigin.frameMask)
        self.offset = offset
    }

    public var input: Int { Int(raw >> FrameOrigin.frameBits) }
    public var frame: UInt64 { raw & FrameOrigin.frameMask }
    /// `offset` when known.
    public var byteOffset: Int64? { offset >= 0 ? offset : nil }

    /// The origin `frames` frames earlier on the same input (the first fragment of a
    /// datagram reassembled from fragments), at least frame 1; its offset is not known.
    @inline(__always)
    public func back(by frames: UInt64) -> FrameOrigin {
        frames == 0 ? self : FrameOrigin(input: input, frame: frame > frames ? frame - frames : 1)
    }
}
