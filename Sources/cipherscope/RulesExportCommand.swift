import ArgumentParser
import Basics
import Interop
import Rules

extension RulesCommand {
    /// `cipherscope rules export PACK... --to FORMAT -o FILE`.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export packs as Suricata rules, a Zeek Intel file, a MISP event or a STIX 2.1 bundle.",
            discussion: """
                What the format cannot express (payload bytes, length sequences, counters, DNS-learned names, \
                negations, …) is listed per rule and condition in the output (comment block, \
                x_cipherscope_unexpressed) and on standard error. Suricata datasets for long exact lists are \
                written beside the output file.
                """)
        @Argument(help: "Packs or folders of packs.") var paths: [String]
        @Option(name: .long, help: "suricata, zeek-intel, misp or stix.") var to: String
        @Option(name: .shortAndLong, help: "Output file (written atomically, mode 0600); - for standard output.") var output: String
        @Option(name: .long, help: "First Suricata sid.") var sidBase: Int = 9_900_000
        @Flag(name: .long, help: "Replace an existing output file.") var force = false
        @Flag(name: [.short, .long], help: "Do not list the conditions not expressed on standard error.") var quiet = false

        func validate() throws {
            guard ExportFormat(rawValue: to) != nil else {
                throw ValidationError("--to: '\(to)' is not one of " + ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }

        func run() throws {
            let format = ExportFormat(rawValue: to)!
            let packs: [RulePack]
            do { packs = try PackCollection.load(paths).packs } catch { throw CommandFailure("\(error)") }
            var options = ExportOptions()
            options.sidBase = sidBase
            let name = output.split(separator: "/").last.map(String.init) ?? "cipherscope"
            options.sideFileBase = name.split(separator: ".").first.map(String.init) ?? name
            let result = RuleExporter.export(packs, to: format, options: options)
            if output == "-" {
                guard result.sideFiles.isEmpty else { throw CommandFailure("the export writes dataset files beside its output: give -o FILE") }
                try? FileIO.writeAll(1, result.text)
            } else {
                if !force && FileIO.kind(of: output) != .missing {
                    throw CommandFailure("\(output): exists (use --force to replace it)")
                }
                do { try RuleExporter.write(result, to: output) } catch { throw CommandFailure("\(error)") }
            }
            if !quiet {
                for item in result.unexpressed { FileHandleOutput.standardError("not expressible in \(format.rawValue): \(item)\n") }
            }
            let sides = result.sideFiles.isEmpty ? "" : ", \(result.sideFiles.count) dataset files"
            FileHandleOutput.standardError(
                "cipherscope rules export: \(result.units) \(unit) written\(sides), \(result.exported.count) values, \(result.unexpressed.count) conditions not expressible\n")
        }

        var unit: String {
            switch ExportFormat(rawValue: to) ?? .suricata {
            case .suricata: return "rules"
            case .zeekIntel: return "indicators"
            case .misp: return "objects"
            case .stix: return "indicators"
            }
        }
    }
}
