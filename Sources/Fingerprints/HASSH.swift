import Basics
import Crypto
import Dissectors

/// HASSH and HASSH-server (Salesforce, BSD-3-Clause): the MD5 of the algorithms one SSH
/// side offers in its KEXINIT, as `kex;encryption;mac;compression`, each list exactly as
/// sent (comma-separated). The client uses the client-to-server lists, the server the
/// server-to-client lists.
public struct HASSH: Sendable, Equatable {
    /// The hashed string, e.g. `curve25519-sha256,...;aes128-ctr,...;hmac-sha2-256,...;none,...`.
    public var algorithms: String
    /// 32 lowercase hex digits of MD5(`algorithms`).
    public var hash: String

    public init(algorithms: String) {
        self.algorithms = algorithms
        self.hash = Insecure.MD5.hash(data: Array(algorithms.utf8)).withUnsafeBytes { Hex.lowercase($0) }
    }

    /// HASSH, from the client's KEXINIT.
    public static func client(_ kexInit: SSHKexInit) -> HASSH {
        HASSH(algorithms: [
            kexInit.kexAlgorithms, kexInit.encryptionClientToServer,
            kexInit.macClientToServer, kexInit.compressionClientToServer,
        ].map { $0.joined(separator: ",") }.joined(separator: ";"))
    }

    /// HASSH-server, from the server's KEXINIT.
    public static func server(_ kexInit: SSHKexInit) -> HASSH {
        HASSH(algorithms: [
            kexInit.kexAlgorithms, kexInit.encryptionServerToClient,
            kexInit.macServerToClient, kexInit.compressionServerToClient,
        ].map { $0.joined(separator: ",") }.joined(separator: ";"))
    }
}
