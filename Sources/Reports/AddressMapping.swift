import Decoding
import Schema

/// A one-to-one mapping of IP addresses applied to a flow's record as it is
/// projected (pseudonymised sharing: `analyze --pseudonymise`). The flow's own
/// tuple is typed (`FlowSummary`) and mapped before the report reaches the writer;
/// what the evidence and the label describe as text goes through
/// `AddressMappingSink`, which applies `mapText` to every text value.
public protocol AddressMap: Sendable {
    func map(_ address: IPAddress) -> IPAddress
}

extension AddressMap {
    /// `text` with its address mapped when the whole text is an IP address
    /// (`192.0.2.1`, `2001:db8::1`, `::ffff:192.0.2.1` — kept in the mapped form) or an
    /// endpoint (`192.0.2.1:443`, `[2001:db8::1]:443`); anything else unchanged.
    public func mapText(_ text: String) -> String {
        guard AddressText.mayBeAddress(text) else { return text }
        if let address = IPAddress(text) { return AddressText.format(map(address), like: text) }
        guard let colon = text.utf8.lastIndex(of: UInt8(ascii: ":")) else { return text }
        let host = text[..<colon], port = text[text.index(after: colon)...]
        guard let number = UInt32(port), number <= 65535, port.utf8.first != UInt8(ascii: "+") else { return text }
        if host.hasPrefix("["), host.hasSuffix("]") {
            let inner = host.dropFirst().dropLast()
            guard inner.contains(":"), let address = IPAddress(inner) else { return text }
            return "[" + AddressText.format(map(address), like: inner) + "]:" + port
        }
        guard !host.contains(":"), let address = IPAddress(host), address.isIPv4 else { return text }
        return map(address).description + ":" + port
    }
}

enum AddressText {
    /// A cheap test before parsing: at most 53 characters (`[` IPv6 with IPv4 tail `]:65535`),
    /// all hex digits, dots, colons or brackets, with a dot or a colon.
    static func mayBeAddress(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count >= 2, utf8.count <= 53 else { return false }
        var separator = false
        for c in utf8 {
            switch c {
            case 0x30...0x39, 0x41...0x46, 0x61...0x66, 0x5B, 0x5D: continue
            case 0x2E, 0x3A: separator = true
            default: return false
            }
        }
        return separator
    }

    /// `address` written as `original` was: an IPv4-mapped IPv6 text stays mapped.
    static func format<S: StringProtocol>(_ address: IPAddress, like original: S) -> String {
        address.isIPv4 && original.contains(":") ? "::ffff:" + address.description : address.description
    }
}

/// A `FieldSink` that hands every value to `inner`, texts through `map.mapText`:
/// the address fields (`.address`), the endpoints (`.endpoints`, such as
/// `stun.mapped`) and any text field whose value is an address or an endpoint
/// (an IP-literal SNI or HTTP host, a certificate's IP SAN, a DNS A/AAAA answer,
/// the value a CIDR rule matched). Derived from values and kinds, not a list of keys.
public struct AddressMappingSink<Inner: FieldSink>: FieldSink {
    @usableFromInline let inner: UnsafeMutablePointer<Inner>
    @usableFromInline let map: any AddressMap

    /// `inner` must stay valid while the sink is used (`withUnsafeMutablePointer`).
    @inlinable
    public init(inner: UnsafeMutablePointer<Inner>, map: any AddressMap) {
        self.inner = inner
        self.map = map
    }

    public func wants(_ field: Field) -> Bool { inner.pointee.wants(field) }

    public func text(_ field: Field, _ value: String) {
        inner.pointee.text(field, map.mapText(value))
    }

    public func texts(_ field: Field, _ values: [String]) {
        inner.pointee.texts(field, values.map { map.mapText($0) })
    }

    public func number<T: BinaryInteger>(_ field: Field, _ value: T) { inner.pointee.number(field, value) }
    public func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) { inner.pointee.numbers(field, values) }
    public func bool(_ field: Field, _ value: Bool) { inner.pointee.bool(field, value) }
    public func time(_ field: Field, nanoseconds: Int64) { inner.pointee.time(field, nanoseconds: nanoseconds) }
    public func seconds(_ field: Field, nanoseconds: Int64) { inner.pointee.seconds(field, nanoseconds: nanoseconds) }

    public func object(_ field: Field, _ body: (inout AddressMappingSink<Inner>) -> Void) {
        let map = self.map
        inner.pointee.object(field) { object in
            withUnsafeMutablePointer(to: &object) { pointer in
                var mapped = AddressMappingSink(inner: pointer, map: map)
                body(&mapped)
            }
        }
    }

    public func objects<C: Collection>(_ field: Field, _ items: C, _ body: (C.Element, inout AddressMappingSink<Inner>) -> Void) {
        let map = self.map
        inner.pointee.objects(field, items) { item, object in
            withUnsafeMutablePointer(to: &object) { pointer in
                var mapped = AddressMappingSink(inner: pointer, map: map)
                body(item, &mapped)
            }
        }
    }
}
