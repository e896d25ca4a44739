import ArgumentParser
import Classifier
import Rules

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which rule packs label the flows.
struct RuleOptions: ParsableArguments {
    @Option(name: .long, help: "A rule pack, or a folder of packs (repeatable). Default: the shipped Rules/.")
    var rules: [String] = []

    @Flag(name: .long, help: "Label nothing (no rule packs).")
    var noRules = false

    @Option(name: .long, help: "Accept only packs signed by a key in this trust file (refuse unsigned or tampered packs).")
    var trust: String?

    /// The classifier for the chosen packs, nil with --no-rules or when no packs are shipped.
    func classifier() throws -> Classifier? {
        guard let rules = try ruleSet() else { return nil }
        return Classifier(source: rules)
    }

    func ruleSet() throws -> RuleSet? { try loaded()?.rules }

    /// The packs chosen by --rules/--no-rules/--trust (the shipped ones by default), nil for none.
    func packs() throws -> [RulePack]? { try loaded()?.packs }

    /// The chosen packs and the rule set compiled from them (loading compiles them
    /// once, to check them together: use that, not a second compile).
    func loaded() throws -> (packs: [RulePack], rules: RuleSet)? {
        if noRules { return nil }
        var paths = rules
        if paths.isEmpty {
            let executable = CommandLine.arguments.first.map(RuleOptions.absolute) ?? ""
            guard let shipped = PackCollection.shippedFolder(
                environment: getenv("CIPHERSCOPE_RULES").map { String(cString: $0) },
                currentFolder: RuleOptions.currentFolder(), executable: executable)
            else { return nil }
            paths = [shipped]
        }
        do {
            let keys = try trust.map { path throws(RuleError) in try PackKeys.readPublicKeys(path: path) }
            return try PackCollection.load(paths, trustedKeys: keys)
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    static func currentFolder() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The executable's absolute path (argv[0] may be relative or found on PATH).
    static func absolute(_ argument: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 { return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
        return argument.hasPrefix("/") ? argument : currentFolder() + "/" + argument
    }
}
