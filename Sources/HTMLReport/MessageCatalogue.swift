/// The languages of the working groups. Each has a catalogue,
/// `Resources/messages/<code>.txt`, with exactly the keys of the English one.
public enum ReportLanguage: String, CaseIterable, Sendable {
    case en, es, pt, fr

    /// The language for a `--lang` value, or an error naming the ones there are.
    public static func named(_ code: String) throws(ReportError) -> ReportLanguage {
        guard let language = ReportLanguage(rawValue: code.lowercased()) else {
            let known = allCases.map(\.rawValue).joined(separator: ", ")
            throw ReportError("unknown language '\(code)' (known: \(known))")
        }
        return language
    }
}

public struct ReportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One language's texts by key. The file format: `key = text` per line; blank lines
/// and lines starting with `#` are ignored; keys are lower-case letters, digits and `_`.
public struct MessageCatalogue: Sendable {
    public let language: ReportLanguage
    public let messages: [String: String]

    /// The catalogue built into the binary for `language`.
    public static func builtIn(_ language: ReportLanguage) throws(ReportError) -> MessageCatalogue {
        let name = "messages/\(language.rawValue).txt"
        guard let text = EmbeddedResources.files[name] else { throw ReportError("\(name): not built in") }
        return try MessageCatalogue(language: language, text: text, name: name)
    }

    public init(language: ReportLanguage, text: String, name: String) throws(ReportError) {
        var messages: [String: String] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ReportError("\(name):\(number + 1): expected 'key = text'")
            }
            let key = String(trimmed[..<equals]).trimmingSpaces
            let value = String(trimmed[trimmed.index(after: equals)...]).trimmingSpaces
            guard !key.isEmpty, key.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }) else {
                throw ReportError("\(name):\(number + 1): bad key '\(key)'")
            }
            guard messages[key] == nil else { throw ReportError("\(name):\(number + 1): '\(key)' given twice") }
            messages[key] = value
        }
        self.language = language
        self.messages = messages
    }

    /// The text for `key`; a missing key shows as itself (the catalogue tests keep every key present).
    public subscript(key: String) -> String { messages[key] ?? key }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" || text.first == "\r" { text.removeFirst() }
        while text.last == " " || text.last == "\t" || text.last == "\r" { text.removeLast() }
        return String(text)
    }
}
