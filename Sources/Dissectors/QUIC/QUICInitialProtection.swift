import Crypto
import CryptoExtras

/// AEAD key, IV and header-protection key for one direction of one packet
/// number space. Raw bytes, so the value is `Sendable` and easy to compare in tests.
public struct QUICPacketProtectionKeys: Hashable, Sendable {
    public let key: [UInt8]
    public let iv: [UInt8]
    public let headerProtectionKey: [UInt8]

    public init(key: [UInt8], iv: [UInt8], headerProtectionKey: [UInt8]) {
        self.key = key
        self.iv = iv
        self.headerProtectionKey = headerProtectionKey
    }
}

/// Client and server Initial keys, derived from public inputs only: the version's
/// salt and the Destination Connection ID of the client's first Initial
/// (RFC 9001 §5.2). Anyone on the path can compute them.
public struct QUICInitialKeys: Hashable, Sendable {
    public let client: QUICPacketProtectionKeys
    public let server: QUICPacketProtectionKeys

    /// nil when the version has no known Initial salt.
    public init?(version: QUICVersion, clientDestinationConnectionID dcid: [UInt8]) {
        guard let parameters = version.initialProtection else { return nil }
        self.init(parameters: parameters, clientDestinationConnectionID: dcid)
    }

    public init(parameters: QUICInitialProtectionParameters, clientDestinationConnectionID dcid: [UInt8]) {
        // HKDF-Extract (RFC 5869 §2.2): the salt keys the MAC of the DCID.
        let extract = parameters.salt.withUnsafeBytes { InitialHMAC(key: $0) }
        let initialSecret = dcid.withUnsafeBytes { extract.authenticate($0) }
        // One keyed MAC per secret, shared by its labels (keying costs two hash blocks).
        let initial = initialSecret.withUnsafeBytes { InitialHMAC(key: $0) }
        client = Self.keys(from: Self.expandLabel(initial, label: "client in", length: 32), parameters: parameters)
        server = Self.keys(from: Self.expandLabel(initial, label: "server in", length: 32), parameters: parameters)
    }

    private static func keys(from secret: [UInt8], parameters: QUICInitialProtectionParameters) -> QUICPacketProtectionKeys {
        // Initial packets always use AES-128-GCM (RFC 9001 §5).
        let mac = secret.withUnsafeBytes { InitialHMAC(key: $0) }
        return QUICPacketProtectionKeys(
            key: expandLabel(mac, label: parameters.keyLabel, length: 16),
            iv: expandLabel(mac, label: parameters.ivLabel, length: 12),
            headerProtectionKey: expandLabel(mac, label: parameters.headerProtectionLabel, length: 16)
        )
    }

    /// TLS 1.3 HKDF-Expand-Label with an empty context (RFC 8446 §7.1), for outputs
    /// of one SHA-256 block at most (`length` ≤ 32, as every Initial key is): T(1) =
    /// HMAC(PRK, info | 0x01), truncated (RFC 5869 §2.3), with the HMAC already keyed.
    static func expandLabel(_ keyed: InitialHMAC, label: String, length: Int) -> [UInt8] {
        let prefix = "tls13 ".utf8, text = label.utf8
        // info: length (2), label length (1), "tls13 " + label, empty context (1); then the block counter.
        let infoLength = 3 + prefix.count + text.count + 2
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: infoLength) { info in
            info[0] = UInt8(truncatingIfNeeded: length >> 8)
            info[1] = UInt8(truncatingIfNeeded: length)
            info[2] = UInt8(truncatingIfNeeded: prefix.count + text.count)
            var end = 3
            for byte in prefix { info[end] = byte; end += 1 }
            for byte in text { info[end] = byte; end += 1 }
            info[end] = 0  // empty context
            info[end + 1] = 1  // T(1)
            return keyed.authenticate(UnsafeRawBufferPointer(info)).withUnsafeBytes {
                Array($0.prefix(min(length, SHA256.byteCount)))
            }
        }
    }
}

/// A long-header packet with its protection removed.
public struct QUICUnprotectedPacket: Hashable, Sendable {
    /// The header with the first byte and packet number in clear (the AEAD's AAD).
    public let header: [UInt8]
    /// The truncated packet number as sent (1 to 4 bytes). For the first packets of a
    /// connection it equals the full packet number.
    public let packetNumber: UInt64
    public let payload: [UInt8]
}

/// Removes Initial packet protection (RFC 9001 §5.3–5.4): AES header protection
/// then AES-128-GCM. Every failure — short packet, bad key, failed tag — is nil.
public enum QUICInitialProtection {
    public static let sampleLength = 16
    public static let tagLength = 16

    /// - Parameters:
    ///   - packet: the bytes of one packet (as delimited by `QUICDatagram.packetRanges`).
    ///   - header: `QUICLongHeader.parse(packet)`.
    ///   - keys: the sender's keys (client keys for client packets).
    public static func unprotect(packet: UnsafeRawBufferPointer, header: QUICLongHeader,
                                 keys: QUICPacketProtectionKeys) -> QUICUnprotectedPacket? {
        guard header.packetType != nil, header.packetType != .retry else { return nil }
        let pnOffset = header.packetNumberOffset
        let end = header.packetLength
        // The sample starts 4 bytes after the packet number offset (RFC 9001 §5.4.2),
        // whatever the real packet number length turns out to be.
        guard pnOffset >= 0, end <= packet.count, pnOffset + 4 + sampleLength <= end else { return nil }

        var sample = Array(packet[(pnOffset + 4)..<(pnOffset + 4 + sampleLength)])
        do {
            try AES.permute(&sample, key: SymmetricKey(data: keys.headerProtectionKey))
        } catch {
            return nil
        }
        let mask = sample  // the first 5 bytes are used

        guard let protectedFirst = packet.first else { return nil }
        let firstByte = protectedFirst ^ (mask[0] & 0x0f)  // long header: 4 bits protected
        let pnLength = Int(firstByte & 0x03) + 1
        guard pnOffset + pnLength + tagLength <= end else { return nil }

        var header = Array(packet[0..<(pnOffset + pnLength)])
        header[0] = firstByte
        var packetNumber: UInt64 = 0
        for index in 0..<pnLength {
            let clear = header[pnOffset + index] ^ mask[1 + index]
            header[pnOffset + index] = clear
            packetNumber = packetNumber << 8 | UInt64(clear)
        }

        var nonce = keys.iv
        guard nonce.count == 12 else { return nil }
        for index in 0..<8 {
            nonce[4 + index] ^= UInt8(truncatingIfNeeded: packetNumber >> (8 * (7 - index)))
        }

        // Buffers, not slices, for swift-crypto's generic DataProtocol copies.
        let ciphertext = UnsafeRawBufferPointer(rebasing: packet[(pnOffset + pnLength)..<(end - tagLength)])
        let tag = UnsafeRawBufferPointer(rebasing: packet[(end - tagLength)..<end])
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
            let plaintext = try AES.GCM.open(box, using: SymmetricKey(data: keys.key), authenticating: header)
            return QUICUnprotectedPacket(header: header, packetNumber: packetNumber, payload: Array(plaintext))
        } catch {
            return nil
        }
    }
}
