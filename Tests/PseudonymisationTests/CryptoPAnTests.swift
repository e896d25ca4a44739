import Decoding
import Foundation
import Testing
@testable import Pseudonymisation

/// The key of the original Crypto-PAn `sample.cpp` (Yawning/cryptopan, yacryptopan, Sappan.CryptoPAn tests).
let canonicalKey: [UInt8] = [21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16,
                             216, 152, 143, 131, 121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2]

func ip(_ text: String) -> IPAddress { IPAddress(text)! }

@Suite struct CryptoPAnVectorTests {
    let cipher = try! CryptoPAn(key: canonicalKey)

    /// `sample_trace_raw.dat` → `sample_trace_sanitized.dat`, the first 20 of Go's 70 (both columns of wave2.md §C.2).
    static let tracePairs: [(String, String)] = [
        ("128.11.68.132", "135.242.180.132"), ("192.102.249.13", "252.138.62.131"),
        ("129.118.74.4", "134.136.186.123"), ("192.215.32.125", "252.43.47.189"),
        ("130.132.252.244", "133.68.164.234"), ("192.233.80.103", "252.25.108.8"),
        ("141.223.7.43", "141.167.8.160"), ("192.41.57.43", "252.222.221.184"),
        ("141.233.145.108", "141.129.237.235"), ("193.150.244.223", "253.169.52.216"),
        ("152.163.225.39", "151.140.114.167"), ("195.205.63.100", "255.186.223.5"),
        ("156.29.3.236", "147.225.12.42"), ("24.5.0.80", "100.9.15.210"),
        ("165.247.96.84", "162.9.99.234"), ("4.3.88.225", "124.60.155.63"),
        ("166.107.77.190", "160.132.178.185"), ("64.39.15.238", "0.219.7.41"),
        ("207.105.49.5", "241.118.205.138"), ("209.68.60.238", "226.184.220.233"),
    ]
    /// "obtained from C++ implementation" (Sappan `AnonymiserTest.cs`) and certtools/cryptopanlib.
    static let cppPairs: [(String, String)] = [
        ("129.69.205.36", "134.182.53.212"), ("129.69.215.37", "134.182.41.43"), ("127.0.0.1", "33.0.243.129"),
        ("24.13.62.231", "100.2.192.247"), ("208.234.120.210", "227.154.67.17"),
    ]
    /// Go `TestCryptopanIPv6` (repeated in Sappan `TestBytes6`).
    static let ipv6Pairs: [(String, String)] = [
        ("::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed"),
        ("::2", "78ff:f001:9fc0:20df:8380:b1f1:704:ef"),
        ("::ffff", "78ff:f001:9fc0:20df:8380:b1f1:704:f838"),
        ("2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e"),
        ("2001:db8::2", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c"),
    ]
    /// Computed with a Python model of the reference (wave2.md §C.2; regression values only).
    static let regressionPairs: [(String, String)] = [
        ("0.0.0.0", "120.255.240.1"), ("255.255.255.255", "206.120.97.255"), ("192.0.2.1", "252.255.2.112"),
        ("::", "78ff:f001:9fc0:20df:8380:b1f1:704:ec"), ("fe80::1", "cf7f:c0e:1fc3:da1c:70:b18e:f7f3:2101"),
    ]

    @Test func traceVectors() {
        #expect(Self.tracePairs.count == 20)
        for (raw, sanitised) in Self.tracePairs {
            #expect(cipher.pseudonymise(ip(raw)) == ip(sanitised), "\(raw)")
            #expect(cipher.reverse(ip(sanitised)) == ip(raw), "\(sanitised)")
        }
    }

    @Test func cppVectors() {
        for (raw, sanitised) in Self.cppPairs {
            #expect(cipher.pseudonymise(ip(raw)).description == sanitised, "\(raw)")
            #expect(cipher.reverse(ip(sanitised)) == ip(raw))
        }
    }

    @Test func ipv6Vectors() {
        for (raw, sanitised) in Self.ipv6Pairs + Self.regressionPairs {
            #expect(cipher.pseudonymise(ip(raw)).description == sanitised, "\(raw)")
            #expect(cipher.reverse(ip(sanitised)) == ip(raw))
        }
    }

    /// yacryptopan's `__main__` (key bytes 0x00…0x1f).
    @Test func secondKey() throws {
        let cipher = try CryptoPAn(key: Array(0...31))
        #expect(cipher.pseudonymise(ip("192.0.2.1")).description == "2.90.93.17")
        #expect(cipher.pseudonymise(ip("2001:db8::1")).description == "dd92:2c44:3fc0:ff1e:7ff9:c7f0:8180:7e00")
        #expect(cipher.reverse(ip("2.90.93.17")) == ip("192.0.2.1"))
    }

    /// Mapped IPv4 is IPv4: the same pseudonym as the plain address (Go's choice, documented);
    /// IPv4-compatible, 6to4, Teredo and NAT64 forms are plain IPv6 (128-bit).
    @Test func mappedAndEmbeddedForms() {
        #expect(cipher.pseudonymise(ip("::ffff:192.0.2.1")) == ip("252.255.2.112"))
        let nat64 = cipher.pseudonymise(ip("64:ff9b::192.0.2.1"))
        #expect(!nat64.isIPv4)
        #expect(nat64 == cipher.pseudonymise(IPAddress(high: 0x0064_ff9b_0000_0000, low: 0xc000_0201)))
        #expect(!cipher.pseudonymise(ip("::192.0.2.1")).isIPv4)
        #expect(!cipher.pseudonymise(ip("2002:c000:201::1")).isIPv4)
    }
}

@Suite struct CryptoPAnPropertyTests {
    let cipher = try! CryptoPAn(key: canonicalKey)

    static func commonPrefix(_ a: IPAddress, _ b: IPAddress, bits: Int) -> Int {
        if bits == 32 {
            let d = a.ipv4Value ^ b.ipv4Value
            return d == 0 ? 32 : d.leadingZeroBitCount
        }
        let high = a.high ^ b.high
        if high != 0 { return high.leadingZeroBitCount }
        let low = a.low ^ b.low
        return low == 0 ? 128 : 64 + low.leadingZeroBitCount
    }

    /// Addresses sharing exactly k leading bits map to pseudonyms sharing exactly k.
    @Test func prefixPreservationIPv4() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let a = UInt32.random(in: .min ... .max, using: &generator)
            let k = Int.random(in: 0...32)
            let rest: UInt32 = k >= 31 ? 0 : UInt32.max >> UInt32(k + 1)
            let flip: UInt32 = k == 32 ? 0 : UInt32(0x8000_0000) >> UInt32(k)
            let b = k == 32 ? a : a ^ flip ^ (UInt32.random(in: .min ... .max, using: &generator) & rest)
            let (x, y) = (IPAddress(ipv4: a), IPAddress(ipv4: b))
            #expect(Self.commonPrefix(x, y, bits: 32) == k)
            #expect(Self.commonPrefix(cipher.pseudonymise(x), cipher.pseudonymise(y), bits: 32) == k, "\(x) \(y)")
        }
    }

    @Test func prefixPreservationIPv6() {
        for _ in 0..<60 {
            let a = IPAddress(high: UInt64.random(in: 1 ... .max), low: UInt64.random(in: .min ... .max))
            let k = Int.random(in: 0..<128)
            // Flip bit k, keep the first k bits, randomise the rest.
            var high = a.high, low = a.low
            if k < 64 {
                high ^= UInt64(1) << UInt64(63 - k)
                if k < 63 { high ^= UInt64.random(in: .min ... .max) & (UInt64.max >> UInt64(k + 1)) }
                low = UInt64.random(in: .min ... .max)
            } else {
                low ^= UInt64(1) << UInt64(127 - k)
                if k < 127 { low ^= UInt64.random(in: .min ... .max) & (UInt64.max >> UInt64(k - 63)) }
            }
            let b = IPAddress(high: high, low: low)
            guard !a.isIPv4, !b.isIPv4 else { continue }
            #expect(Self.commonPrefix(a, b, bits: 128) == k)
            let (pa, pb) = (cipher.pseudonymise(a), cipher.pseudonymise(b))
            #expect(Self.commonPrefix(pa, pb, bits: 128) == k, "\(a) \(b)")
        }
    }

    @Test func reverseUndoesForward() {
        for _ in 0..<500 {
            let v4 = IPAddress(ipv4: UInt32.random(in: .min ... .max))
            #expect(cipher.reverse(cipher.pseudonymise(v4)) == v4)
        }
        for _ in 0..<100 {
            let v6 = IPAddress(high: UInt64.random(in: .min ... .max), low: UInt64.random(in: .min ... .max))
            #expect(cipher.reverse(cipher.pseudonymise(v6)) == v6)
            #expect(cipher.pseudonymise(cipher.reverse(v6)) == v6)
        }
    }
}
