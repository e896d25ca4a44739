/// DNS over HTTPS (RFC 8484) requests when seen in clear: the DNS query of a POST
/// whose body is `application/dns-message`, or of a GET whose `dns` parameter holds
/// it in base64url.
public enum DNSOverHTTP {
    static let mediaType = "application/dns-message"
    /// A DNS message in a GET target is at most this long once decoded.
    static let maxMessage = 4096

    /// The query a request carries, if it is a DoH request and the query parses.
    public static func query(in request: HTTPRequest, body: UnsafeRawBufferPointer?) -> DNSMessage? {
        let message: DNSMessage?
        if request.method == "POST" {
            guard let body, let type = request.header("Content-Type"),
                  type.lowercased().hasPrefix(mediaType) else { return nil }
            message = DNSMessage.parse(body)
        } else if request.method == "GET", let encoded = parameter("dns", in: request.target),
                  let bytes = base64URLDecoded(encoded) {
            message = bytes.withUnsafeBytes(DNSMessage.parse)
        } else {
            return nil
        }
        guard let message, !message.isResponse, !message.questions.isEmpty else { return nil }
        return message
    }

    /// The value of `name` in the target's query string.
    static func parameter(_ name: String, in target: String) -> Substring? {
        guard let question = target.firstIndex(of: "?") else { return nil }
        for pair in target[target.index(after: question)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == name { return parts[1] }
        }
        return nil
    }

    /// base64url without padding (RFC 4648 §5), as RFC 8484 §4.1 sends it; padding
    /// is tolerated. Nil for any other character or a length no encoding gives.
    static func base64URLDecoded(_ text: Substring) -> [UInt8]? {
        var bits: UInt32 = 0
        var count = 0
        var output: [UInt8] = []
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            case UInt8(ascii: "="): continue
            default: return nil
            }
            bits = bits << 6 | UInt32(value)
            count += 6
            if count >= 8 {
                count -= 8
                output.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
                guard output.count <= maxMessage else { return nil }
            }
        }
        // 6 leftover bits mean one character too many.
        return count < 6 ? output : nil
    }
}
