// JA4S — Copyright (c) FoxIO, LLC. Licensed under the FoxIO License 1.1 (see FingerprintsFoxIO.docc/LICENSE-FoxIO.md).
import Dissectors
import Fingerprints

/// JA4S of a ServerHello (`a_b_c`) and its raw variant (`_r`). Nothing is sorted.
public struct JA4S: Sendable, Equatable, CustomStringConvertible {
    /// `ja4s`: `P VV EE AA` _ chosen cipher _ hash of the extension types in wire order.
    public let fingerprint: String
    /// `ja4s_r`: the same with the extension list un-hashed.
    public let raw: String

    /// JA4S of the first ServerHello (or HelloRetryRequest) of a connection.
    ///
    /// GREASE extensions are dropped as the written spec says (the Wireshark plugin agrees;
    /// the Rust and Python references keep them — servers do not send GREASE in practice).
    public init(_ hello: TLSServerHello, transport: JA4.Transport) {
        let extensions = GREASE.removing(from: hello.extensions)
        let list = JA4Text.hexList(extensions)
        let a = transport.rawValue
            + JA4Text.versionCode(hello.selectedVersion)
            + JA4Text.twoDigitCount(extensions.count)
            + JA4Text.alpnCharacters(hello.alpnBytes)
        let b = JA4Text.hex4(hello.cipherSuite)
        fingerprint = JA4Text.joined(a, b, JA4Text.hash12(list))
        raw = JA4Text.joined(a, b, list)
    }

    /// The hashed fingerprint.
    public var description: String { fingerprint }
}
