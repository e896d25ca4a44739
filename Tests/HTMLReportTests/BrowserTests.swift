import Foundation
import Testing

/// Reports of real captures opened in headless Chromium: what a case officer would see.
@Suite(.enabled(if: Tools.chromium != nil, "headless Chromium not installed (apt-get install chromium): the browser tests are skipped"))
struct BrowserTests {
    @Test func labReportShowsPlatformsAndTheInputsHashes() throws {
        let scratch = try Tools.scratch()
        let inputs = Tools.labCaptures
        #expect(inputs.count >= 5)
        let html = try Tools.report(inputs.map(\.path) + ["--case-id", "WG-2026/017", "--operator", "Ana López"], in: scratch)
        let dom = try Tools.dom(html)
        // The platforms analyze labels in the same captures (the lab set grows), at least the four
        // the first lab captures were made for.
        let analysed = try Tools.run(["analyze", "--format", "jsonl", "-q"] + inputs.map(\.path)).stdout
            .split(separator: "\n").compactMap { line -> String? in
                let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return record?["platform"] as? String
            }
        #expect(Set(analysed).isSuperset(of: ["Signal", "Telegram", "WhatsApp", "XMPP"]))
        #expect(Set(Tools.texts(dom, class: "platform-name")) == Set(analysed))
        #expect(Tools.texts(dom, class: "label-platform").count >= 10)
        #expect(dom.contains("<svg class=\"timeline\""))
        #expect(Tools.texts(dom, class: "bar").count >= 10)
        // Cover and custody: case, operator, the shipped packs' marking, each input's SHA-256.
        #expect(dom.contains(">WG-2026/017<") && dom.contains(">Ana López<"))
        #expect(Tools.texts(dom, class: "marking tlp-clear") == ["TLP:CLEAR"])
        let shown = Tools.texts(dom, class: "mono sha256")
        #expect(shown.count == inputs.count)
        for input in inputs { #expect(shown.contains(try Tools.sha256sum(input)), "\(input.lastPathComponent)") }
        #expect(!dom.contains("<script"))
    }

    @Test(.enabled(if: Tools.peerCaptures != nil, "needs ../shared/captures/ndpi beside the clone"))
    func peerCallCapturesListTheirCalls() throws {
        let folder = try #require(Tools.peerCaptures)
        let names = ["stun_signal.pcapng", "stun_wa_call.pcapng", "telegram_videocall.pcapng", "wa_voice.pcap"]
        let scratch = try Tools.scratch()
        let html = try Tools.report(names.map { folder.appendingPathComponent($0).path }, in: scratch)
        let dom = try Tools.dom(html)
        let platforms = Tools.texts(dom, class: "call-platform")
        #expect(Set(platforms) == ["Signal", "Telegram", "WhatsApp"], "\(platforms)")
        #expect(platforms.count >= 5)
        let kinds = Tools.texts(dom, class: "call-kind")
        #expect(kinds.contains("voice") && kinds.contains("video"))
        // Calls are highlighted on the timeline.
        #expect(Tools.texts(dom, class: "bar call").count == platforms.count)
    }

    /// A rule pack (the template, unsigned) that labels every `.example` server name, so the
    /// hostile names of the crafted capture reach the evidence section.
    static func examplePack(in scratch: URL) throws -> URL {
        let pack = scratch.appendingPathComponent("pack")
        try FileManager.default.copyItem(at: Tools.packageRoot.appendingPathComponent("Rules/examples/template"), to: pack)
        try FileManager.default.removeItem(at: pack.appendingPathComponent("pack.sig"))
        let list = pack.appendingPathComponent("lists/case-domains.txt")
        try (try String(contentsOf: list, encoding: .utf8) + "example\n").write(to: list, atomically: true, encoding: .utf8)
        let python = try #require(Tools.python3)
        let pin = try Tools.run([Tools.packageRoot.appendingPathComponent("Scripts/pin-pack.py").path, pack.path], executable: python)
        #expect(pin.status == 0, "\(pin.stderr)")
        return pack
    }

    @Test func hostileServerNamesAreShownAsTextAndRunNothing() throws {
        let scratch = try Tools.scratch()
        let pack = try Self.examplePack(in: scratch)
        let html = try Tools.report([Tools.hostileCapture.path, "--rules", pack.path], in: scratch)
        let raw = try String(contentsOf: html, encoding: .utf8)
        #expect(!raw.contains("<script"))
        let dom = try Tools.dom(html)
        // The names are there, as text.
        #expect(Tools.texts(dom, class: "server-name").contains("&lt;script&gt;alert(1)&lt;/script&gt;.example"))
        #expect(Tools.texts(dom, class: "server-name").contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;.example"))
        // The certificate subject as written in RFC 4514 form (`\<` escapes), still text.
        #expect(Tools.texts(dom, class: "certificate").contains { $0.contains("&lt;img src=x onerror=") && $0.contains("document.title='pwned'") })
        // Nothing ran and no element came from the traffic.
        #expect(!dom.contains("<script") && !dom.contains("<img"))
        #expect(!dom.contains("<title>pwned</title>"))
        #expect(dom.contains("<title>Encrypted traffic analysis report · not given</title>"))
        // The pack's marking is the report's.
        #expect(Tools.texts(dom, class: "marking tlp-amber") == ["TLP:AMBER"])
    }

    @Test(arguments: [("en", "Chain of custody"), ("es", "Cadena de custodia"), ("pt", "Cadeia de custódia"), ("fr", "Chaîne de traçabilité")])
    func everyLanguageRenders(_ language: String, _ custodyTitle: String) throws {
        let scratch = try Tools.scratch()
        let html = try Tools.report([Tools.captures.appendingPathComponent("lab-basic.pcap").path, "--lang", language], in: scratch)
        let dom = try Tools.dom(html)
        #expect(dom.contains("<html lang=\"\(language)\">"))
        #expect(dom.contains("<h2>\(custodyTitle)</h2>"))
        #expect(Set(Tools.texts(dom, class: "platform-name")).isSuperset(of: ["Signal", "WhatsApp"]))
    }

    @Test func screenshotIsNotBlank() throws {
        let scratch = try Tools.scratch()
        let html = try Tools.report([Tools.captures.appendingPathComponent("lab-basic.pcap").path], in: scratch)
        let png = scratch.appendingPathComponent("shot.png")
        let browser = try #require(Tools.chromium)
        let shot = try Tools.run(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=900,1000",
                                  "--screenshot=\(png.path)", html.absoluteString], executable: browser)
        #expect(shot.status == 0, "\(shot.stderr)")
        let python = try #require(Tools.python3)
        let stats = try Tools.run([Tools.packageRoot.appendingPathComponent("Tests/HTMLReportTests/png-stats.py").path, png.path], executable: python)
        #expect(stats.status == 0, "\(stats.stderr)")
        // "WIDTH HEIGHT VARIANCE DARK_FRACTION": a page of text and tables, not one colour.
        let fields = stats.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(fields.count == 4)
        if fields.count == 4 {
            #expect(fields[0] == 900 && fields[1] == 1000)
            #expect(fields[2] > 100, "pixel variance \(fields[2])")
            #expect(fields[3] > 0.01, "dark pixels \(fields[3])")
        }
    }

    @Test func pdfIsPrintedWithChromium() throws {
        let scratch = try Tools.scratch()
        let pdf = scratch.appendingPathComponent("report.pdf")
        let manifest = scratch.appendingPathComponent("custody.json")
        let html = try Tools.report([Tools.captures.appendingPathComponent("lab-basic.pcap").path, "--pdf", pdf.path, "--manifest", manifest.path], in: scratch)
        let bytes = try Data(contentsOf: pdf)
        #expect(bytes.prefix(5) == Data("%PDF-".utf8))
        #expect(bytes.count > 10_000)
        // The manifest lists both outputs with their hashes.
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as? [String: Any]
        let outputs = (object?["outputs"] as? [[String: Any]] ?? []).compactMap { $0["sha256"] as? String }
        #expect(outputs.sorted() == [try Tools.sha256sum(html), try Tools.sha256sum(pdf)].sorted())
    }
}
