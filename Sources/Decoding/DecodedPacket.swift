import Basics

/// Link-layer header types, by the DLT values libpcap reports (`pcap_datalink`).
public struct LinkType: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let null = LinkType(rawValue: 0)          // BSD loopback, host-order AF
    public static let ethernet = LinkType(rawValue: 1)
    public static let ppp = LinkType(rawValue: 9)           // PPP, address/control optional
    public static let raw = LinkType(rawValue: 12)          // DLT_RAW on Linux
    public static let rawOpenBSD = LinkType(rawValue: 14)
    public static let pppHDLC = LinkType(rawValue: 50)      // DLT_PPP_SERIAL: PPP in HDLC-like framing
    public static let rawLinktype = LinkType(rawValue: 101) // LINKTYPE_RAW as stored in files
    public static let cHDLC = LinkType(rawValue: 104)       // Cisco HDLC
    public static let ieee80211 = LinkType(rawValue: 105)   // 802.11 frames, no radio header
    public static let loop = LinkType(rawValue: 108)        // OpenBSD loopback, network-order AF
    public static let linuxSLL = LinkType(rawValue: 113)
    public static let ieee80211Radiotap = LinkType(rawValue: 127)
    public static let ipv4 = LinkType(rawValue: 228)
    public static let ipv6 = LinkType(rawValue: 229)
    public static let nflog = LinkType(rawValue: 239)       // Linux netfilter NFLOG: header and TLVs
    public static let linuxSLL2 = LinkType(rawValue: 276)

    public var isSupported: Bool {
        switch self {
        case .null, .ethernet, .raw, .rawOpenBSD, .rawLinktype, .loop, .linuxSLL, .ipv4, .ipv6, .linuxSLL2,
             .ppp, .pppHDLC, .cHDLC, .ieee80211, .ieee80211Radiotap, .nflog: true
        default: false
        }
    }
}

/// IP protocol numbers the decoder and the flow table treat specially.
public enum IPProtocol {
    public static let icmp: UInt8 = 1
    public static let ipip: UInt8 = 4
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let ipv6: UInt8 = 41
    public static let gre: UInt8 = 47
    public static let esp: UInt8 = 50
    public static let ah: UInt8 = 51
    public static let icmpv6: UInt8 = 58
    public static let sctp: UInt8 = 132

    /// Protocols whose flows are keyed with ports (Community ID does the same).
    @inline(__always)
    public static func hasPorts(_ proto: UInt8) -> Bool {
        proto == tcp || proto == udp || proto == sctp
    }
}

/// The encapsulation a flow was carried in, when it was tunnelled.
public enum TunnelKind: UInt8, Sendable, CaseIterable {
    case none = 0
    case gre, erspan, vxlan, geneve, gtpu, ipip
    case teredo, ayiya, greUDP, l2tp

    public var name: String {
        switch self {
        case .none: "none"
        case .gre: "gre"
        case .erspan: "erspan"
        case .vxlan: "vxlan"
        case .geneve: "geneve"
        case .gtpu: "gtpu"
        case .ipip: "ipip"
        case .teredo: "teredo"
        case .ayiya: "ayiya"
        case .greUDP: "gre_udp"
        case .l2tp: "l2tp"
        }
    }
}

/// The innermost tunnel around a packet: its kind, the outer endpoints and its id
/// (VXLAN/Geneve VNI, GTP-U TEID, GRE key, ERSPAN session, L2TP tunnel id << 16 | session id).
public struct TunnelInfo: Hashable, Sendable {
    public var kind: TunnelKind = .none
    public var hasID: Bool = false
    public var id: UInt32 = 0
    public var outerSource: IPAddress = .zero
    public var outerDestination: IPAddress = .zero
    /// How many tunnel layers were peeled off (1 when not nested).
    public var depth: UInt8 = 0

    public init() {}
}

/// Up to two 802.1Q/802.1ad VLAN ids, outermost first, packed without allocation.
/// Deeper tags are counted but not kept.
public struct VLANTags: Hashable, Sendable {
    public private(set) var packed: UInt32 = 0

    public init() {}

    public var count: Int { Int(packed >> 28) }

    public var ids: [UInt16] {
        switch count {
        case 0: []
        case 1: [UInt16(packed & 0xFFF)]
        default: [UInt16(packed & 0xFFF), UInt16((packed >> 12) & 0xFFF)]
        }
    }

    @inline(__always)
    mutating func append(_ id: UInt16) {
        let n = count
        if n == 0 {
            packed = (1 << 28) | UInt32(id & 0xFFF)
        } else if n == 1 {
            packed = (2 << 28) | (UInt32(id & 0xFFF) << 12) | (packed & 0xFFF)
        }
    }
}

/// Why a packet could not be turned into a flow packet. Counted, never fatal.
public enum DecodeFailure: UInt8, CaseIterable, Sendable {
    case unsupportedLinkType = 0
    case truncatedLinkHeader
    case truncatedVLAN
    case truncatedMPLS
    case truncatedPPPoE
    case unsupportedPPPProtocol
    case truncatedIPv4
    case badIPv4Header
    case badIPVersion
    case truncatedIPv6
    case badIPv6ExtensionHeader
    case truncatedTCP
    case badTCPHeader
    case truncatedUDP
    case truncatedSCTP
    case truncatedICMP
    case tooManyLayers
    case fragmentIncomplete
    case fragmentInvalid
    case fragmentLimit
    case badHDLCHeader
    case truncatedNFLOG
    case badNFLOGAttribute
    case nflogWithoutPayload
    case badRadiotapHeader
    case badWLANHeader
    /// A protected (encrypted) 802.11 data frame: its payload is never guessed at.
    case protectedWLANFrame

    /// The snake_case name used in the run summary.
    public var name: String {
        switch self {
        case .unsupportedLinkType: "unsupported_link_type"
        case .truncatedLinkHeader: "truncated_link_header"
        case .truncatedVLAN: "truncated_vlan"
        case .truncatedMPLS: "truncated_mpls"
        case .truncatedPPPoE: "truncated_pppoe"
        case .unsupportedPPPProtocol: "unsupported_ppp_protocol"
        case .truncatedIPv4: "truncated_ipv4"
        case .badIPv4Header: "bad_ipv4_header"
        case .badIPVersion: "bad_ip_version"
        case .truncatedIPv6: "truncated_ipv6"
        case .badIPv6ExtensionHeader: "bad_ipv6_extension_header"
        case .truncatedTCP: "truncated_tcp"
        case .badTCPHeader: "bad_tcp_header"
        case .truncatedUDP: "truncated_udp"
        case .truncatedSCTP: "truncated_sctp"
        case .truncatedICMP: "truncated_icmp"
        case .tooManyLayers: "too_many_layers"
        case .fragmentIncomplete: "fragment_incomplete"
        case .fragmentInvalid: "fragment_invalid"
        case .fragmentLimit: "fragment_limit"
        case .badHDLCHeader: "bad_hdlc_header"
        case .truncatedNFLOG: "truncated_nflog"
        case .badNFLOGAttribute: "bad_nflog_attribute"
        case .nflogWithoutPayload: "nflog_without_payload"
        case .badRadiotapHeader: "bad_radiotap_header"
        case .badWLANHeader: "bad_wlan_header"
        case .protectedWLANFrame: "wlan_protected"
        }
    }
}

/// A packet that is not IP, identified for the run summary: an EtherType, an
/// 802.3/LLC frame, an unknown loopback address family, a PPP control protocol,
/// or an 802.11 frame that carries no data.
public struct NonIPKind: Hashable, Sendable {
    public var code: UInt32

    public static func etherType(_ type: UInt16) -> NonIPKind { NonIPKind(code: UInt32(type)) }
    public static let llc = NonIPKind(code: 0x1_0000)
    public static func addressFamily(_ family: UInt32) -> NonIPKind { NonIPKind(code: 0x2_0000 | (family & 0xFFFF)) }
    public static func pppProtocol(_ proto: UInt16) -> NonIPKind { NonIPKind(code: 0x4_0000 | UInt32(proto)) }
    public static let wlanManagement = NonIPKind(code: 0x8_0000)
    public static let wlanControl = NonIPKind(code: 0x8_0001)
    /// Null-function and other data subtypes without a frame body.
    public static let wlanNoData = NonIPKind(code: 0x8_0002)
    /// Cisco HDLC's keepalive protocol, which reuses RARP's number 0x8035.
    public static let ciscoSLARP = NonIPKind(code: 0x8_0010)

    public var name: String {
        switch code {
        case 0x0806: return "arp"
        case 0x8035: return "rarp"
        case 0x88CC: return "lldp"
        case 0x888E: return "eapol"
        case 0x8863: return "pppoe_discovery"
        case 0x88E1: return "homeplug"
        case 0x8899: return "realtek"
        case 0x9000: return "ethernet_loopback"
        case 0x88F7: return "ptp"
        case 0x1_0000: return "llc"
        case 0x4_C021: return "ppp_lcp"
        case 0x4_C023: return "ppp_pap"
        case 0x4_C223: return "ppp_chap"
        case 0x4_8021: return "ppp_ipcp"
        case 0x4_8057: return "ppp_ipv6cp"
        case 0x4_80FD: return "ppp_ccp"
        case 0x8_0000: return "wlan_management"
        case 0x8_0001: return "wlan_control"
        case 0x8_0002: return "wlan_null_data"
        case 0x8_0010: return "cisco_slarp"
        default:
            if code & 0x2_0000 != 0 { return "address_family_\(code & 0xFFFF)" }
            if code & 0x4_0000 != 0 { return "ppp_0x" + Hex.lowercase(code & 0xFFFF, digits: 4) }
            return "ethertype_0x" + Hex.lowercase(code, digits: 4)
        }
    }
}

/// TCP flag bits as they appear in the header's flags byte.
public enum TCPFlags {
    public static let fin: UInt8 = 0x01
    public static let syn: UInt8 = 0x02
    public static let rst: UInt8 = 0x04
    public static let psh: UInt8 = 0x08
    public static let ack: UInt8 = 0x10
    public static let urg: UInt8 = 0x20
    public static let ece: UInt8 = 0x40
    public static let cwr: UInt8 = 0x80
}

/// One decoded packet: plain values and a view into the captured bytes, valid
/// until the next packet is decoded. Reused across packets; nothing is allocated.
public struct DecodedPacket {
    public var ipVersion: UInt8 = 0
    public var proto: UInt8 = 0
    public var source: IPAddress = .zero
    public var destination: IPAddress = .zero
    public var sourcePort: UInt16 = 0
    public var destinationPort: UInt16 = 0
    public var tcpFlags: UInt8 = 0
    public var tcpSequence: UInt32 = 0
    public var tcpAcknowledgement: UInt32 = 0
    public var tcpWindow: UInt16 = 0
    /// TCP header length in bytes (0 for other protocols).
    public var tcpHeaderLength: UInt8 = 0
    /// The captured TCP option bytes (for JA4T/JA4TS on SYN and SYN-ACK).
    public var tcpOptions = UnsafeRawBufferPointer(start: nil, count: 0)
    public var icmpType: UInt8 = 0
    public var icmpCode: UInt8 = 0
    /// Bytes 4–5 of the ICMP header: the identifier of echo, timestamp, information and
    /// address-mask messages (0 when the message is shorter).
    public var icmpIdentifier: UInt16 = 0
    /// IP time-to-live / hop limit of the innermost IP header.
    public var ttl: UInt8 = 0
    public var vlans = VLANTags()
    public var tunnel = TunnelInfo()
    /// IP bytes on the wire (innermost IP header and everything after it), summed
    /// over all fragments for a reassembled datagram.
    public var ipBytes: UInt32 = 0
    /// Transport payload length on the wire, which may exceed `payload.count` when
    /// the capture's snap length cut the packet.
    public var payloadLength: UInt32 = 0
    /// The captured transport payload bytes.
    public var payload = UnsafeRawBufferPointer(start: nil, count: 0)
    /// Frames this packet stands for: 1, or the fragment count of a reassembled datagram.
    public var frames: UInt32 = 1
    /// The caller's tag and time of the first frame (differ from the current frame's
    /// only for a reassembled datagram).
    public var originTag: UInt64 = 0
    public var originTime: Int64 = 0

    public init() {}
}

/// What the decoder made of one captured frame.
public enum DecodeOutcome: Equatable {
    /// `DecodedPacket` holds a flow packet.
    case packet
    /// Not an IP packet.
    case nonIP(NonIPKind)
    /// An IP fragment, kept until its datagram completes (or is dropped and
    /// counted by the reassembler).
    case fragmentHeld
    /// Could not be decoded.
    case failed(DecodeFailure)
}
