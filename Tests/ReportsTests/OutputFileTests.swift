import Foundation
import Reports
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `OutputFile`: a regular file is written under a temporary name in its folder
/// (mode 0600) and renamed into place by `commit()`; an existing file is replaced
/// only with `force`; devices and FIFOs are written directly.
struct OutputFileTests {
    func entries(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    func contents(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    func inode(_ path: String) -> UInt64 {
        var status = stat()
        return stat(path, &status) == 0 ? UInt64(status.st_ino) : 0
    }

    @Test func newFileAppearsWholeAtCommitWithMode0600() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("flows.jsonl").path
        let output = try OutputFile.open(path, force: false)
        let temporary = ".flows.jsonl.\(getpid()).partial"
        #expect(try entries(folder) == [temporary])
        #expect(try permissions(folder.appendingPathComponent(temporary).path) == 0o600)
        // More than the buffer holds (1 MiB): part of it reaches the disk, under the temporary name only.
        let record = String(repeating: "x", count: 1023) + "\n"
        let records = 1536
        for _ in 0..<records { try output.write(record) }
        try output.endRecord()
        #expect(try entries(folder) == [temporary])
        #expect(FileManager.default.fileExists(atPath: path) == false)
        let partial = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(temporary).path)[.size] as? Int
        #expect((partial ?? 0) > 0 && (partial ?? 0) < records * 1024)
        try output.commit()
        #expect(try entries(folder) == ["flows.jsonl"])
        #expect(try permissions(path) == 0o600)
        #expect(try contents(path) == String(repeating: record, count: records))
        // A second commit changes nothing.
        try output.commit()
        #expect(try contents(path).count == records * 1024)
    }

    @Test func modeIs0600WhateverTheUmask() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.csv").path
        let output = try OutputFile.open(path, force: false)
        try output.write(bytes: Array("a,b\n".utf8))
        try output.commit()
        #expect(try permissions(path) == 0o600)
    }

    @Test func existingFileIsKeptWithoutForce() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("flows.jsonl").path
        try "earlier run\n".write(toFile: path, atomically: false, encoding: .utf8)
        do {
            _ = try OutputFile.open(path, force: false)
            Issue.record("an existing file was opened without force")
        } catch {
            #expect(error.path == path)
            #expect(error.message.contains("already exists") && error.message.contains("--force"))
        }
        #expect(try contents(path) == "earlier run\n")
        #expect(try entries(folder) == ["flows.jsonl"])
    }

    @Test func forceReplacesAtCommitOnly() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("flows.jsonl").path
        try "earlier run\n".write(toFile: path, atomically: false, encoding: .utf8)
        let before = inode(path)
        let output = try OutputFile.open(path, force: true)
        try output.write("new run\n")
        try output.flush()
        // Until the commit, readers see the earlier file, whole.
        #expect(try contents(path) == "earlier run\n")
        #expect(try entries(folder).count == 2)
        try output.commit()
        #expect(try contents(path) == "new run\n")
        #expect(inode(path) != before, "replaced by rename, not rewritten in place")
        #expect(try entries(folder) == ["flows.jsonl"])
        #expect(try permissions(path) == 0o600)
    }

    /// An output never committed (an interrupted run, an error) leaves no file under
    /// either name, and an existing file stays as it was.
    @Test func uncommittedOutputLeavesNothing() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("flows.jsonl").path
        func abandon(force: Bool) throws {
            let output = try OutputFile.open(path, force: force)
            try output.write(String(repeating: "y", count: 70_000))
            try output.flush()
        }
        try abandon(force: false)
        #expect(try entries(folder) == [])
        try "earlier run\n".write(toFile: path, atomically: false, encoding: .utf8)
        try abandon(force: true)
        #expect(try entries(folder) == ["flows.jsonl"])
        #expect(try contents(path) == "earlier run\n")
    }

    /// A symbolic link at the output name is replaced by the new file; what it points
    /// at is never written through.
    @Test func linkAtTheNameIsReplacedNotFollowed() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("target.txt").path
        let path = folder.appendingPathComponent("flows.jsonl").path
        try "do not touch\n".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        #expect(throws: OutputError.self) { try OutputFile.open(path, force: false) }
        let output = try OutputFile.open(path, force: true)
        try output.write("new\n")
        try output.commit()
        #expect(try contents(target) == "do not touch\n")
        #expect(try contents(path) == "new\n")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType == .typeRegular)
    }

    @Test func missingFolderIsAnError() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("no/such/folder/flows.jsonl").path
        do {
            _ = try OutputFile.open(path, force: false)
            Issue.record("opened a file in a missing folder")
        } catch {
            #expect(error.description == "\(path): No such file or directory")
        }
    }

    @Test func deviceIsWrittenDirectly() throws {
        let output = try OutputFile.open("/dev/null", force: false)
        try output.write(String(repeating: "z", count: 100_000))
        try output.commit()
        #expect(FileManager.default.fileExists(atPath: "/dev/null"))
    }

    /// A FIFO gets the bytes as they are flushed, with no temporary file beside it.
    @Test func fifoIsWrittenDirectly() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("flows.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = folder.appendingPathComponent("received").path
        #expect(FileManager.default.createFile(atPath: received, contents: nil))
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo]
        reader.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: received))
        try reader.run()
        let output = try OutputFile.open(fifo, force: false)  // waits for cat to open its end
        #expect(try entries(folder) == ["flows.fifo", "received"])
        let text = String(repeating: "line\n", count: 20_000)
        try output.write(text)
        try output.commit()
        reader.waitUntilExit()
        #expect(try contents(received) == text)
        #expect(try entries(folder) == ["flows.fifo", "received"])
    }

    @Test func appendModeAppendsAndCreates0600() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("live.jsonl").path
        for line in ["one\n", "two\n"] {
            let output = try OutputFile.open(path, force: false, append: true)
            output.flushEachRecord = true
            try output.write(line)
            try output.endRecord()
            #expect(try entries(folder) == ["live.jsonl"], "no temporary file in append mode")
            try output.commit()
        }
        #expect(try contents(path) == "one\ntwo\n")
        #expect(try permissions(path) == 0o600)
    }
}
