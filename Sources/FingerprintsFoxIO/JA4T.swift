// JA4T and JA4TS are part of JA4+ by FoxIO: FoxIO License 1.1; see LICENSE-FoxIO.md in this folder.

/// The four TCP fields JA4T (client SYN) and JA4TS (server SYN-ACK) are built from.
public struct JA4TCPOptions: Sendable, Equatable {
    /// The window field as sent (unscaled).
    public var window: UInt16
    /// Option kinds in wire order, including NOP (1), EOL (0) and the zero padding
    /// after EOL (each padding byte is reported as another 0).
    public var optionKinds: [UInt8]
    public var maximumSegmentSize: UInt16?
    public var windowScale: UInt8?

    /// Reads the options area of a TCP header (the bytes after the fixed 20).
    /// A malformed option (length < 2 or past the end) is recorded by kind and ends the walk.
    public init(window: UInt16, options: UnsafeRawBufferPointer) {
        self.window = window
        optionKinds = []
        var index = 0
        // Every step moves at least one byte, so the walk ends.
        while index < options.count {
            let kind = options[index]
            optionKinds.append(kind)
            if kind == 0 || kind == 1 {
                index += 1
                continue
            }
            guard index + 1 < options.count else { break }
            let length = Int(options[index + 1])
            guard length >= 2, index + length <= options.count else { break }
            if kind == 2, length == 4 {
                maximumSegmentSize = UInt16(options[index + 2]) << 8 | UInt16(options[index + 3])
            } else if kind == 3, length == 3 {
                windowScale = options[index + 2]
            }
            index += length
        }
    }

    /// `window_kinds_mss_scale`; absent options, MSS or window scale (or scale 0) as `00`.
    var fourFields: String {
        let kinds = optionKinds.isEmpty ? "00" : optionKinds.map { String($0) }.joined(separator: "-")
        let mss = maximumSegmentSize.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00"
        // The shift count is printed as is (`_8`), only a missing or zero one as `00`.
        var scale = "00"
        if let windowScale, windowScale != 0 { scale = String(windowScale) }
        return "\(window)_\(kinds)_\(mss)_\(scale)"
    }
}

/// JA4T: the client's TCP SYN (SYN set, ACK clear; only the first SYN of a connection).
/// Example: `64240_2-1-3-1-1-4_1460_8`.
public struct JA4T: Sendable, Equatable {
    public var fields: JA4TCPOptions
    public var fingerprint: String { fields.fourFields }

    public init(window: UInt16, options: UnsafeRawBufferPointer) {
        fields = JA4TCPOptions(window: window, options: options)
    }
}

/// JA4TS: the server's SYN-ACK, plus (only when the server retransmitted it) the delays
/// between consecutive SYN-ACKs in whole seconds and `R<seconds>` when a RST followed.
/// Example: `65535_2-4-8-1-3_1460_8` or `…_1-2-4-8-R6`.
public struct JA4TS: Sendable, Equatable {
    public var fields: JA4TCPOptions
    /// Seconds between consecutive SYN-ACKs (rounded), at most 9 (10 SYN-ACKs).
    public var retransmissionDelays: [Int]
    /// Seconds from the last SYN-ACK to a RST, when one came.
    public var resetDelay: Int?

    public init(window: UInt16, options: UnsafeRawBufferPointer, retransmissionDelays: [Int] = [], resetDelay: Int? = nil) {
        fields = JA4TCPOptions(window: window, options: options)
        self.retransmissionDelays = Array(retransmissionDelays.prefix(9))
        self.resetDelay = resetDelay
    }

    public var fingerprint: String {
        guard !retransmissionDelays.isEmpty else { return fields.fourFields }
        var timing = retransmissionDelays.map { String($0) }
        if let resetDelay { timing.append("R\(resetDelay)") }
        return fields.fourFields + "_" + timing.joined(separator: "-")
    }
}
