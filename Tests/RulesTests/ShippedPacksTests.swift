import Decoding
import Foundation
import Testing
import Rules

/// The rule packs shipped in `Rules/`: they load, compile together (with the case
/// template when present), lint without errors or warnings, pass their own synthetic
/// tests alone and together, cover every rule, keep the confidence policy and never
/// give one name to two platforms at high confidence.
@Suite struct ShippedPacksTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let rulesFolder = repositoryRoot + "/Rules"
    /// The packs this repository ships (each one a folder of `Rules/`).
    static let shippedNames = ["messaging", "calls", "privacy-tools"]
    static let lastChecked = "2026-11-30"
    /// Platforms whose address ranges belong to them alone (own autonomous systems):
    /// only these may label a flow with high confidence by address.
    static let ownAddressSpace: Set<String> = ["Telegram"]

    static var shippedPaths: [String] { shippedNames.map { rulesFolder + "/" + $0 } }

    /// Every pack folder under `Rules/` and `Rules/examples/` (the template lives there).
    static var allPackPaths: [String] {
        var out = [String]()
        for folder in [rulesFolder, rulesFolder + "/examples"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names.sorted() where FileManager.default.fileExists(atPath: folder + "/" + name + "/pack.yaml") {
                out.append(folder + "/" + name)
            }
        }
        return out
    }

    static func loadAll() throws -> [RulePack] {
        try allPackPaths.map { path in try RulePack.load(path: path) }
    }

    static func shippedPacks() throws -> [RulePack] {
        try shippedPaths.map { path in try RulePack.load(path: path) }
    }

    @Test func everyShippedPackIsPresentAndLoads() throws {
        let paths = Self.allPackPaths
        for path in Self.shippedPaths { #expect(paths.contains(path), "missing pack \(path)") }
        for pack in try Self.loadAll() {
            #expect(!pack.rules.isEmpty, "\(pack.path) has no rules")
            #expect(pack.tests != nil, "\(pack.path) has no tests.yaml")
        }
    }

    @Test func allPacksCompileTogether() throws {
        let packs = try Self.loadAll()
        let set = try RuleSet.compile(packs)
        #expect(set.rules.count == packs.reduce(0) { $0 + $1.rules.filter { RuleSet.defaultStatuses.contains($0.status) }.count })
        // Every shipped rule has an indexable condition: none is evaluated for every flow.
        let shipped = Set(try Self.shippedPacks().flatMap { $0.rules.map(\.name) })
        #expect(set.alwaysCheckedRules.filter { shipped.contains($0) } == [])
    }

    @Test func linterReportsNoErrorsAndNoWarningsForShippedPacks() {
        var paths = [Self.rulesFolder]
        if FileManager.default.fileExists(atPath: Self.rulesFolder + "/examples") { paths.append(Self.rulesFolder + "/examples") }
        let diagnostics = RuleLinter.lint(paths: paths)
        let errors = diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.map(\.description).joined(separator: "\n"))")
        let shippedWarnings = diagnostics.filter { d in Self.shippedPaths.contains { d.file.hasPrefix($0 + "/") } }
        #expect(shippedWarnings.isEmpty, "\(shippedWarnings.map(\.description).joined(separator: "\n"))")
    }

    @Test func syntheticCasesPassPerPackAndTogether() throws {
        let packs = try Self.loadAll()
        let together = try RuleSet.compile(packs)
        for pack in packs {
            let tests = try #require(pack.tests)
            let alone = try RuleSet.compile([pack])
            let failuresAlone = tests.runFactCases(with: alone)
            #expect(failuresAlone.isEmpty, "\(pack.path) alone: \(failuresAlone.map(\.description).joined(separator: "\n"))")
            let failuresTogether = tests.runFactCases(with: together)
            #expect(failuresTogether.isEmpty, "\(pack.path) with all packs: \(failuresTogether.map(\.description).joined(separator: "\n"))")
        }
    }

    @Test func everyShippedRuleHasAPositiveCaseAndEveryPackNegativeOnes() throws {
        for pack in try Self.shippedPacks() {
            let cases = try #require(pack.tests).cases.compactMap { test -> FactsTest? in
                if case .facts(let facts) = test.kind { return facts } else { return nil }
            }
            let named = Set(cases.compactMap(\.rule))
            let untested = pack.rules.map(\.name).filter { !named.contains($0) }
            #expect(untested.isEmpty, "\(pack.path): rules without a positive case: \(untested)")
            let unknown = named.subtracting(pack.rules.map(\.name))
            #expect(unknown.isEmpty, "\(pack.path): cases name unknown rules \(unknown.sorted())")
            let negatives = cases.filter { $0.platform == nil }.count
            let platforms = Set(pack.rules.map(\.platform)).count
            // At least one negative case per platform family of the pack (on average; each family file has its own).
            #expect(negatives >= platforms, "\(pack.path): \(negatives) negative cases for \(platforms) platforms")
        }
    }

    @Test func metadataAndConfidencePolicy() throws {
        for pack in try Self.shippedPacks() {
            #expect(pack.manifest.tlp == .clear)
            for rule in pack.rules {
                let place = "\(pack.path)/\(rule.file):\(rule.line) \(rule.name)"
                #expect(!rule.references.isEmpty, "\(place): no references")
                #expect(rule.lastChecked == Self.lastChecked, "\(place): last_checked \(rule.lastChecked ?? "none")")
                #expect(rule.description?.isEmpty == false, "\(place): no description")
                let prefix = rule.platform.lowercased()
                #expect(rule.name.hasPrefix(prefix + "-"), "\(place): name must start with the platform")
                if Self.isAddressOnly(rule.match) && !Self.ownAddressSpace.contains(rule.platform) {
                    #expect(rule.confidence != .high, "\(place): address-only rule at high confidence")
                }
            }
        }
    }

    /// No domain value is claimed, exactly or under a suffix, by high-confidence rules of two platforms.
    @Test func noNameIsClaimedByTwoPlatformsAtHighConfidence() throws {
        let packs = try Self.loadAll()
        var claims = [(platform: String, rule: String, mode: MatchMode, value: String)]()
        for pack in packs {
            for rule in pack.rules where rule.confidence == .high && rule.status != .deprecated {
                for condition in Self.fieldConditions(rule.match) where RuleFieldsProbe.isDomain(condition.field) {
                    guard condition.mode == .exact || condition.mode == .suffix, case .text(let values) = condition.values else { continue }
                    for value in values { claims.append((rule.platform, rule.name, condition.mode, value)) }
                }
            }
        }
        func covers(_ a: (platform: String, rule: String, mode: MatchMode, value: String), _ b: (platform: String, rule: String, mode: MatchMode, value: String)) -> Bool {
            if a.value == b.value { return true }
            return a.mode == .suffix && b.value.hasSuffix("." + a.value)
        }
        var conflicts = [String]()
        for (i, a) in claims.enumerated() {
            for b in claims[(i + 1)...] where a.platform != b.platform && (covers(a, b) || covers(b, a)) {
                conflicts.append("\(a.value) (\(a.platform), \(a.rule)) vs \(b.value) (\(b.platform), \(b.rule))")
            }
        }
        #expect(conflicts.isEmpty, "\(conflicts.joined(separator: "\n"))")

        // The same through classification: every claimed name, offered as an SNI, gets
        // high-confidence matches of one platform only.
        let set = try RuleSet.compile(packs)
        for claim in claims {
            for name in claim.mode == .suffix ? [claim.value, "probe." + claim.value] : [claim.value] {
                let facts = FlowFacts(proto: "tcp", sourceAddress: IPAddress("192.0.2.1")!, sourcePort: 40000,
                                      destinationAddress: IPAddress("198.51.100.1")!, destinationPort: 443,
                                      appProto: "tls", text: ["tls.sni": [name]])
                let platforms = Set(set.classify(facts).filter { $0.rule.confidence == .high }.map(\.rule.platform))
                #expect(platforms.count <= 1, "SNI \(name) is claimed at high confidence by \(platforms.sorted())")
            }
        }
    }

    // MARK: Helpers

    static func fieldConditions(_ condition: Condition) -> [FieldCondition] {
        switch condition {
        case .all(let children), .any(let children): return children.flatMap(fieldConditions)
        case .not: return []
        case .field(let c): return [c]
        case .payload, .sequence, .counter: return []
        }
    }

    /// Whether every positive leaf is an address, port or transport condition (and one is an address).
    static func isAddressOnly(_ condition: Condition) -> Bool {
        var sawAddress = false
        func walk(_ c: Condition) -> Bool {
            switch c {
            case .all(let children), .any(let children): return children.allSatisfy(walk)
            case .not: return true
            case .payload, .sequence, .counter: return false
            case .field(let f):
                if f.mode == .cidr { sawAddress = true; return true }
                return ["proto", "src_port", "dst_port", "any_port"].contains(f.field)
            }
        }
        return walk(condition) && sawAddress
    }
}

/// Field kinds as the rule engine defines them (public API only).
enum RuleFieldsProbe {
    static func isDomain(_ field: String) -> Bool { RuleFields.kind(of: field) == .text(domain: true) }
}
