/// One DTLS record (RFC 6347 §4.1) of a UDP datagram.
public struct DTLSRecord: Sendable, Equatable {
    /// Content type (22 = handshake, 20 = ChangeCipherSpec, 23 = application data, ...).
    public var contentType: UInt8
    /// Record version: 0xfeff (1.0), 0xfefd (1.2) or 0xfefc (1.3).
    public var version: UInt16
    /// Epoch; only epoch 0 carries plaintext handshake messages.
    public var epoch: UInt16
    /// 48-bit record sequence number.
    public var sequenceNumber: UInt64
    /// The record payload.
    public var payload: [UInt8]

    /// Record versions this parser accepts.
    public static let versions: Set<UInt16> = [0xfeff, 0xfefd, 0xfefc]

    /// Cheap first-bytes check: a DTLS record header with a known content type and version.
    public static func looksLikeDTLS(_ datagram: UnsafeRawBufferPointer) -> Bool {
        var reader = ByteReader(datagram)
        guard let type = reader.u8(), (20...25).contains(type), let version = reader.u16() else { return false }
        return versions.contains(version)
    }

    /// All records of a datagram in order. Parsing stops at the first malformed or
    /// non-DTLS header (e.g. a DTLS 1.3 unified header); records before it are kept.
    public static func parseAll(datagram: UnsafeRawBufferPointer) -> [DTLSRecord] {
        var reader = ByteReader(datagram)
        var records: [DTLSRecord] = []
        while reader.remaining >= 13 {
            guard let type = reader.u8(), (20...25).contains(type),
                  let version = reader.u16(), versions.contains(version),
                  let epoch = reader.u16(), let sequenceHigh = reader.u16(), let sequenceLow = reader.u32(),
                  let payload = reader.vector16()
            else { break }
            records.append(DTLSRecord(
                contentType: type, version: version, epoch: epoch,
                sequenceNumber: UInt64(sequenceHigh) << 32 | UInt64(sequenceLow), payload: Array(payload.bytes)))
        }
        return records
    }
}

/// One DTLS handshake fragment (RFC 6347 §4.2.2).
public struct DTLSHandshakeFragment: Sendable, Equatable {
    /// Handshake message type.
    public var messageType: UInt8
    /// Length of the whole message body.
    public var messageLength: Int
    /// message_seq: counts messages per direction (a repeated ClientHello gets a new one).
    public var messageSequence: UInt16
    /// Where this fragment starts inside the message body.
    public var fragmentOffset: Int
    /// The fragment bytes.
    public var bytes: [UInt8]

    /// A fragment from its fields.
    public init(messageType: UInt8, messageLength: Int, messageSequence: UInt16, fragmentOffset: Int, bytes: [UInt8]) {
        self.messageType = messageType
        self.messageLength = messageLength
        self.messageSequence = messageSequence
        self.fragmentOffset = fragmentOffset
        self.bytes = bytes
    }

    /// The handshake fragments inside one handshake record payload; nil if malformed.
    public static func parseAll(recordPayload: UnsafeRawBufferPointer) -> [DTLSHandshakeFragment]? {
        var reader = ByteReader(recordPayload)
        var fragments: [DTLSHandshakeFragment] = []
        while !reader.isAtEnd {
            guard let type = reader.u8(), let length = reader.u24(), let sequence = reader.u16(),
                  let offset = reader.u24(), let fragmentLength = reader.u24(),
                  Int(offset) + Int(fragmentLength) <= Int(length),
                  let bytes = reader.array(Int(fragmentLength))
            else { return nil }
            fragments.append(DTLSHandshakeFragment(
                messageType: type, messageLength: Int(length), messageSequence: sequence,
                fragmentOffset: Int(offset), bytes: bytes))
        }
        return fragments
    }
}

/// Reassembles DTLS handshake messages of one direction from fragments that may arrive in any
/// order, overlap or repeat. Bounded: messages up to ``maximumMessageLength`` bytes and at most
/// ``maximumMessages`` distinct messages per assembler; anything beyond is ignored.
public struct DTLSHandshakeAssembler: Sendable {
    /// Largest message body accepted.
    public static let maximumMessageLength = 64 * 1024
    /// Most distinct messages (pending or completed) tracked.
    public static let maximumMessages = 8

    private struct Key: Hashable, Sendable {
        var sequence: UInt16
        var type: UInt8
    }

    private struct Pending: Sendable {
        var body: [UInt8]
        /// Received byte ranges, sorted and merged.
        var covered: [Range<Int>] = []

        var isComplete: Bool { body.isEmpty || covered == [0..<body.count] }

        mutating func insert(_ bytes: [UInt8], at offset: Int) {
            body.replaceSubrange(offset..<offset + bytes.count, with: bytes)
            var range = offset..<offset + bytes.count
            guard !range.isEmpty else { return }
            var merged: [Range<Int>] = []
            for existing in covered {
                if existing.upperBound < range.lowerBound || range.upperBound < existing.lowerBound {
                    merged.append(existing)
                } else {
                    range = min(existing.lowerBound, range.lowerBound)..<max(existing.upperBound, range.upperBound)
                }
            }
            merged.append(range)
            covered = merged.sorted { $0.lowerBound < $1.lowerBound }
        }
    }

    private var pending: [Key: Pending] = [:]
    private var completed: Set<Key> = []

    /// An empty assembler.
    public init() {}

    /// Adds one fragment; returns the message it completes, if any (each message only once).
    public mutating func add(_ fragment: DTLSHandshakeFragment) -> TLSRawHandshake? {
        let key = Key(sequence: fragment.messageSequence, type: fragment.messageType)
        guard !completed.contains(key),
              fragment.messageLength <= Self.maximumMessageLength,
              fragment.fragmentOffset >= 0,
              fragment.fragmentOffset + fragment.bytes.count <= fragment.messageLength
        else { return nil }
        var message: Pending
        if let existing = pending[key] {
            guard existing.body.count == fragment.messageLength else { return nil }
            message = existing
        } else {
            guard pending.count + completed.count < Self.maximumMessages else { return nil }
            message = Pending(body: [UInt8](repeating: 0, count: fragment.messageLength))
        }
        message.insert(fragment.bytes, at: fragment.fragmentOffset)
        if message.isComplete {
            pending[key] = nil
            completed.insert(key)
            return TLSRawHandshake(type: fragment.messageType, body: message.body)
        }
        pending[key] = message
        return nil
    }

    /// Adds every epoch-0 handshake fragment of a datagram; returns the messages completed by it.
    public mutating func add(datagram: UnsafeRawBufferPointer) -> [TLSRawHandshake] {
        var messages: [TLSRawHandshake] = []
        for record in DTLSRecord.parseAll(datagram: datagram) where record.contentType == 22 && record.epoch == 0 {
            let fragments = record.payload.withUnsafeBytes { DTLSHandshakeFragment.parseAll(recordPayload: $0) }
            for fragment in fragments ?? [] {
                if let message = add(fragment) { messages.append(message) }
            }
        }
        return messages
    }
}
