import Decoding
import Flows
import Foundation
import Reports
import Schema
import Testing
@testable import Pseudonymisation

@Suite struct KeyFileTests {
    static let hex = canonicalKey.map { String(format: "%02x", $0) }.joined()

    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cp-key-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func goodKeyFiles() throws {
        for text in [Self.hex, Self.hex + "\n", Self.hex.uppercased() + "\r\n"] {
            let path = try write(text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let key = try PseudonymKey.load(path: path)
            #expect(key.cipher.pseudonymise(ip("128.11.68.132")) == ip("135.242.180.132"))
            #expect(key.id.count == 16)
        }
    }

    /// The id is the first 16 hex digits of SHA-256 of the 32 key bytes (`sha256sum` of the bytes).
    @Test func keyID() throws {
        let key = try PseudonymKey(bytes: Array(0...31))
        #expect(key.id == "630dcd2966c43366")
    }

    @Test func badKeyFiles() throws {
        let cases: [(String, String)] = [
            ("", "found 0 characters"),
            (String(Self.hex.dropLast(2)), "found 62 characters"),
            (Self.hex + "00", "found 66 characters"),
            (Self.hex + "\n\n", "found 65 characters"),
            ("g" + Self.hex.dropFirst(), "not a hex digit at character 1"),
            (" " + Self.hex.dropLast(), "not a hex digit at character 1"),
        ]
        for (text, problem) in cases {
            let path = try write(text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: KeyFileError.self) { try PseudonymKey.load(path: path) }
            do {
                _ = try PseudonymKey.load(path: path)
            } catch {
                #expect(error.description.contains(path), "\(error)")
                #expect(error.description.contains(problem), "\(error)")
                #expect(!error.description.contains("\n"))
                #expect(!error.description.lowercased().contains(Self.hex.prefix(16)))
            }
        }
        do {
            _ = try PseudonymKey.load(path: "/nonexistent/key")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description == "pseudonymisation key /nonexistent/key: cannot open: no such file")
        }
        do {
            _ = try PseudonymKey.load(path: "/tmp")
            Issue.record("loaded a directory")
        } catch {
            #expect(error.description.contains("not a regular file"))
        }
    }
}

/// A sink that records every text it is given, by field.
struct RecordingSink: FlatFieldSink {
    var texts: [(Field, String)] = []
    func wants(_ field: Field) -> Bool { true }
    mutating func text(_ field: Field, _ value: String) { texts.append((field, value)) }
    mutating func texts(_ field: Field, _ values: [String]) { for v in values { texts.append((field, v)) } }
    mutating func number<T: BinaryInteger>(_ field: Field, _ value: T) {}
    mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) {}
    mutating func bool(_ field: Field, _ value: Bool) {}
    mutating func time(_ field: Field, nanoseconds: Int64) {}
    mutating func seconds(_ field: Field, nanoseconds: Int64) {}
}

@Suite struct AddressMappingTests {
    let pseudonymiser = Pseudonymiser(key: try! PseudonymKey(bytes: canonicalKey))

    @Test func texts() {
        let p = pseudonymiser
        #expect(p.mapText("128.11.68.132") == "135.242.180.132")
        #expect(p.mapText("128.11.68.132:443") == "135.242.180.132:443")
        #expect(p.mapText("[2001:db8::1]:3478") == "[4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e]:3478")
        #expect(p.mapText("2001:db8::1") == "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e")
        // IPv4-mapped: the IPv4 pseudonym, kept mapped.
        #expect(p.mapText("::ffff:192.0.2.1") == "::ffff:252.255.2.112")
        #expect(p.mapText("[::ffff:192.0.2.1]:80") == "[::ffff:252.255.2.112]:80")
        // Not addresses: unchanged.
        for text in ["example.org", "deadbeef", "1.2.3", "1.2.3.4/24", "771,4865-4866", "t13d1516h2_8daaf6152771_e5627efa2ab1",
                     "1.2.3.4:99999", "ab:cd", "", "h2", "1.0"] {
            #expect(p.mapText(text) == text, "\(text)")
        }
        #expect(Pseudonymiser(key: pseudonymiser.key, reverse: true).mapText("135.242.180.132") == "128.11.68.132")
    }

    @Test func sinkMapsEveryTextThatIsAnAddress() {
        var sink = RecordingSink()
        withUnsafeMutablePointer(to: &sink) { pointer in
            let mapped = AddressMappingSink(inner: pointer, map: pseudonymiser)
            mapped.text(.tlsSNI, "128.11.68.132")
            mapped.texts(.stunMapped, ["128.11.68.132:1000", "[::1]:2"])
            mapped.object(.dns) { dns in
                dns.objects(.dnsAnswers, [0]) { _, answer in
                    answer.text(.dnsAnswerData, "2001:db8::1")
                    answer.text(.dnsAnswerName, "example.org")
                }
            }
            mapped.texts(.tlsCertificateSAN, ["example.org", "127.0.0.1"])
        }
        #expect(sink.texts.map(\.1) == [
            "135.242.180.132", "135.242.180.132:1000", "[78ff:f001:9fc0:20df:8380:b1f1:704:ed]:2",
            "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e", "example.org", "example.org", "33.0.243.129",
        ])
    }

    @Test func reportTupleAndCommunityID() {
        let real = FlowSummary(proto: 6, clientAddress: ip("128.11.68.132"), clientPort: 40000,
                               serverAddress: ip("129.118.74.4"), serverPort: 443,
                               firstSeen: 0, lastSeen: 1,
                               communityID: CommunityID.compute(proto: 6, source: ip("128.11.68.132"), destination: ip("129.118.74.4"),
                                                                sourcePort: 40000, destinationPort: 443))
        var flow = real
        var tunnel = TunnelInfo()
        tunnel.kind = .gre
        tunnel.outerSource = ip("127.0.0.1")
        tunnel.outerDestination = ip("2001:db8::2")
        flow.tunnel = tunnel
        let report = FlowReport(summary: flow, sourceFile: "x.pcap", firstFrame: 1, nanosecondTimes: false)
        let mapped = PseudonymisingWriter.pseudonymised(report, by: pseudonymiser)
        #expect(mapped.summary.clientAddress == ip("135.242.180.132"))
        #expect(mapped.summary.serverAddress == ip("134.136.186.123"))
        #expect(mapped.summary.tunnel?.outerSource == ip("33.0.243.129"))
        #expect(mapped.summary.tunnel?.outerDestination == ip("4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c"))
        #expect(mapped.summary.communityID == CommunityID.compute(
            proto: 6, source: ip("135.242.180.132"), destination: ip("134.136.186.123"), sourcePort: 40000, destinationPort: 443))
        #expect(mapped.summary.communityID != real.communityID)
        let line = JSONLinesWriter.line(for: mapped)
        for original in ["128.11.68.132", "129.118.74.4", "127.0.0.1", "2001:db8::2", real.communityID] {
            #expect(!line.contains(original), "\(original) in \(line)")
        }
    }
}
