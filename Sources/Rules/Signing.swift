import Basics
import Crypto

/// An Ed25519 public key that may verify packs.
///
/// Key files are text: lines starting with `#` are comments, and one line holds the
/// 32 raw key bytes in base64. A trust file may hold several public keys, one per line,
/// each optionally followed by a space and a note (`<base64> EU WG signing key 2026`).
public struct VerificationKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32 raw bytes.
    public let raw: [UInt8]

    public init?(raw: [UInt8]) {
        guard raw.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else { return nil }
        self.raw = raw
    }

    public init?(base64: String) {
        guard let bytes = Base64.decode(base64) else { return nil }
        self.init(raw: bytes)
    }

    public var base64: String { Base64.encode(raw) }
    /// First 16 hex digits of the key's SHA-256: how messages name a key.
    public var keyID: String { String(sha256Hex(raw).prefix(16)) }
    public var description: String { "key \(keyID)" }
}

/// An Ed25519 private key that signs packs (a text file like `VerificationKey`'s; keep it secret).
public struct SigningKey: Sendable {
    let key: Curve25519.Signing.PrivateKey

    public init?(raw: [UInt8]) {
        guard raw.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else { return nil }
        self.key = key
    }

    public init?(base64: String) {
        guard let bytes = Base64.decode(base64) else { return nil }
        self.init(raw: bytes)
    }

    public var publicKey: VerificationKey { VerificationKey(raw: Array(key.publicKey.rawRepresentation))! }
    public var base64: String { Base64.encode(Array(key.rawRepresentation)) }
}

/// Key generation and key files.
public enum PackKeys {
    /// A fresh key pair.
    public static func generate() -> SigningKey {
        SigningKey(raw: Array(Curve25519.Signing.PrivateKey().rawRepresentation))!
    }

    /// Text of a private key file.
    public static func privateKeyFile(_ key: SigningKey) -> String {
        "# cipherscope pack signing key: Ed25519 private key, base64. Keep it secret.\n# public key id \(key.publicKey.keyID)\n\(key.base64)\n"
    }

    /// Text of a public key file (also a one-key trust file).
    public static func publicKeyFile(_ key: VerificationKey, note: String = "") -> String {
        "# cipherscope pack verification key: Ed25519 public key, base64 (id \(key.keyID))\n\(key.base64)\(note.isEmpty ? "" : " " + note)\n"
    }

    /// Writes a new key pair to `privateKeyPath` and `publicKeyPath`; returns its public key.
    public static func generateFiles(privateKeyPath: String, publicKeyPath: String) throws(RuleError) -> VerificationKey {
        let key = generate()
        try FileAccess.writeAtomically(privateKeyPath, Array(privateKeyFile(key).utf8), mode: 0o600)
        try FileAccess.writeAtomically(publicKeyPath, Array(publicKeyFile(key.publicKey).utf8))
        return key.publicKey
    }

    public static func readPrivateKey(path: String) throws(RuleError) -> SigningKey {
        let lines = try keyLines(path)
        guard lines.count == 1, let key = SigningKey(base64: lines[0].text) else {
            throw RuleError(file: path, line: lines.first?.line ?? 1, column: 1, message: "not an Ed25519 private key file",
                            hint: "one line of base64 holding 32 bytes; create one with PackKeys.generateFiles")
        }
        return key
    }

    /// Every public key of a key or trust file.
    public static func readPublicKeys(path: String) throws(RuleError) -> [VerificationKey] {
        var keys = [VerificationKey]()
        for entry in try keyLines(path) {
            guard let key = VerificationKey(base64: entry.text) else {
                throw RuleError(file: path, line: entry.line, column: 1, message: "not an Ed25519 public key",
                                hint: "base64 of 32 bytes, optionally followed by a space and a note")
            }
            keys.append(key)
        }
        guard !keys.isEmpty else { throw RuleError(file: path, message: "no public key in the file") }
        return keys
    }

    static func keyLines(_ path: String) throws(RuleError) -> [(text: String, line: Int)] {
        let text = try FileAccess.readText(path, limit: 1 << 20)
        var out = [(text: String, line: Int)]()
        for (i, line) in text.textLines.enumerated() {
            let trimmed = line.trimmingSpaces
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            out.append((String(trimmed.split(separator: " ", maxSplits: 1)[0]).trimmingSpaces.replacingCR, i + 1))
        }
        return out
    }
}

/// The `pack.sig` file: which key signed the manifest, and the signature.
///
/// ```
/// cipherscope-pack-signature 1
/// algorithm: ed25519
/// key: <public key, base64>
/// key-id: <first 16 hex digits of the key's SHA-256>
/// signature: <64-byte signature of the exact bytes of pack.yaml, base64>
/// ```
struct PackSignature {
    var key: [UInt8]
    var signature: [UInt8]

    static let header = "cipherscope-pack-signature 1"

    var text: String {
        let verification = VerificationKey(raw: key)
        return "\(Self.header)\nalgorithm: ed25519\nkey: \(Base64.encode(key))\nkey-id: \(verification?.keyID ?? "")\nsignature: \(Base64.encode(signature))\n"
    }

    static func parse(_ text: String, file: String) throws(RuleError) -> PackSignature {
        var fields = [String: String]()
        let lines = text.textLines.map { $0.trimmingSpaces.replacingCR }
        guard lines.first == header else {
            throw RuleError(file: file, line: 1, column: 1, message: "not a pack signature", hint: "the first line must be '\(header)'")
        }
        for line in lines.dropFirst() where !line.isEmpty {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            fields[String(parts[0]).trimmingSpaces] = String(parts[1]).trimmingSpaces
        }
        guard fields["algorithm"] == "ed25519" else { throw RuleError(file: file, message: "unsupported signature algorithm '\(fields["algorithm"] ?? "")'", hint: "only ed25519 is read") }
        guard let key = fields["key"].flatMap(Base64.decode), key.count == 32 else { throw RuleError(file: file, message: "the signature's 'key' is not 32 bytes of base64") }
        guard let signature = fields["signature"].flatMap(Base64.decode), signature.count == 64 else {
            throw RuleError(file: file, message: "the 'signature' is not 64 bytes of base64")
        }
        return PackSignature(key: key, signature: signature)
    }
}

/// Pins a pack's files in its manifest and signs the manifest.
public enum PackSigner {
    /// What signing did.
    public struct Report: Sendable {
        /// Files pinned in the manifest, relative to the pack.
        public var files: [String]
        public var key: VerificationKey
    }

    /// Rewrites the manifest's `files:` list with every file of the pack and its SHA-256
    /// (unless `pinFiles` is false: then the list must already be right), and writes
    /// `pack.sig` with the Ed25519 signature of the manifest's bytes. The pack must load.
    @discardableResult
    public static func sign(packPath: String, privateKey: SigningKey, pinFiles: Bool = true) throws(RuleError) -> Report {
        let manifestPath = FileAccess.join(packPath, PackLoader.manifestName)
        let actual = try PackFiles.hashes(packPath)
        if pinFiles {
            let text = try FileAccess.readText(manifestPath)
            let updated = ManifestEditor.replacingFiles(in: text, with: actual)
            if updated != text { try FileAccess.writeAtomically(manifestPath, Array(updated.utf8)) }
        }
        // Refuse to sign a pack that does not load, or whose manifest does not match.
        let pack = try RulePack.load(path: packPath)
        try PackFiles.compare(manifest: pack.manifest, actual: actual, packPath: packPath)
        let manifestBytes = try FileAccess.readFile(manifestPath, limit: FileAccess.maxYAMLBytes)
        let signature: [UInt8]
        do {
            signature = Array(try privateKey.key.signature(for: manifestBytes))
        } catch {
            throw RuleError(file: manifestPath, message: "signing failed: \(error)")
        }
        let sig = PackSignature(key: privateKey.publicKey.raw, signature: signature)
        try FileAccess.writeAtomically(FileAccess.join(packPath, PackLoader.signatureName), Array(sig.text.utf8))
        return Report(files: actual.map(\.path), key: privateKey.publicKey)
    }
}

/// Checks a pack's signature and every file against the manifest.
public enum PackVerifier {
    /// What verification established.
    public struct Report: Sendable {
        public var packID: String
        public var version: String
        public var key: VerificationKey
        public var files: Int
    }

    /// Refuses an unsigned pack, a signature by a key not in `trustedKeys`, a manifest
    /// changed after signing, and any file missing, changed or not listed in the manifest.
    /// Errors name the file at fault.
    @discardableResult
    public static func verify(packPath: String, trustedKeys: [VerificationKey]) throws(RuleError) -> Report {
        let sigPath = FileAccess.join(packPath, PackLoader.signatureName)
        let manifestPath = FileAccess.join(packPath, PackLoader.manifestName)
        guard FileAccess.kind(sigPath) == .file else {
            throw RuleError(file: sigPath, message: "unsigned pack: no \(PackLoader.signatureName)", hint: "ask the pack's author for the signed pack, or sign it with a trusted key")
        }
        let signature = try PackSignature.parse(try FileAccess.readText(sigPath, limit: 1 << 16), file: sigPath)
        guard let signer = VerificationKey(raw: signature.key), trustedKeys.contains(signer) else {
            let id = VerificationKey(raw: signature.key)?.keyID ?? "?"
            throw RuleError(file: sigPath, message: "signed by untrusted key \(id)", hint: "add the author's public key to the trusted keys after checking it with them")
        }
        let manifestBytes = try FileAccess.readFile(manifestPath, limit: FileAccess.maxYAMLBytes)
        guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: signer.raw),
              publicKey.isValidSignature(signature.signature, for: manifestBytes) else {
            throw RuleError(file: manifestPath, message: "signature does not match \(PackLoader.manifestName): the manifest was changed after signing",
                            hint: "get the pack again from its author")
        }
        var loader = PackLoader(root: packPath, collectAll: false)
        let manifest = try loader.loadManifest()
        try PackFiles.compare(manifest: manifest, actual: try PackFiles.hashes(packPath), packPath: packPath)
        return Report(packID: manifest.id, version: manifest.version, key: signer, files: manifest.files.count)
    }
}

/// The files of a pack folder and their hashes.
enum PackFiles {
    struct Entry: Hashable {
        var path: String
        var sha256: String
    }

    /// Every file except the manifest and signature, sorted; special files are refused.
    static func hashes(_ packPath: String) throws(RuleError) -> [Entry] {
        let (files, others) = try FileAccess.walk(packPath)
        if let other = others.first {
            throw RuleError(file: FileAccess.join(packPath, other), message: "not a regular file (symbolic link or special file)",
                            hint: "packs hold only regular files and folders")
        }
        var out = [Entry]()
        for file in files where file != PackLoader.manifestName && file != PackLoader.signatureName {
            let bytes = try FileAccess.readFile(FileAccess.join(packPath, file), limit: FileAccess.maxListBytes)
            out.append(Entry(path: file, sha256: sha256Hex(bytes)))
        }
        return out
    }

    static func compare(manifest: PackManifest, actual: [Entry], packPath: String) throws(RuleError) {
        let manifestPath = FileAccess.join(packPath, PackLoader.manifestName)
        var present = [String: String]()
        for entry in actual { present[entry.path] = entry.sha256 }
        for entry in manifest.files {
            guard let hash = present[entry.path] else {
                throw RuleError(file: FileAccess.join(packPath, entry.path), message: "missing: listed in the manifest (line \(entry.line)) but not in the pack",
                                hint: "the pack is incomplete; get it again")
            }
            guard hash == entry.sha256 else {
                throw RuleError(file: FileAccess.join(packPath, entry.path), message: "tampered: SHA-256 \(hash.prefix(16))… differs from the manifest's \(entry.sha256.prefix(16))…",
                                hint: "the file changed after signing; get the pack again or re-sign it")
            }
        }
        let listed = Set(manifest.files.map(\.path))
        if let extra = actual.first(where: { !listed.contains($0.path) }) {
            throw RuleError(file: FileAccess.join(packPath, extra.path), message: "extra file: in the pack but not in the manifest",
                            hint: "remove it, or re-sign the pack to pin it (\(manifestPath))")
        }
    }
}

/// Replaces the top-level `files:` block of a manifest, keeping everything else as written.
enum ManifestEditor {
    static func replacingFiles(in text: String, with files: [PackFiles.Entry]) -> String {
        var lines = text.textLines.map(String.init)
        if lines.last == "" { lines.removeLast() }
        var block = ["files:"]
        for f in files { block += ["  - path: \(yamlQuoted(f.path))", "    sha256: \(f.sha256)"] }
        if let start = lines.firstIndex(where: { $0.hasPrefix("files:") }) {
            var end = start + 1
            // The block ends at the next top-level key (a line starting with a letter).
            while end < lines.count, let first = lines[end].first, first == " " || first == "-" || first == "#" || first == "\t" || lines[end].isEmpty { end += 1 }
            while end < lines.count, lines[end].isEmpty { end += 1 }
            lines.replaceSubrange(start..<end, with: block)
        } else {
            lines += block
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func yamlQuoted(_ path: String) -> String {
        let plain = path.utf8.allSatisfy { isLowerAlnum($0) || (65...90).contains($0) || [UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_")].contains($0) }
        return plain ? path : "'" + path.replacingQuotes + "'"
    }
}

func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).withUnsafeBytes { Hex.lowercase($0) }
}

extension String {
    var replacingCR: String { filter { $0 != "\r" } }
    var replacingQuotes: String { split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") }
}

/// RFC 4648 base64 with padding.
enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 15) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var values = [UInt8]()
        var padding = 0
        for c in text.utf8 {
            if c == UInt8(ascii: "=") { padding += 1; continue }
            guard padding == 0, let v = alphabet.firstIndex(of: c) else { return nil }
            values.append(UInt8(v))
        }
        guard (values.count + padding) % 4 == 0, padding <= 2 else { return nil }
        var out = [UInt8]()
        var i = 0
        while i + 1 < values.count {
            out.append(values[i] << 2 | values[i + 1] >> 4)
            if i + 2 < values.count { out.append(values[i + 1] << 4 | values[i + 2] >> 2) }
            if i + 3 < values.count { out.append(values[i + 2] << 6 | values[i + 3]) }
            i += 4
        }
        return out
    }
}

extension PackVerifier {
    /// The id of the key named in the pack's `pack.sig` (nil when the pack has no
    /// readable signature). Only read here, not verified: `verify` checks it.
    public static func signingKeyID(packPath: String) -> String? {
        let sigPath = FileAccess.join(packPath, PackLoader.signatureName)
        guard FileAccess.kind(sigPath) == .file,
              let text = try? FileAccess.readText(sigPath, limit: 1 << 16),
              let signature = try? PackSignature.parse(text, file: sigPath) else { return nil }
        return VerificationKey(raw: signature.key)?.keyID
    }
}
