import FuzzSupport
import Rules

#if canImport(Glibc)
import Glibc
#endif

// Rule-pack loading from YAML text: the input is written as one file of a pack
// folder (in /dev/shm when there is one) and the pack is loaded, compiled and
// linted as `cipherscope rules lint` and `analyze --rules` do. The first byte
// chooses the file: the manifest, a rule file, the tests file or a list file; the
// others get fixed valid contents. Mode 4 compiles the text as a rule regex.

let folder: String = {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    let path = "\(base)/cipherscope-fuzz-rules-\(getpid())"
    mkdir(path, 0o700)
    mkdir(path + "/rules", 0o700)
    mkdir(path + "/lists", 0o700)
    // libFuzzer ends with exit(): remove the pack folder then.
    atexit {
        for file in ["pack.yaml", "rules/rules.yaml", "tests.yaml", "lists/names.txt"] { unlink(folder + "/" + file) }
        for directory in ["/rules", "/lists", ""] { rmdir(folder + directory) }
    }
    return path
}()

let manifest = """
    format: 1
    id: org.example.fuzz
    name: Fuzz pack
    version: 1.0.0
    description: fuzzing
    author: fuzz
    organisation: fuzz
    licence: CC0-1.0
    tlp: clear
    created: '2026-01-01'
    modified: '2026-01-02'
    platforms: [ExampleMessenger]

    """

let ruleFile = """
    rules:
    - id: 00000000-0000-4000-8000-000000000001
      name: example-sni
      rev: 1
      title: Example by name
      platform: Signal
      service: chat
      confidence: medium
      status: stable
      match:
        any:
        - tls.sni:
            suffix:
              list: names.txt
        - all:
          - dst_port: 443
          - proto: udp

    """

let testsFile = """
    tests:
    - name: example by SNI
      facts:
        proto: tcp
        dst_port: 443
        tls.sni: a.example.org
      platform: Signal
      rule: example-sni

    """

let listFile = "example.org\n*.example.net\n"

func write(_ relative: String, _ text: [UInt8]) {
    let fd = open(folder + "/" + relative, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { return }
    _ = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode = input.u8() % 5
    let text = Array(input.rest())
    if mode == 4 {
        let pattern = String(decoding: text, as: UTF8.self)
        if let regex = try? SafeRegex(pattern, caseInsensitive: text.count & 1 == 0) {
            consume(regex.matches("chat.signal.org"))
            consume(regex.matches(pattern))
        }
        return 0
    }
    write("pack.yaml", mode == 0 ? text : Array(manifest.utf8))
    write("rules/rules.yaml", mode == 1 ? text : Array(ruleFile.utf8))
    write("tests.yaml", mode == 2 ? text : Array(testsFile.utf8))
    write("lists/names.txt", mode == 3 ? text : Array(listFile.utf8))
    if let pack = try? RulePack.load(path: folder) {
        consume(try? RuleSet.compile([pack]))
    }
    consume(RuleLinter.lint(paths: [folder]).count)
    return 0
}
