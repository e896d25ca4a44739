/// Per-flow state that turns the first UDP datagrams of a QUIC connection into
/// the TLS ClientHello / ServerHello bodies (or the gQUIC CHLO tags).
///
/// Feed it each datagram of the flow, in capture order, until `isComplete` (or
/// until the pipeline stops looking). It:
/// * remembers the client's first Destination Connection ID and derives the
///   Initial keys from it once (later Initials may carry another DCID but are
///   still protected with these keys, ntop/nDPI#2278); a server Retry or a
///   version change restarts the derivation, as the client does;
/// * removes Initial protection from client and server Initial packets, coalesced
///   or not, and reassembles their CRYPTO streams by offset;
/// * reads the clear-text CHLO of gQUIC Q024–Q046 and the protected one of Q050.
///
/// Nothing here traps on hostile input: anything unexpected is ignored.
public struct QUICHandshakeAssembler: Sendable {
    /// Initial packets decrypted per direction before giving up on a handshake.
    public static let maxInitialPacketsPerDirection = 16

    public init() {}

    /// The version of the client's Initial packets (or the first long header seen).
    public private(set) var version: UInt32?
    public var versionName: String? { version.map { QUICVersion($0).name } }

    /// The ClientHello handshake body (after its 4-byte type/length header).
    public private(set) var clientHelloBody: [UInt8]?
    /// The ServerHello handshake body, from the server's Initial.
    public private(set) var serverHelloBody: [UInt8]?

    /// The gQUIC CHLO (Q024–Q050), when the handshake is Google QUIC crypto.
    public private(set) var googleClientHello: GoogleQUICHandshakeMessage?
    public var googleSNI: String? { googleClientHello?.serverName }
    public var googleUAID: String? { googleClientHello?.userAgent }

    /// The Destination Connection ID the Initial keys are derived from.
    public private(set) var clientInitialDestinationConnectionID: [UInt8]?
    /// Initial packets whose protection was removed, per direction.
    public private(set) var decryptedClientInitialPackets = 0
    public private(set) var decryptedServerInitialPackets = 0
    /// Whether the server answered with a Retry or a Version Negotiation packet.
    public private(set) var sawRetry = false
    public private(set) var sawVersionNegotiation = false

    /// True once the ClientHello (or gQUIC CHLO) is complete.
    public var isClientHelloComplete: Bool { clientHelloBody != nil || googleClientHello != nil }

    /// True when there is nothing more to learn: ClientHello and ServerHello for
    /// TLS-based versions, the CHLO for Google QUIC crypto (whose server side is
    /// encrypted with keys we cannot derive).
    public var isComplete: Bool {
        if googleClientHello != nil { return true }
        return clientHelloBody != nil && serverHelloBody != nil
    }

    private var keys: QUICInitialKeys?
    private var clientCrypto = QUICCryptoStream()
    private var serverCrypto = QUICCryptoStream()
    private var isQUIC = false

    // MARK: Client

    /// Adds one client→server UDP payload. Returns whether it looked like QUIC.
    @discardableResult
    public mutating func addClientDatagram(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first else { return false }
        if let clearVersion = GoogleQUIC.clearTextVersion(of: bytes) {
            noteVersion(clearVersion.rawValue)
            isQUIC = true
            if googleClientHello == nil, let hello = GoogleQUIC.clearTextClientHello(in: bytes) {
                googleClientHello = hello
            }
            return true
        }
        // Short header (or gQUIC public header without version): no version to check,
        // so it counts as QUIC only on a flow already identified as QUIC.
        guard first & 0x80 != 0 else { return isQUIC }

        var sawQUIC = false
        for range in QUICDatagram.packetRanges(in: bytes) {
            let packet = UnsafeRawBufferPointer(rebasing: bytes[range])
            guard let header = QUICLongHeader.parse(packet), header.version.isKnown else { continue }
            sawQUIC = true
            isQUIC = true
            guard header.packetType == .initial else {
                if version == nil { version = header.version.rawValue }
                continue
            }
            handleClientInitial(packet, header: header)
        }
        return sawQUIC || isQUIC
    }

    private mutating func handleClientInitial(_ packet: UnsafeRawBufferPointer, header: QUICLongHeader) {
        if let known = version, known != header.version.rawValue {
            // After Version Negotiation the client starts again with another version.
            restartClientHandshake()
        }
        version = header.version.rawValue
        if keys == nil {
            // Derived even when the ClientHello is already known: after a Retry the
            // server's Initials are protected with keys from the new DCID.
            keys = QUICInitialKeys(version: header.version, clientDestinationConnectionID: header.destinationConnectionID)
            clientInitialDestinationConnectionID = keys == nil ? nil : header.destinationConnectionID
        }
        guard !isClientHelloComplete, decryptedClientInitialPackets < Self.maxInitialPacketsPerDirection,
              let keys else { return }

        var unprotected = QUICInitialProtection.unprotect(packet: packet, header: header, keys: keys.client)
        if unprotected == nil, header.destinationConnectionID != clientInitialDestinationConnectionID,
           let ownKeys = QUICInitialKeys(version: header.version, clientDestinationConnectionID: header.destinationConnectionID) {
            // A Retry we did not capture changes the DCID the keys come from.
            unprotected = QUICInitialProtection.unprotect(packet: packet, header: header, keys: ownKeys.client)
        }
        guard let unprotected else { return }
        decryptedClientInitialPackets += 1
        Self.collectCrypto(unprotected.payload, version: header.version, into: &clientCrypto)

        if header.version.carriesTLS {
            if let message = clientCrypto.firstHandshakeMessage, message.type == 1 {
                clientHelloBody = Array(message.body)
            }
        } else {
            googleClientHello = Self.googleHandshake(in: clientCrypto)
        }
    }

    private mutating func restartClientHandshake() {
        keys = nil
        clientInitialDestinationConnectionID = nil
        clientCrypto = QUICCryptoStream()
        serverCrypto = QUICCryptoStream()
        clientHelloBody = nil
        serverHelloBody = nil
        googleClientHello = nil
    }

    // MARK: Server

    /// Adds one server→client UDP payload. Returns whether it looked like QUIC.
    @discardableResult
    public mutating func addServerDatagram(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first else { return false }
        if let clearVersion = GoogleQUIC.clearTextVersion(of: bytes) {
            noteVersion(clearVersion.rawValue)
            isQUIC = true
            return true
        }
        guard first & 0x80 != 0 else { return isQUIC }

        var sawQUIC = false
        for range in QUICDatagram.packetRanges(in: bytes) {
            let packet = UnsafeRawBufferPointer(rebasing: bytes[range])
            guard let header = QUICLongHeader.parse(packet) else { continue }
            if header.version == .versionNegotiation {
                sawQUIC = true
                sawVersionNegotiation = true
                continue
            }
            guard header.version.isKnown else { continue }
            sawQUIC = true
            isQUIC = true
            noteVersion(header.version.rawValue)
            switch header.packetType {
            case .retry:
                // The client's next Initial uses the Retry's SCID as DCID, and keys from it.
                sawRetry = true
                keys = nil
                clientInitialDestinationConnectionID = nil
                serverCrypto = QUICCryptoStream()
            case .initial:
                handleServerInitial(packet, header: header)
            default:
                continue
            }
        }
        return sawQUIC || isQUIC
    }

    private mutating func handleServerInitial(_ packet: UnsafeRawBufferPointer, header: QUICLongHeader) {
        guard serverHelloBody == nil, header.version.carriesTLS, let keys,
              decryptedServerInitialPackets < Self.maxInitialPacketsPerDirection,
              let unprotected = QUICInitialProtection.unprotect(packet: packet, header: header, keys: keys.server)
        else { return }
        decryptedServerInitialPackets += 1
        Self.collectCrypto(unprotected.payload, version: header.version, into: &serverCrypto)
        if let message = serverCrypto.firstHandshakeMessage, message.type == 2 {
            serverHelloBody = Array(message.body)
        }
    }

    // MARK: Helpers

    private mutating func noteVersion(_ raw: UInt32) {
        if version == nil { version = raw }
    }

    private static func collectCrypto(_ payload: [UInt8], version: QUICVersion, into stream: inout QUICCryptoStream) {
        payload.withUnsafeBytes { bytes in
            if version.usesGoogleFrames {
                GoogleQUIC.forEachCryptoFrame(inDecryptedPayload: bytes) { offset, data in
                    stream.insert(offset: offset, data: data)
                }
                return
            }
            var frames = QUICFrameReader(bytes)
            while let frame = frames.next() {
                if case .crypto(let offset, let data) = frame {
                    stream.insert(offset: offset, data: data)
                }
            }
        }
    }

    private static func googleHandshake(in stream: QUICCryptoStream) -> GoogleQUICHandshakeMessage? {
        let prefix = Array(stream.contiguousPrefix)
        return prefix.withUnsafeBytes { bytes in
            guard let length = GoogleQUICHandshakeMessage.totalLength(bytes), length <= bytes.count else { return nil }
            return GoogleQUICHandshakeMessage.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<length]))
        }
    }
}
