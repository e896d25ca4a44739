/// Finding, loading, verifying and compiling the packs a run uses.
public enum PackCollection {
    /// The pack folders at `path`: the folder itself when it holds `pack.yaml`, else
    /// its direct subfolders that do (so `Rules/` yields `Rules/messaging`, …).
    public static func packFolders(_ path: String) -> [String] {
        RuleLinter.packRoots(path)
    }

    /// Loads the packs under `paths`, checks each one's signature against
    /// `trustedKeys` when given (refusing unsigned, tampered or foreign packs), and
    /// compiles them together.
    public static func load(_ paths: [String], trustedKeys: [VerificationKey]? = nil) throws(RuleError) -> (packs: [RulePack], rules: RuleSet) {
        var packs: [RulePack] = []
        for path in paths {
            let folders = packFolders(path)
            if folders.isEmpty {
                throw RuleError(file: path, message: "no rule pack found", hint: "a pack is a folder holding \(PackLoader.manifestName); give the pack or the folder of packs")
            }
            for folder in folders {
                if let trustedKeys { _ = try PackVerifier.verify(packPath: folder, trustedKeys: trustedKeys) }
                packs.append(try RulePack.load(path: folder))
            }
        }
        return (packs, try RuleSet.compile(packs))
    }

    /// Where the shipped packs are: `$CIPHERSCOPE_RULES`, else a `Rules` folder
    /// holding packs in the current folder or beside (or above) the executable, as
    /// in a source checkout where the binary is in `.build/<config>/`.
    public static func shippedFolder(environment: String?, currentFolder: String, executable: String) -> String? {
        if let environment, !environment.isEmpty { return environment }
        var candidates = [FileAccess.join(currentFolder, "Rules")]
        var folder = executable
        for _ in 0..<5 {
            guard let slash = folder.lastIndex(of: "/") else { break }
            folder = String(folder[..<slash])
            if folder.isEmpty { break }
            candidates.append(FileAccess.join(folder, "Rules"))
            candidates.append(FileAccess.join(folder, "share/cipherscope/Rules"))
        }
        return candidates.first { !packFolders($0).isEmpty }
    }
}

extension PackTestFailure {
    /// A failure found outside this module (e.g. a capture a test names cannot be read).
    public static func failure(test: String, line: Int, message: String) -> PackTestFailure {
        PackTestFailure(test: test, line: line, message: message)
    }
}
