import Basics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Headless Chromium (Debian's `chromium`), for `report --pdf`: prints the report as
/// the browser lays it out (the style sheet's `@media print` rules apply).
public enum Chromium {
    static let names = ["chromium", "chromium-browser", "google-chrome"]

    /// The browser's path on `PATH`, or nil when none is installed.
    public static func find(path: String? = getenv("PATH").map { String(cString: $0) }) -> String? {
        for folder in (path ?? "/usr/bin:/bin").split(separator: ":") {
            for name in names {
                let candidate = "\(folder)/\(name)"
                if access(candidate, X_OK) == 0 { return candidate }
            }
        }
        return nil
    }

    /// Prints `html` (a file) to `pdf`, written under a temporary name and renamed when
    /// the browser succeeded, so a failed run leaves no file.
    public static func printToPDF(browser: String, html: String, pdf: String) throws(ReportError) {
        // The temporary name beside the destination, created 0600; the browser writes into it.
        let reserved: AtomicFile
        do {
            reserved = try AtomicFile.create(pdf)
        } catch {
            throw ReportError(error.description)
        }
        FileIO.close(reserved.descriptor)
        let temporary = reserved.temporaryPath
        let arguments = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                         "--print-to-pdf=\(temporary)", fileURL(html)]
        let status = run(arguments)
        guard status == 0, FileIO.kind(of: temporary) == .file, fileSize(temporary) > 0 else {
            FileIO.remove(temporary)
            throw ReportError("\(pdf): \(browser) could not print the report (exit status \(status))")
        }
        guard rename(temporary, pdf) == 0 else {
            let failure = SystemError(.rename, path: pdf, code: errno)
            FileIO.remove(temporary)
            throw ReportError(failure.description)
        }
    }

    static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// `file://` URL of a path (made absolute), with the characters a URL path cannot hold escaped.
    public static func fileURL(_ path: String) -> String {
        var absolute = path
        if !path.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: 4096)
            if getcwd(&buffer, buffer.count) != nil {
                absolute = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } + "/" + path
            }
        }
        var url = "file://"
        for byte in absolute.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                url.append(Character(Unicode.Scalar(byte)))
            default:
                url += "%" + Hex.lowercase([byte]).uppercased()
            }
        }
        return url
    }

    /// Runs the browser with its output discarded; the exit status (-1: could not start).
    static func run(_ arguments: [String]) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in [Int32(0), 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        // WIFEXITED / WEXITSTATUS, spelt out (the macros are not imported).
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
    }
}
