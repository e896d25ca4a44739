import Foundation
import Testing
@testable import HTMLReport

/// The message catalogues are complete in every language, the templates and the code
/// ask only for keys that exist, and the binary carries the files as they are.
struct CatalogueTests {
    static let resources = Tools.packageRoot.appendingPathComponent("Sources/HTMLReport/Resources")

    static func keys(_ language: ReportLanguage) throws -> Set<String> {
        Set(try MessageCatalogue.builtIn(language).messages.keys)
    }

    @Test(arguments: ReportLanguage.allCases)
    func everyLanguageHasExactlyTheEnglishKeys(_ language: ReportLanguage) throws {
        let english = try Self.keys(.en)
        let keys = try Self.keys(language)
        #expect(english.subtracting(keys).sorted() == [], "missing in \(language.rawValue)")
        #expect(keys.subtracting(english).sorted() == [], "extra in \(language.rawValue)")
        let catalogue = try MessageCatalogue.builtIn(language)
        for (key, text) in catalogue.messages { #expect(!text.isEmpty, "\(language.rawValue): \(key) is empty") }
    }

    @Test func translationsAreTranslated() throws {
        // The long texts differ from the English ones in every other language.
        let english = try MessageCatalogue.builtIn(.en)
        for language in ReportLanguage.allCases where language != .en {
            let catalogue = try MessageCatalogue.builtIn(language)
            let same = english.messages.filter { $0.value.count > 20 && catalogue[$0.key] == $0.value }.map(\.key)
            #expect(same == [], "\(language.rawValue) keeps the English text of \(same)")
        }
    }

    /// Keys the templates (`{{t.key}}`) and the code (`catalogue["key"]`, and the
    /// activity and confidence names it composes) ask for.
    static func usedKeys() throws -> Set<String> {
        var used = Set<String>()
        let templates = try FileManager.default.contentsOfDirectory(atPath: resources.appendingPathComponent("templates").path)
        for name in templates where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: resources.appendingPathComponent("templates/\(name)"), encoding: .utf8)
            used.formUnion(matches(#"\{\{[#^/]?t\.([a-z0-9_]+)\}\}"#, in: text))
        }
        let code = try String(contentsOf: Tools.packageRoot.appendingPathComponent("Sources/HTMLReport/ReportContext.swift"), encoding: .utf8)
        used.formUnion(matches(#"catalogue\["([a-z0-9_]+)"\]"#, in: code))
        // catalogue[condition ? "a" : "b"]
        used.formUnion(matches(#"catalogue\[[^\]]*\? "([a-z0-9_]+)" : "[a-z0-9_]+"\]"#, in: code))
        used.formUnion(matches(#"catalogue\[[^\]]*\? "[a-z0-9_]+" : "([a-z0-9_]+)"\]"#, in: code))
        for activity in ["chat", "voice_call", "video_call", "file_transfer", "web", "keepalive", "unknown"] { used.insert("activity_" + activity) }
        for confidence in ["high", "medium", "low"] { used.insert("confidence_" + confidence) }
        return used
    }

    static func matches(_ pattern: String, in text: String) -> Set<String> {
        let expression = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return Set(expression.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        })
    }

    @Test func everyKeyAskedForExists() throws {
        let used = try Self.usedKeys()
        #expect(used.count > 60)
        let english = try Self.keys(.en)
        #expect(used.subtracting(english).sorted() == [])
        #expect(english.subtracting(used).sorted() == [], "keys no template or code uses")
    }

    @Test func embeddedResourcesAreTheFilesInTheRepository() throws {
        let enumerator = FileManager.default.enumerator(atPath: Self.resources.path)
        var onDisk: [String: String] = [:]
        while let name = enumerator?.nextObject() as? String {
            var isFolder: ObjCBool = false
            let url = Self.resources.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue {
                onDisk[name] = try String(contentsOf: url, encoding: .utf8)
            }
        }
        #expect(onDisk.keys.sorted() == EmbeddedResources.files.keys.sorted(), "run Scripts/embed-report-resources.py")
        for (name, text) in onDisk {
            #expect(EmbeddedResources.files[name] == text, "\(name) changed: run Scripts/embed-report-resources.py")
        }
    }

    @Test func unknownLanguageIsRefusedByName() {
        #expect(throws: ReportError.self) { try ReportLanguage.named("de") }
        #expect((try? ReportLanguage.named("PT")) == .pt)
    }

    @Test func malformedCatalogueLinesAreRefusedWithTheirLine() {
        do {
            _ = try MessageCatalogue(language: .en, text: "a = b\nno equals sign\n", name: "x.txt")
            Issue.record("accepted a line without '='")
        } catch {
            #expect(error.description == "x.txt:2: expected 'key = text'")
        }
        #expect(throws: ReportError.self) { try MessageCatalogue(language: .en, text: "a = 1\na = 2\n", name: "x.txt") }
        #expect(throws: ReportError.self) { try MessageCatalogue(language: .en, text: "Bad Key = 1\n", name: "x.txt") }
    }
}
