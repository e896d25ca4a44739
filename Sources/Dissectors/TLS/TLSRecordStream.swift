/// Walks the TLS records at the start of one direction of a TCP connection and collects the
/// plaintext handshake messages, concatenating handshake fragments across records.
public enum TLSRecordStream {
    /// Largest handshake message accepted; longer ones stop the walk as `.messageTooLarge`.
    public static let maximumMessageLength = 256 * 1024
    /// Largest record payload allowed by RFC 5246 §6.2.3 (2^14 + 2048 for ciphertext).
    static let maximumRecordLength = 16_384 + 2_048

    static let changeCipherSpec: UInt8 = 20
    static let alert: UInt8 = 21
    static let handshake: UInt8 = 22
    static let applicationData: UInt8 = 23
    static let heartbeat: UInt8 = 24

    /// Why the walk stopped.
    public enum Status: Sendable, Equatable {
        /// The bytes end inside a record or a handshake message; call again with more.
        case needsMoreBytes
        /// The bytes end exactly at a record and message boundary.
        case complete
        /// ChangeCipherSpec, application data or an alert was reached: later handshake bytes are encrypted.
        case handshakeEnded
        /// The first record header is not TLS.
        case notTLS
        /// A later record header or a handshake length is inconsistent.
        case malformed
        /// A handshake message announced more than ``maximumMessageLength`` bytes.
        case messageTooLarge
    }

    /// The complete handshake messages found and why the walk stopped.
    public struct Scan: Sendable, Equatable {
        /// Complete handshake messages in stream order.
        public var messages: [TLSRawHandshake]
        /// Why the walk stopped.
        public var status: Status
        /// Whether the bytes end inside a record or handshake message.
        public var needsMoreBytes: Bool { status == .needsMoreBytes }
        /// Whether the stream clearly does not start with TLS records.
        public var isNotTLS: Bool { status == .notTLS }
    }

    /// Cheap first-bytes check: a handshake record (0x16) with version 0x0300...0x0304.
    /// Fewer than three bytes never look like TLS.
    public static func looksLikeTLS(_ firstBytes: UnsafeRawBufferPointer) -> Bool {
        var reader = ByteReader(firstBytes)
        guard reader.u8() == handshake, reader.u8() == 3, let minor = reader.u8() else { return false }
        return minor <= 4
    }

    /// Walks `stream` (one direction, from its first byte) and returns the handshake messages so far.
    public static func scan(_ stream: UnsafeRawBufferPointer) -> Scan {
        var reader = ByteReader(stream)
        var messages: [TLSRawHandshake] = []
        var pending: [UInt8] = []  // handshake bytes not yet forming a complete message
        var isFirstRecord = true

        func finish(_ status: Status) -> Scan { Scan(messages: messages, status: status) }

        while !reader.isAtEnd {
            guard reader.remaining >= 5 else { return finish(.needsMoreBytes) }
            guard let type = reader.u8(), let major = reader.u8(), let minor = reader.u8(),
                  let length = reader.u16()
            else { return finish(.needsMoreBytes) }
            guard (changeCipherSpec...heartbeat).contains(type), major == 3, minor <= 4,
                  Int(length) <= maximumRecordLength
            else { return finish(isFirstRecord ? .notTLS : .malformed) }
            if isFirstRecord && type != handshake { return finish(.notTLS) }
            isFirstRecord = false
            guard let payload = reader.bytes(Int(length)) else { return finish(.needsMoreBytes) }
            switch type {
            case handshake:
                pending.append(contentsOf: payload)
                var consumed = 0
                while pending.count - consumed >= 4 {
                    let messageLength = Int(pending[consumed + 1]) << 16 | Int(pending[consumed + 2]) << 8
                        | Int(pending[consumed + 3])
                    guard messageLength <= maximumMessageLength else { return finish(.messageTooLarge) }
                    guard pending.count - consumed - 4 >= messageLength else { break }
                    let bodyStart = consumed + 4
                    messages.append(TLSRawHandshake(
                        type: pending[consumed], body: Array(pending[bodyStart..<bodyStart + messageLength])))
                    consumed = bodyStart + messageLength
                }
                pending.removeFirst(consumed)
            case heartbeat:
                continue
            default:
                return finish(.handshakeEnded)
            }
        }
        return finish(pending.isEmpty ? .complete : .needsMoreBytes)
    }
}
