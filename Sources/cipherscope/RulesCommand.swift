import Analysis
import ArgumentParser
import Rules

/// `cipherscope rules …`: checking, testing, listing and signing rule packs.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Lint, test, list, show, sign and verify rule packs.",
        subcommands: [Lint.self, Test.self, List.self, Show.self, Sign.self, Verify.self, Keygen.self, Export.self, RulesImportCommand.self]
    )

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check packs: every problem with file, line, column and a hint. Exit 1 on an error.")
        @Argument(help: "Packs or folders of packs.") var paths: [String]

        func run() throws {
            let diagnostics = RuleLinter.lint(paths: paths)
            for diagnostic in diagnostics { print(diagnostic) }
            let errors = diagnostics.filter { $0.severity == .error }.count
            let warnings = diagnostics.count - errors
            FileHandleOutput.standardError("cipherscope rules lint: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n")
            if errors > 0 { throw ExitCode(1) }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the tests packs declare (captures and synthetic flows); pass/fail per test.")
        @Argument(help: "Packs or folders of packs.") var paths: [String]

        func run() throws {
            let loaded: (packs: [RulePack], rules: RuleSet)
            do { loaded = try PackCollection.load(paths) } catch { throw CommandFailure("\(error)") }
            var failed = 0, passed = 0
            for pack in loaded.packs {
                let file = pack.path + "/tests.yaml"
                let tests: PackTests
                do { tests = try PackTests.load(file: file, packPath: pack.path) } catch {
                    print("\(pack.manifest.id): no tests (\(error))")
                    continue
                }
                let failures = PackTestRunner.run(tests, rules: loaded.rules)
                for test in tests.cases {
                    let mine = failures.filter { $0.test == test.name }
                    if mine.isEmpty {
                        passed += 1
                        print("PASS \(pack.manifest.id): \(test.name)")
                    } else {
                        failed += 1
                        print("FAIL \(pack.manifest.id): \(test.name)")
                        for failure in mine { print("     \(failure)") }
                    }
                }
            }
            print("\(passed) passed, \(failed) failed")
            if failed > 0 { throw ExitCode(1) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The rules loaded, with their pack and version.")
        @OptionGroup var ruleOptions: RuleOptions

        func run() throws {
            guard let rules = try ruleOptions.ruleSet() else { print("no rule packs loaded"); return }
            for pack in rules.packs { print("pack \(pack.id) \(pack.version): \(pack.name) (tlp \(pack.tlp.rawValue))") }
            for rule in rules.rules {
                print("  \(rule.name)\trev \(rule.rev)\t\(rule.platform)/\(rule.service.rawValue)\t\(rule.confidence.rawValue)\t\(rule.status.rawValue)\t\(rule.pack.id) \(rule.pack.version)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One rule in full: metadata, pack, conditions.")
        @Argument(help: "Rule name or id.") var rule: String
        @OptionGroup var ruleOptions: RuleOptions

        func run() throws {
            guard let rules = try ruleOptions.ruleSet(), let found = rules.rule(rule) else {
                throw ValidationError("no rule named '\(rule)' is loaded")
            }
            var lines = [
                "\(found.name) (rev \(found.rev)) — \(found.title)",
                "  id: \(found.id)",
                "  platform: \(found.platform), service: \(found.service.rawValue), confidence: \(found.confidence.rawValue), status: \(found.status.rawValue), tlp: \(found.tlp.rawValue)",
                "  pack: \(found.pack.id) \(found.pack.version), \(found.file):\(found.line)",
            ]
            if let description = found.description { lines.append("  description: \(description)") }
            if !found.references.isEmpty { lines.append("  references: " + found.references.joined(separator: "; ")) }
            print(lines.joined(separator: "\n"))
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pin every file's SHA-256 in the manifest and sign it (Ed25519).")
        @Argument(help: "The pack folder.") var pack: String
        @Option(name: .long, help: "The private key file.") var key: String

        func run() throws {
            do {
                let privateKey = try PackKeys.readPrivateKey(path: key)
                let report = try PackSigner.sign(packPath: pack, privateKey: privateKey)
                print("signed \(pack): \(report.files.count) files pinned, key \(report.key.keyID)")
            } catch {
                throw CommandFailure("\(error)")
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a pack's signature and file hashes against trusted keys.")
        @Argument(help: "Pack folders.") var packs: [String]
        @Option(name: .long, help: "Trust file: one base64 public key per line.") var trust: String

        func run() throws {
            do {
                let keys = try PackKeys.readPublicKeys(path: trust)
                for pack in packs {
                    let report = try PackVerifier.verify(packPath: pack, trustedKeys: keys)
                    print("verified \(pack): \(report.packID) \(report.version), \(report.files) files, signed by key \(report.key.keyID)")
                }
            } catch {
                throw CommandFailure("\(error)")
            }
        }
    }

    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an Ed25519 key pair for signing packs.")
        @Option(name: .long, help: "Where to write the private key (keep it secret).") var privateKey: String
        @Option(name: .long, help: "Where to write the public key (give it to partners).") var publicKey: String

        func run() throws {
            do {
                let key = try PackKeys.generateFiles(privateKeyPath: privateKey, publicKeyPath: publicKey)
                print("public key \(key.keyID) written to \(publicKey)")
            } catch {
                throw CommandFailure("\(error)")
            }
        }
    }
}
