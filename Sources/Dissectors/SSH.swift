/// An SSH identification string (RFC 4253 §4.2): `SSH-protoversion-softwareversion [SP comments]`.
public struct SSHBanner: Sendable, Equatable {
    /// The whole line without CR LF, control characters escaped.
    public var text: String
    /// "2.0", "1.99", "1.5"
    public var protocolVersion: String
    /// "OpenSSH_9.2p1"
    public var softwareVersion: String
    /// Text after the first space ("Debian-2+deb12u10"), or nil.
    public var comments: String?

    /// The longest identification line allowed, CR LF included.
    public static let maxLength = 255

    /// Parses one banner line (without its line terminator).
    public static func parse(line: UnsafeRawBufferPointer) -> SSHBanner? {
        guard line.count >= 8, line.count <= maxLength - 2, line.starts(with: "SSH-".utf8) else { return nil }
        let text = ByteReader.printable(line)
        let afterPrefix = text.dropFirst(4)
        guard let dash = afterPrefix.firstIndex(of: "-") else { return nil }
        let protocolVersion = String(afterPrefix[..<dash])
        let software = afterPrefix[afterPrefix.index(after: dash)...]
        guard !protocolVersion.isEmpty, !software.isEmpty else { return nil }
        if let space = software.firstIndex(of: " ") {
            return SSHBanner(
                text: text, protocolVersion: protocolVersion,
                softwareVersion: String(software[..<space]),
                comments: String(software[software.index(after: space)...])
            )
        }
        return SSHBanner(text: text, protocolVersion: protocolVersion, softwareVersion: String(software), comments: nil)
    }
}

/// An SSH_MSG_KEXINIT (RFC 4253 §7.1): the algorithms one side offers, most preferred first.
public struct SSHKexInit: Sendable, Equatable {
    public static let messageNumber: UInt8 = 20

    public var cookie: [UInt8]
    public var kexAlgorithms: [String]
    public var serverHostKeyAlgorithms: [String]
    public var encryptionClientToServer: [String]
    public var encryptionServerToClient: [String]
    public var macClientToServer: [String]
    public var macServerToClient: [String]
    public var compressionClientToServer: [String]
    public var compressionServerToClient: [String]
    public var languagesClientToServer: [String]
    public var languagesServerToClient: [String]
    public var firstKexPacketFollows: Bool

    /// Parses a KEXINIT message payload, starting with the message number 20.
    public static func parse(payload: UnsafeRawBufferPointer) -> SSHKexInit? {
        var reader = ByteReader(payload)
        guard reader.u8() == messageNumber, let cookie = reader.array(16) else { return nil }
        var lists: [[String]] = []
        for _ in 0..<10 {
            guard let length = reader.u32(), length <= UInt32(SSHStream.maxPacketLength),
                  let bytes = reader.bytes(Int(length))
            else { return nil }
            lists.append(nameList(bytes))
        }
        // first_kex_packet_follows, then a reserved uint32 (some stacks omit it; not required).
        guard let follows = reader.u8(), lists.count == 10 else { return nil }
        return SSHKexInit(
            cookie: cookie,
            kexAlgorithms: lists[0], serverHostKeyAlgorithms: lists[1],
            encryptionClientToServer: lists[2], encryptionServerToClient: lists[3],
            macClientToServer: lists[4], macServerToClient: lists[5],
            compressionClientToServer: lists[6], compressionServerToClient: lists[7],
            languagesClientToServer: lists[8], languagesServerToClient: lists[9],
            firstKexPacketFollows: follows != 0
        )
    }

    /// Splits a comma-separated name-list; empty elements are kept so that joining with
    /// "," gives back the list exactly as sent.
    static func nameList(_ bytes: UnsafeRawBufferPointer) -> [String] {
        guard !bytes.isEmpty else { return [] }
        return ByteReader.printable(bytes).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}

/// What the start of one direction of an SSH connection shows in clear: lines before
/// the banner (a server may send some), the banner, and the first KEXINIT.
public struct SSHStream: Sendable, Equatable {
    /// Lines before the identification string (at most `maxPreBannerLines`).
    public var preBannerLines: [String]
    public var banner: SSHBanner
    /// The first KEXINIT among the first binary packets, or nil when the bytes end
    /// first or the packets are not as expected.
    public var kexInit: SSHKexInit?

    static let maxPreBannerLines = 16
    /// Binary packets looked at after the banner while searching for KEXINIT.
    static let maxPacketsBeforeKexInit = 4
    /// Longest binary packet accepted (RFC 4253 §6.1 requires 35000; OpenSSH allows 256 KiB).
    public static let maxPacketLength = 256 * 1024

    /// Parses the first bytes of one direction of an SSH connection. Returns nil when
    /// no identification line (`SSH-...`) is found among the first lines.
    public static func parse(_ stream: UnsafeRawBufferPointer) -> SSHStream? {
        var reader = ByteReader(stream)
        var preBanner: [String] = []
        var banner: SSHBanner?
        while banner == nil {
            guard let line = nextLine(&reader) else { return nil }
            if line.starts(with: "SSH-".utf8) {
                guard let parsed = SSHBanner.parse(line: line) else { return nil }
                banner = parsed
            } else {
                guard preBanner.count < maxPreBannerLines else { return nil }
                preBanner.append(ByteReader.printable(line))
            }
        }
        guard let banner else { return nil }
        return SSHStream(preBannerLines: preBanner, banner: banner, kexInit: firstKexInit(&reader))
    }

    /// A line of at most 255 bytes ending in LF (CR before it removed).
    static func nextLine(_ reader: inout ByteReader) -> UnsafeRawBufferPointer? {
        let start = reader.offset
        var probe = reader
        while let byte = probe.u8() {
            let length = probe.offset - start
            guard length <= SSHBanner.maxLength else { return nil }
            if byte == 0x0A {
                guard var line = reader.bytes(length - 1) else { return nil }
                reader.skip(1)
                if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
                return line
            }
        }
        return nil
    }

    /// Walks unencrypted binary packets (uint32 packet_length, byte padding_length,
    /// payload, padding; no MAC before the first NEWKEYS) looking for KEXINIT.
    static func firstKexInit(_ reader: inout ByteReader) -> SSHKexInit? {
        for _ in 0..<maxPacketsBeforeKexInit {
            guard let packetLength = reader.u32(), packetLength >= 5, packetLength <= UInt32(maxPacketLength),
                  var packet = reader.sub(Int(packetLength)),
                  let padding = packet.u8(), Int(padding) < packet.remaining,
                  let payload = packet.bytes(packet.remaining - Int(padding))
            else { return nil }
            guard let message = payload.first else { continue }
            if message == SSHKexInit.messageNumber { return SSHKexInit.parse(payload: payload) }
            // Anything after NEWKEYS is encrypted: stop there.
            if message == 21 { return nil }
        }
        return nil
    }
}
