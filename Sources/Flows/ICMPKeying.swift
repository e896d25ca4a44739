import Decoding

/// How ICMP and ICMPv6 messages are grouped into flows, as Zeek and Suricata group
/// them and as the Community ID spec pairs them: a request and its reply (echo,
/// timestamp, information, address mask, router/neighbor solicitation and
/// advertisement, …; `CommunityID.pairedType`) are one flow, per identifier where
/// the message carries one; any other message is a one-way flow of its type and code.
///
/// The key's two "ports" of an ICMP flow do not belong to an endpoint: they are the
/// same whichever way a message goes (`kind`, `detail`), so a request and its reply
/// land on one key.
public enum ICMPKeying {
    /// The key values of one ICMP message.
    public struct Message: Equatable {
        /// 0x100 | the request type of a pair, or 0x200 | the type of a one-way message.
        public var kind: UInt16
        /// The identifier (for messages that carry one), the code (one-way), else 0.
        public var detail: UInt16
        /// The message is a reply of a pair: its sender is the responder.
        public var isReply: Bool
    }

    @inline(__always)
    public static func message(type: UInt8, code: UInt8, identifier: UInt16, v6: Bool) -> Message {
        guard let paired = CommunityID.pairedType(type, v6: v6) else {
            return Message(kind: 0x200 | UInt16(type), detail: UInt16(code), isReply: false)
        }
        let isReply = isReplyType(type, v6: v6)
        let request = isReply ? paired : type
        return Message(kind: 0x100 | UInt16(request), detail: carriesIdentifier(request, v6: v6) ? identifier : 0, isReply: isReply)
    }

    /// The reply half of each pair (the other half is the request or solicitation).
    static func isReplyType(_ type: UInt8, v6: Bool) -> Bool {
        v6 ? [129, 131, 134, 136, 140, 145].contains(type) : [0, 9, 14, 16, 18].contains(type)
    }

    /// Requests whose header carries a 16-bit identifier at bytes 4–5 (RFC 792, RFC 950,
    /// RFC 4443 §4, RFC 6275 §6.5).
    static func carriesIdentifier(_ request: UInt8, v6: Bool) -> Bool {
        v6 ? request == 128 || request == 144 : [8, 13, 15, 17].contains(request)
    }
}
