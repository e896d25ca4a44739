import Dissectors
import Foundation
@_exported import TestSupport

/// Handshake messages of a TCP payload that starts at a record boundary.
func handshakes(_ payload: [UInt8]) -> TLSRecordStream.Scan {
    payload.withUnsafeBytes { TLSRecordStream.scan($0) }
}

/// The first ClientHello of a TCP payload.
func clientHello(tcpPayload hex: String) -> TLSClientHello? {
    guard let message = handshakes(hexBytes(hex)).messages.first, message.type == 1 else { return nil }
    return message.body.withUnsafeBytes { TLSClientHello.parse(body: $0) }
}

/// Where the shared peer captures are, or nil (tests that need them are skipped).
enum SharedCaptures {
    static let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let ndpi: URL? = {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/captures/ndpi")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("MANIFEST.md").path) ? url : nil
    }()
}
