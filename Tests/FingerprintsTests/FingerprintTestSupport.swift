import Dissectors
import Foundation
@_exported import TestSupport

/// Complete handshake messages of a TCP payload (TLS records) or a UDP datagram (DTLS records).
func handshakeMessages(_ hex: String, dtls: Bool = false) -> [TLSRawHandshake] {
    let bytes = hexBytes(hex)
    if dtls {
        var assembler = DTLSHandshakeAssembler()
        return bytes.withUnsafeBytes { assembler.add(datagram: $0) }
    }
    return bytes.withUnsafeBytes { TLSRecordStream.scan($0) }.messages
}

/// The first ClientHello in a TCP payload or DTLS datagram given as hex.
func clientHello(_ hex: String, dtls: Bool = false) -> TLSClientHello? {
    guard let message = handshakeMessages(hex, dtls: dtls).first(where: { $0.type == 1 }) else { return nil }
    return message.body.withUnsafeBytes { TLSClientHello.parse(body: $0, isDTLS: dtls) }
}

/// The first ServerHello in a TCP payload or DTLS datagram given as hex.
func serverHello(_ hex: String, dtls: Bool = false) -> TLSServerHello? {
    guard let message = handshakeMessages(hex, dtls: dtls).first(where: { $0.type == 2 }) else { return nil }
    return message.body.withUnsafeBytes { TLSServerHello.parse(body: $0, isDTLS: dtls) }
}

/// nDPI's expected values, read from the `.out` files of the shared peer captures when present.
enum NDPIOutput {
    static let directory: URL? = {
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.deletingLastPathComponent().appendingPathComponent("shared/captures/ndpi")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("MANIFEST.md").path) ? url : nil
    }()

    static var isAvailable: Bool { directory != nil }

    /// Every `[KEY: value]` of the flow line containing `endpoint` (e.g. `:64393 `) in `file`.
    static func values(_ key: String, file: String, endpoint: String) -> [String] {
        guard let directory,
              let text = try? String(contentsOf: directory.appendingPathComponent(file + ".out"), encoding: .utf8)
        else { return [] }
        var values: [String] = []
        for line in text.split(separator: "\n") where line.contains(endpoint) {
            var rest = Substring(line)
            while let start = rest.range(of: "[\(key): ") {
                rest = rest[start.upperBound...]
                guard let end = rest.firstIndex(of: "]") else { break }
                values.append(String(rest[..<end]))
                rest = rest[end...]
            }
        }
        return values
    }
}
