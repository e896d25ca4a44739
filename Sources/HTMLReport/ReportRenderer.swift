import Custody
import Mustache
import Reports

/// The facts of a report besides the flows: the custody record of the run (or of the
/// case) that produced them, and how the flows were chosen.
public struct ReportFacts: Sendable {
    public var custody: CustodyManifest
    /// The selection as options (`--platform Signal --from …`), empty for all flows.
    public var selection: String
    /// When the report was rendered (ns since the epoch).
    public var generated: Int64

    public init(custody: CustodyManifest, selection: String, generated: Int64) {
        self.custody = custody
        self.selection = selection
        self.generated = generated
    }
}

/// Renders one self-contained HTML page (no external assets, no script) from the
/// built-in templates. Mustache's `{{name}}` escapes every value: names, certificates
/// and user agents come from hostile traffic. Only the CSS is inserted unescaped.
public enum ReportRenderer {
    public static func render(_ content: ReportContent, facts: ReportFacts, language: ReportLanguage) throws(ReportError) -> String {
        let catalogue = try MessageCatalogue.builtIn(language)
        var library = MustacheLibrary()
        for name in ["report", "timeline"] {
            guard let text = EmbeddedResources.files["templates/\(name).mustache"] else {
                throw ReportError("templates/\(name).mustache: not built in")
            }
            do {
                try library.register(text, named: name)
            } catch {
                throw ReportError("templates/\(name).mustache: \(error)")
            }
        }
        let context = ReportContext(content: content, facts: facts, catalogue: catalogue).dictionary()
        guard let html = library.render(context, withTemplate: "report") else { throw ReportError("the report template did not render") }
        return html
    }
}

/// A UTC time as `2024-05-01T12:34:56Z` (whole seconds; never locale-dependent).
func utc(_ nanoseconds: Int64) -> String {
    let civil = TimeFormat.civil(TimelineLayout.floorSeconds(nanoseconds))
    return "\(civil.date)T\(civil.time)Z"
}

/// A duration in seconds with one decimal, `83.2 s`.
func seconds(_ nanoseconds: Int64) -> String {
    TimelineLayout.number(Double(max(nanoseconds, 0)) / 1e9) + " s"
}
