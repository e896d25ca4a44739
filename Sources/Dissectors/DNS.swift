import Basics
import Decoding

/// A DNS resource record type, by number, with its mnemonic when it has a common one.
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ns = DNSRecordType(rawValue: 2)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let ptr = DNSRecordType(rawValue: 12)
    public static let hinfo = DNSRecordType(rawValue: 13)
    public static let mx = DNSRecordType(rawValue: 15)
    public static let txt = DNSRecordType(rawValue: 16)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let srv = DNSRecordType(rawValue: 33)
    public static let naptr = DNSRecordType(rawValue: 35)
    public static let dname = DNSRecordType(rawValue: 39)
    public static let opt = DNSRecordType(rawValue: 41)
    public static let ds = DNSRecordType(rawValue: 43)
    public static let rrsig = DNSRecordType(rawValue: 46)
    public static let nsec = DNSRecordType(rawValue: 47)
    public static let dnskey = DNSRecordType(rawValue: 48)
    public static let nsec3 = DNSRecordType(rawValue: 50)
    public static let svcb = DNSRecordType(rawValue: 64)
    public static let https = DNSRecordType(rawValue: 65)
    public static let any = DNSRecordType(rawValue: 255)
    public static let caa = DNSRecordType(rawValue: 257)

    /// The mnemonic ("A", "HTTPS"), or "TYPE<n>" (RFC 3597) for the others.
    public var name: String {
        switch rawValue {
        case 1: "A"
        case 2: "NS"
        case 5: "CNAME"
        case 6: "SOA"
        case 12: "PTR"
        case 13: "HINFO"
        case 15: "MX"
        case 16: "TXT"
        case 28: "AAAA"
        case 33: "SRV"
        case 35: "NAPTR"
        case 39: "DNAME"
        case 41: "OPT"
        case 43: "DS"
        case 46: "RRSIG"
        case 47: "NSEC"
        case 48: "DNSKEY"
        case 50: "NSEC3"
        case 64: "SVCB"
        case 65: "HTTPS"
        case 251: "IXFR"
        case 252: "AXFR"
        case 255: "ANY"
        case 257: "CAA"
        default: "TYPE\(rawValue)"
        }
    }

    public var description: String { name }
}

public struct DNSQuestion: Sendable, Equatable {
    /// The name in presentation form without the trailing dot ("." for the root).
    public var name: String
    public var type: DNSRecordType
    /// The class field as sent; in mDNS its top bit asks for a unicast response.
    public var recordClass: UInt16
}

public struct DNSRecord: Sendable, Equatable {
    public var name: String
    public var type: DNSRecordType
    /// The class field as sent (for OPT: the sender's UDP payload size; in mDNS the
    /// top bit is the cache-flush flag).
    public var recordClass: UInt16
    public var ttl: UInt32
    /// The record data as one line of text, close to zone-file presentation form:
    /// A/AAAA address; CNAME/NS/PTR/DNAME target; MX "preference exchange";
    /// SRV "priority weight port target"; TXT strings concatenated; SOA "mname rname serial
    /// refresh retry expire minimum"; SVCB/HTTPS "priority target key=value..." with alpn,
    /// port, ipv4hint, ipv6hint (ech and unknown keys by name only); OPT "udp=N version=N
    /// [do] [options=..]"; anything else (or malformed data) RFC 3597 `\# <length> <hex>`,
    /// hex cut after 256 bytes.
    public var data: String
    /// Addresses the record carries: the A/AAAA address, or SVCB/HTTPS ipv4hint/ipv6hint.
    public var addresses: [IPAddress]
    /// The name the record points at: CNAME/NS/PTR/DNAME target, MX exchange, SRV/SVCB/HTTPS target.
    public var target: String?
}

/// One DNS message (RFC 1035, with EDNS(0) and SVCB/HTTPS data), from the bytes of a
/// UDP payload or of one message of a TCP stream.
public struct DNSMessage: Sendable, Equatable {
    public var id: UInt16
    public var isResponse: Bool
    public var opcode: UInt8
    public var isAuthoritative: Bool
    public var isTruncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    public var authenticData: Bool
    public var checkingDisabled: Bool
    /// The response code: the header's 4 bits, extended by the OPT record's upper 8 bits.
    public var rcode: UInt16
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    public var authorities: [DNSRecord]
    public var additionals: [DNSRecord]
    /// The four counts from the header, as sent.
    public var questionCount: UInt16
    public var answerCount: UInt16
    public var authorityCount: UInt16
    public var additionalCount: UInt16
    /// False when the header promised more records than could be read (the message was
    /// cut short or a record was malformed); the sections hold what came before.
    public var isComplete: Bool

    /// "NOERROR", "NXDOMAIN", ... or "RCODE<n>".
    public var rcodeName: String { Self.rcodeName(rcode) }

    public static func rcodeName(_ code: UInt16) -> String {
        switch code {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 6: "YXDOMAIN"
        case 7: "YXRRSET"
        case 8: "NXRRSET"
        case 9: "NOTAUTH"
        case 10: "NOTZONE"
        case 16: "BADVERS"
        case 23: "BADCOOKIE"
        default: "RCODE\(code)"
        }
    }

    /// "QUERY", "IQUERY", "STATUS", "NOTIFY", "UPDATE", "DSO" or "OPCODE<n>".
    public var opcodeName: String {
        switch opcode {
        case 0: "QUERY"
        case 1: "IQUERY"
        case 2: "STATUS"
        case 4: "NOTIFY"
        case 5: "UPDATE"
        case 6: "DSO"
        default: "OPCODE\(opcode)"
        }
    }
}

// MARK: - Parsing

extension DNSMessage {
    /// At most this many records are parsed per section (more are not kept).
    public static let maxRecordsPerSection = 256
    /// At most this many questions are parsed.
    public static let maxQuestions = 64

    static let headerLength = 12

    /// Parses one DNS message. Returns nil when the header or a question is malformed;
    /// a malformed or missing record ends parsing with `isComplete == false`.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> DNSMessage? {
        var reader = ByteReader(bytes)
        guard let id = reader.u16(), let flags = reader.u16(),
              let qdCount = reader.u16(), let anCount = reader.u16(),
              let nsCount = reader.u16(), let arCount = reader.u16()
        else { return nil }

        var message = DNSMessage(
            id: id,
            isResponse: flags & 0x8000 != 0,
            opcode: UInt8((flags >> 11) & 0x0F),
            isAuthoritative: flags & 0x0400 != 0,
            isTruncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0,
            recursionAvailable: flags & 0x0080 != 0,
            authenticData: flags & 0x0020 != 0,
            checkingDisabled: flags & 0x0010 != 0,
            rcode: flags & 0x000F,
            questions: [], answers: [], authorities: [], additionals: [],
            questionCount: qdCount, answerCount: anCount,
            authorityCount: nsCount, additionalCount: arCount,
            isComplete: true
        )

        // A question takes at least 5 bytes; refuse counts the bytes cannot hold
        // before allocating anything.
        guard Int(qdCount) * 5 <= reader.remaining else { return nil }
        for index in 0..<Int(qdCount) {
            guard let name = DNSName.read(&reader, message: bytes),
                  let type = reader.u16(), let recordClass = reader.u16()
            else { return nil }
            if index < maxQuestions {
                message.questions.append(DNSQuestion(name: name, type: DNSRecordType(rawValue: type), recordClass: recordClass))
            }
        }

        let sections: [(count: UInt16, keyPath: WritableKeyPath<DNSMessage, [DNSRecord]>)] = [
            (anCount, \.answers), (nsCount, \.authorities), (arCount, \.additionals),
        ]
        sectionLoop: for section in sections {
            for index in 0..<Int(section.count) {
                guard let record = readRecord(&reader, message: bytes) else {
                    message.isComplete = false
                    break sectionLoop
                }
                if record.type == .opt {
                    // EDNS(0): the TTL's top byte holds the upper 8 bits of the rcode.
                    message.rcode |= UInt16(record.ttl >> 24) << 4
                }
                if index < maxRecordsPerSection {
                    message[keyPath: section.keyPath].append(record)
                }
            }
        }
        return message
    }

    /// Parses DNS over TCP (RFC 1035 §4.2.2, RFC 7766): messages each preceded by a
    /// 2-byte length. Stops at the first incomplete or malformed message, or after
    /// `maxMessages`; a trailing partial message is not returned.
    public static func parseTCP(_ stream: UnsafeRawBufferPointer, maxMessages: Int = 64) -> [DNSMessage] {
        var reader = ByteReader(stream)
        var messages: [DNSMessage] = []
        while messages.count < maxMessages,
              let body = reader.vector16(),
              let message = parse(body.bytes) {
            messages.append(message)
        }
        return messages
    }

    /// A cheap plausibility test for "this UDP payload is a DNS message": a sane header
    /// whose counts fit the bytes, and a first question (or record) that parses.
    public static func looksLikeDNS(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = ByteReader(bytes)
        guard let _ = reader.u16(), let flags = reader.u16(),
              let qdCount = reader.u16(), let anCount = reader.u16(),
              let nsCount = reader.u16(), let arCount = reader.u16()
        else { return false }
        let opcode = (flags >> 11) & 0x0F
        guard opcode <= 6, opcode != 3 else { return false }
        let minimumBytes = Int(qdCount) * 5 + (Int(anCount) + Int(nsCount) + Int(arCount)) * 11
        guard Int(qdCount) + Int(anCount) + Int(nsCount) + Int(arCount) > 0, minimumBytes <= reader.remaining else { return false }
        if qdCount > 0 {
            return DNSName.read(&reader, message: bytes) != nil && reader.skip(4)
        }
        return readRecord(&reader, message: bytes) != nil
    }

    static func readRecord(_ reader: inout ByteReader, message: UnsafeRawBufferPointer) -> DNSRecord? {
        guard let name = DNSName.read(&reader, message: message),
              let rawType = reader.u16(), let recordClass = reader.u16(), let ttl = reader.u32(),
              let rdataLength = reader.u16()
        else { return nil }
        let rdataOffset = reader.offset
        guard let rdata = reader.bytes(Int(rdataLength)) else { return nil }
        let type = DNSRecordType(rawValue: rawType)
        var record = DNSRecord(name: name, type: type, recordClass: recordClass, ttl: ttl, data: "", addresses: [], target: nil)
        if !RecordData.decode(&record, rdata: rdata, rdataOffset: rdataOffset, message: message) {
            record.data = RecordData.generic(rdata)
            record.addresses = []
            record.target = nil
        }
        return record
    }
}

// MARK: - Names

/// Reading (possibly compressed) domain names, defensively.
enum DNSName {
    /// Longest name on the wire (RFC 1035 §2.3.4), length bytes included.
    static let maxWireLength = 255
    static let maxLabelLength = 63
    /// More compression pointers than a 255-byte name could need means a loop.
    static let maxPointers = 127

    /// Reads the name at the reader's offset; the reader moves past its in-place part
    /// (up to and including the first pointer). Pointers must go strictly backwards
    /// (before the label or pointer that uses them), so they cannot loop; the pointer
    /// count and the 255-byte limit bound the work anyway.
    static func read(_ reader: inout ByteReader, message: UnsafeRawBufferPointer) -> String? {
        // The presentation form is built in one stack buffer and made a String once:
        // every DNS flow reads several names.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxTextLength) { text in
            read(&reader, message: message, into: text).map { length in
                length == 0 ? "." : String(decoding: UnsafeBufferPointer(rebasing: text[0..<length]), as: UTF8.self)
            }
        }
    }

    /// The longest presentation form: every byte of a 255-byte name escaped as \DDD.
    static let maxTextLength = maxWireLength * 4

    /// Writes the name's presentation form into `text` (at least `maxTextLength` bytes)
    /// and returns its length (0 for the root).
    private static func read(_ reader: inout ByteReader, message: UnsafeRawBufferPointer,
                             into text: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var cursor = ByteReader(message, offset: reader.offset)
        var textLength = 0
        var wireLength = 1   // the final root byte
        var pointers = 0
        var resumeOffset: Int?   // where the caller's reader continues, after the first pointer
        // Pointers may only go before this offset; it shrinks with every jump.
        var backwardsLimit = reader.offset

        while true {
            let labelStart = cursor.offset
            guard let length = cursor.u8() else { return nil }
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    let end = resumeOffset ?? cursor.offset
                    guard reader.skip(end - reader.offset) else { return nil }
                    return textLength
                }
                wireLength += Int(length) + 1
                guard wireLength <= maxWireLength, let label = cursor.bytes(Int(length)) else { return nil }
                if textLength > 0 { text[textLength] = UInt8(ascii: "."); textLength += 1 }
                appendLabel(label, to: text, at: &textLength)
            case 0xC0:
                guard let low = cursor.u8() else { return nil }
                let target = Int(length & 0x3F) << 8 | Int(low)
                pointers += 1
                guard pointers <= maxPointers, target < labelStart, target < backwardsLimit,
                      target < message.count
                else { return nil }
                if resumeOffset == nil { resumeOffset = cursor.offset }
                backwardsLimit = target
                cursor = ByteReader(message, offset: target)
            default:
                // 0x40 (extended label, RFC 6891 deprecated it) and 0x80 are not used.
                return nil
            }
        }
    }

    /// Appends a label in presentation form: letters, digits, '-', '_' and other
    /// printable ASCII as is, '.' and '\' escaped, everything else as \DDD.
    /// At most 4 bytes per label byte, so a name within `maxWireLength` fits `maxTextLength`.
    static func appendLabel(_ label: UnsafeRawBufferPointer, to text: UnsafeMutableBufferPointer<UInt8>, at end: inout Int) {
        for byte in label {
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: "\\"):
                text[end] = UInt8(ascii: "\\")
                text[end + 1] = byte
                end += 2
            case 0x21...0x7E:
                text[end] = byte
                end += 1
            default:
                text[end] = UInt8(ascii: "\\")
                text[end + 1] = UInt8(ascii: "0") + byte / 100
                text[end + 2] = UInt8(ascii: "0") + byte / 10 % 10
                text[end + 3] = UInt8(ascii: "0") + byte % 10
                end += 4
            }
        }
    }
}

// MARK: - Record data

enum RecordData {
    static let maxGenericBytes = 256

    /// Fills `data`, `addresses` and `target`; false when the data does not have the
    /// shape its type requires.
    static func decode(_ record: inout DNSRecord, rdata: UnsafeRawBufferPointer, rdataOffset: Int, message: UnsafeRawBufferPointer) -> Bool {
        // Names inside rdata may be compressed, so they are read from the whole message,
        // limited to the rdata's end.
        let rdataEnd = rdataOffset + rdata.count
        var reader = ByteReader(rdata)
        func name(_ reader: inout ByteReader) -> String? {
            var messageReader = ByteReader(message, offset: rdataOffset + reader.offset)
            guard let name = DNSName.read(&messageReader, message: message),
                  messageReader.offset <= rdataEnd,
                  reader.skip(messageReader.offset - rdataOffset - reader.offset)
            else { return nil }
            return name
        }

        switch record.type {
        case .a:
            guard rdata.count == 4, let value = reader.u32() else { return false }
            let address = IPAddress(ipv4: value)
            record.addresses = [address]
            record.data = address.description
        case .aaaa:
            guard rdata.count == 16, let high = reader.u64(), let low = reader.u64() else { return false }
            let address = IPAddress(high: high, low: low)
            record.addresses = [address]
            record.data = address.description
        case .cname, .ns, .ptr, .dname:
            guard let target = name(&reader), reader.isAtEnd else { return false }
            record.target = target
            record.data = target
        case .mx:
            guard let preference = reader.u16(), let exchange = name(&reader), reader.isAtEnd else { return false }
            record.target = exchange
            record.data = "\(preference) \(exchange)"
        case .srv:
            guard let priority = reader.u16(), let weight = reader.u16(), let port = reader.u16(),
                  let target = name(&reader), reader.isAtEnd
            else { return false }
            record.target = target
            record.data = "\(priority) \(weight) \(port) \(target)"
        case .txt:
            var text = ""
            while !reader.isAtEnd {
                guard let string = reader.vector8() else { return false }
                text += ByteReader.printable(string.bytes)
            }
            record.data = text
        case .soa:
            guard let mname = name(&reader), let rname = name(&reader),
                  let serial = reader.u32(), let refresh = reader.u32(), let retry = reader.u32(),
                  let expire = reader.u32(), let minimum = reader.u32(), reader.isAtEnd
            else { return false }
            record.data = "\(mname) \(rname) \(serial) \(refresh) \(retry) \(expire) \(minimum)"
        case .svcb, .https:
            return decodeServiceBinding(&record, reader: &reader, name: name)
        case .opt:
            return decodeOPT(&record, reader: &reader)
        default:
            record.data = generic(rdata)
        }
        return true
    }

    /// SVCB/HTTPS (RFC 9460): priority, target name (never compressed, but reading it
    /// with the shared name reader is harmless), then key/value parameters.
    static func decodeServiceBinding(_ record: inout DNSRecord, reader: inout ByteReader, name: (inout ByteReader) -> String?) -> Bool {
        guard let priority = reader.u16(), let target = name(&reader) else { return false }
        record.target = target
        var parts = ["\(priority)", target]
        while !reader.isAtEnd {
            guard let key = reader.u16(), var value = reader.vector16() else { return false }
            switch key {
            case 0: // mandatory: list of keys
                var keys: [String] = []
                while let mandatoryKey = value.u16() { keys.append(serviceParameterName(mandatoryKey)) }
                guard value.isAtEnd else { return false }
                parts.append("mandatory=" + keys.joined(separator: ","))
            case 1: // alpn: length-prefixed protocol ids
                var protocols: [String] = []
                while !value.isAtEnd {
                    guard let id = value.vector8() else { return false }
                    protocols.append(ByteReader.printable(id.bytes))
                }
                parts.append("alpn=" + protocols.joined(separator: ","))
            case 2:
                parts.append("no-default-alpn")
            case 3:
                guard value.remaining == 2, let port = value.u16() else { return false }
                parts.append("port=\(port)")
            case 4:
                guard value.remaining % 4 == 0 else { return false }
                var hints: [String] = []
                while let v4 = value.u32() {
                    let address = IPAddress(ipv4: v4)
                    record.addresses.append(address)
                    hints.append(address.description)
                }
                parts.append("ipv4hint=" + hints.joined(separator: ","))
            case 6:
                guard value.remaining % 16 == 0 else { return false }
                var hints: [String] = []
                while let high = value.u64(), let low = value.u64() {
                    let address = IPAddress(high: high, low: low)
                    record.addresses.append(address)
                    hints.append(address.description)
                }
                parts.append("ipv6hint=" + hints.joined(separator: ","))
            default:
                // ech (5) and other keys: named, value left out (ech is a large blob).
                parts.append(serviceParameterName(key))
            }
        }
        record.data = parts.joined(separator: " ")
        return true
    }

    static func serviceParameterName(_ key: UInt16) -> String {
        switch key {
        case 0: "mandatory"
        case 1: "alpn"
        case 2: "no-default-alpn"
        case 3: "port"
        case 4: "ipv4hint"
        case 5: "ech"
        case 6: "ipv6hint"
        case 7: "dohpath"
        case 8: "ohttp"
        default: "key\(key)"
        }
    }

    /// EDNS(0) OPT pseudo-record (RFC 6891): class = UDP payload size, TTL = extended
    /// rcode, version and flags; the data is a list of options, listed by code.
    static func decodeOPT(_ record: inout DNSRecord, reader: inout ByteReader) -> Bool {
        var parts = ["udp=\(record.recordClass)", "version=\((record.ttl >> 16) & 0xFF)"]
        if record.ttl & 0x8000 != 0 { parts.append("do") }
        var codes: [String] = []
        while !reader.isAtEnd {
            guard let code = reader.u16(), reader.vector16() != nil else { return false }
            codes.append(optionName(code))
        }
        if !codes.isEmpty { parts.append("options=" + codes.joined(separator: ",")) }
        record.data = parts.joined(separator: " ")
        return true
    }

    static func optionName(_ code: UInt16) -> String {
        switch code {
        case 3: "NSID"
        case 8: "ECS"
        case 10: "COOKIE"
        case 11: "KEEPALIVE"
        case 12: "PADDING"
        case 15: "EDE"
        default: "\(code)"
        }
    }

    /// RFC 3597 generic form: `\# <length> <hex>`, hex cut after `maxGenericBytes`.
    static func generic(_ rdata: UnsafeRawBufferPointer) -> String {
        var text = "\\# \(rdata.count)"
        guard !rdata.isEmpty else { return text }
        text += " "
        text += Hex.lowercase(UnsafeRawBufferPointer(rebasing: rdata.prefix(maxGenericBytes)))
        if rdata.count > maxGenericBytes { text += "..." }
        return text
    }
}
