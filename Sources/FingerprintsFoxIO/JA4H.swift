// JA4H is part of JA4+ by FoxIO: FoxIO License 1.1; see LICENSE-FoxIO.md in this folder.

import Basics
import Crypto
import Dissectors

/// JA4H: a fingerprint of one HTTP/1.x request, `a_b_c_d`.
///
/// - a: method (2 letters), version (`10`/`11`/`20`/`30`), `c`/`n` Cookie, `r`/`n` Referer,
///   header count (2 digits, max 99, without Cookie and Referer), language (4 chars).
/// - b: truncated SHA-256 of the header names in wire order, original case.
/// - c: of the cookie names, sorted; d: of the cookie `name=value` pairs, sorted.
///
/// Empty lists hash to `000000000000` (as the Rust reference does).
public struct JA4H: Sendable, Equatable {
    /// `ge11cr04da00_8ddaef5d77af_280f366eaa04_c2fb0fe53442`
    public var fingerprint: String
    /// `ja4h_r`: the same with the lists in place of the hashes (cookies sorted).
    /// Without cookies it ends in `__`, as the FoxIO Python output does.
    public var raw: String
    /// `ja4h_o`: hashes over the cookie lists in wire order.
    public var original: String
    /// `ja4h_ro`: lists in wire order.
    public var rawOriginal: String

    public init(request: HTTPRequest) {
        let partA = Self.partA(request)
        let names = request.headers.map(\.name).filter { !Self.isExcluded($0) }
        let crumbs = Self.cookieCrumbs(request.headers)
        let sortedCrumbs = crumbs.sorted { lhs, rhs in
            lhs.name.utf8.elementsEqual(rhs.name.utf8)
                ? lhs.pair.utf8.lexicographicallyPrecedes(rhs.pair.utf8)
                : lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
        }
        let headerList = names.joined(separator: ",")
        func lists(_ crumbs: [(name: String, pair: String)]) -> (names: String, pairs: String) {
            (crumbs.map(\.name).joined(separator: ","), crumbs.map(\.pair).joined(separator: ","))
        }
        let sorted = lists(sortedCrumbs)
        let wire = lists(crumbs)
        let b = Self.truncatedHash(headerList)
        fingerprint = [partA, b, Self.truncatedHash(sorted.names), Self.truncatedHash(sorted.pairs)].joined(separator: "_")
        original = [partA, b, Self.truncatedHash(wire.names), Self.truncatedHash(wire.pairs)].joined(separator: "_")
        raw = [partA, headerList, sorted.names, sorted.pairs].joined(separator: "_")
        rawOriginal = [partA, headerList, wire.names, wire.pairs].joined(separator: "_")
    }

    static func isExcluded(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "cookie" || lower == "referer" || lower.hasPrefix(":")
    }

    static func partA(_ request: HTTPRequest) -> String {
        let count = min(99, request.headers.filter { !isExcluded($0.name) }.count)
        return methodCode(request.method)
            + versionCode(request.version)
            + (request.hasCookie ? "c" : "n")
            + (request.hasReferer ? "r" : "n")
            + (count < 10 ? "0\(count)" : "\(count)")
            + languageCode(request.acceptLanguage)
    }

    /// The first two letters, lowercased (`GET` → `ge`, `M-SEARCH` → `m-`); `00` when
    /// the method is shorter. (Rust emits no JA4H for methods beyond the nine common ones;
    /// the Wireshark plugin has a table for WebDAV names. The written rule is used here.)
    static func methodCode(_ method: String) -> String {
        let letters = Array(method.lowercased().unicodeScalars.prefix(2))
        guard letters.count == 2 else { return "00" }
        return String(String.UnicodeScalarView(letters))
    }

    static func versionCode(_ version: String) -> String {
        switch version {
        case "HTTP/1.0": "10"
        case "HTTP/1.1": "11"
        case "HTTP/2", "HTTP/2.0": "20"
        case "HTTP/3", "HTTP/3.0": "30"
        default: String(version.dropFirst(5).filter { $0 != "." }.prefix(2)).padding(toLength: 2)
        }
    }

    /// First Accept-Language entry (up to `,` or `;`), without `-` and spaces,
    /// lowercased, cut or padded with `0` to 4 characters; `0000` when absent.
    static func languageCode(_ value: String?) -> String {
        guard let value else { return "0000" }
        let first = value.prefix { $0 != "," && $0 != ";" }
        let cleaned = first.filter { $0 != "-" && $0 != " " }.lowercased()
        return String(cleaned.prefix(4)).padding(toLength: 4)
    }

    /// Cookie crumbs from every Cookie header: split on `;`, trimmed, name up to the first `=`.
    static func cookieCrumbs(_ headers: [HTTPHeaderField]) -> [(name: String, pair: String)] {
        var crumbs: [(name: String, pair: String)] = []
        for header in headers where header.name.lowercased() == "cookie" {
            for piece in header.value.split(separator: ";") {
                let crumb = piece.trimmingSpaces()
                guard !crumb.isEmpty else { continue }
                let name = crumb.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? crumb
                crumbs.append((name, crumb))
            }
        }
        return crumbs
    }

    /// First 12 hex digits of SHA-256, or `000000000000` for an empty list.
    static func truncatedHash(_ text: String) -> String {
        guard !text.isEmpty else { return "000000000000" }
        return SHA256.hash(data: Array(text.utf8)).withUnsafeBytes { Hex.lowercase(UnsafeRawBufferPointer(rebasing: $0.prefix(6))) }
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        let scalars = unicodeScalars.drop { $0 == " " || $0 == "\t" }
        var text = String(String.UnicodeScalarView(scalars))
        while text.hasSuffix(" ") || text.hasSuffix("\t") { text.removeLast() }
        return text
    }
}

extension String {
    fileprivate func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: "0", count: length - count)
    }
}
