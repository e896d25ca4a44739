import Crypto
import CryptoExtras
import Dissectors

/// Builds protected QUIC long-header Initial packets (RFC 9001 §5.3–5.4), the
/// inverse of `QUICInitialProtection.unprotect`, so that fuzzed plaintext frames
/// reach the code behind the AEAD: frame parsing, CRYPTO reassembly, the hellos.
public enum QUICProtect {
    /// Versions with Initial protection the dissector knows (v1, v2, draft-29,
    /// mvfst-27, Q050, T051).
    public static let versions: [UInt32] = [0x0000_0001, 0x6b33_43cf, 0xff00_001d, 0xfaceb002, 0x5130_3530, 0x5430_3531]

    /// One Initial packet from `sender`'s keys. `payload` is padded with PADDING
    /// frames so the header-protection sample exists.
    public static func initialPacket(version: UInt32, dcid: [UInt8], scid: [UInt8], packetNumber: UInt32, packetNumberLength: Int,
                                     payload: [UInt8], keys: QUICPacketProtectionKeys) -> [UInt8]? {
        let pnLength = max(1, min(4, packetNumberLength))
        var plaintext = payload
        if plaintext.count < 4 { plaintext += [UInt8](repeating: 0, count: 4 - plaintext.count) }
        let typeBits: UInt8 = QUICVersion(version).family == .v2 ? 1 : 0
        var header: [UInt8] = [0xC0 | (typeBits << 4) | UInt8(pnLength - 1)]
        header += [UInt8(version >> 24), UInt8(truncatingIfNeeded: version >> 16), UInt8(truncatingIfNeeded: version >> 8), UInt8(truncatingIfNeeded: version)]
        header.append(UInt8(dcid.count)); header += dcid
        header.append(UInt8(scid.count)); header += scid
        header.append(0)  // token length
        let length = pnLength + plaintext.count + QUICInitialProtection.tagLength
        guard length < 0x4000 else { return nil }
        header += [0x40 | UInt8(length >> 8), UInt8(truncatingIfNeeded: length)]
        let pnOffset = header.count
        for index in (0..<pnLength).reversed() { header.append(UInt8(truncatingIfNeeded: packetNumber >> (8 * UInt32(index)))) }

        var nonce = keys.iv
        for index in 0..<8 { nonce[4 + index] ^= UInt8(truncatingIfNeeded: UInt64(packetNumber) >> (8 * (7 - index))) }
        guard let sealed = try? AES.GCM.seal(plaintext, using: SymmetricKey(data: keys.key), nonce: AES.GCM.Nonce(data: nonce), authenticating: header)
        else { return nil }
        var packet = header + Array(sealed.ciphertext) + Array(sealed.tag)

        var sample = Array(packet[(pnOffset + 4)..<(pnOffset + 4 + QUICInitialProtection.sampleLength)])
        guard (try? AES.permute(&sample, key: SymmetricKey(data: keys.headerProtectionKey))) != nil else { return nil }
        packet[0] ^= sample[0] & 0x0F
        for index in 0..<pnLength { packet[pnOffset + index] ^= sample[1 + index] }
        return packet
    }
}
