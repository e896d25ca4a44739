import Foundation

/// A real PostgreSQL 15 server for one test class: `initdb` into a fresh temporary
/// folder (as the `postgres` OS user when the tests run as root, since PostgreSQL
/// refuses to run as root), listening only on 127.0.0.1 on a free port, its unix
/// socket inside that folder, trust authentication for local connections only.
/// `stop()` shuts it down and removes the folder; call it from `tearDown`, so it
/// also runs when a test failed. No mock: the tests talk to the real server.
public final class PostgresServer: @unchecked Sendable {
    public let folder: URL
    public let port: Int
    public let user = "cipherscope"
    public let database: String
    private let binaries: URL
    private var running = false

    /// Where Debian's `postgresql-15` puts its programs; nil when it is not installed.
    public static let binaries: URL? = {
        let candidates = [ProcessInfo.processInfo.environment["CIPHERSCOPE_PG_BIN"], "/usr/lib/postgresql/15/bin"]
        for case let path? in candidates where FileManager.default.isExecutableFile(atPath: path + "/initdb") {
            return URL(fileURLWithPath: path)
        }
        return nil
    }()

    /// The reason the PostgreSQL tests are skipped here, or nil when they can run.
    public static var unavailableReason: String? {
        if binaries == nil {
            return "PostgreSQL 15 is not installed (no /usr/lib/postgresql/15/bin/initdb): Scripts/install-deps.sh installs Debian's postgresql when run as root"
        }
        if getuid() == 0 && getpwnam("postgres") == nil {
            return "running as root but there is no `postgres` OS user to run the server as"
        }
        return nil
    }

    /// `postgresql://cipherscope@127.0.0.1:PORT/DATABASE`, the form `cipherscope case` takes.
    public var url: String { "postgresql://\(user)@127.0.0.1:\(port)/\(database)" }

    /// Initialises, starts and creates `database`. Throws with the server's own output on failure.
    public init(database: String = "cases") throws {
        guard let binaries = Self.binaries else { throw ServerError("PostgreSQL is not installed") }
        self.binaries = binaries
        self.database = database
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cipherscope-pg-\(UUID().uuidString)")
        port = try Self.freePort()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            try handFolderToServerUser()
            try run("initdb", ["-D", dataPath, "-U", user, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"])
            try writeConfiguration()
            try run("pg_ctl", ["-D", dataPath, "-l", folder.path + "/server.log", "-w", "-t", "60", "start"])
            running = true
            try run("createdb", ["-h", folder.path, "-p", String(port), "-U", user, database])
        } catch {
            stop()
            throw error
        }
    }

    private var dataPath: String { folder.path + "/data" }

    /// Stops the server (fast shutdown) and removes its folder. Safe to call twice.
    public func stop() {
        if running {
            _ = try? run("pg_ctl", ["-D", dataPath, "-m", "fast", "-w", "-t", "60", "stop"])
            running = false
        }
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }

    /// Runs SQL through `psql` (the reference client) on `database` (default: the one
    /// created at start), returning its unaligned, tuples-only output.
    @discardableResult
    public func psql(_ sql: String, database: String? = nil) throws -> String {
        try run("psql", ["-h", folder.path, "-p", String(port), "-U", user, "-d", database ?? self.database,
                         "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", sql])
    }

    private func writeConfiguration() throws {
        let settings = """

            # cipherscope tests: loopback only, socket in the test folder, nothing durable.
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(folder.path)'
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            max_connections = 40
            shared_buffers = 64MB

            """
        let conf = URL(fileURLWithPath: dataPath + "/postgresql.conf")
        let handle = try FileHandle(forWritingTo: conf)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
        try handle.close()
        let hba = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        try Data(hba.utf8).write(to: URL(fileURLWithPath: dataPath + "/pg_hba.conf"))
        try handFolderToServerUser()
    }

    /// As root, the server and its tools must run as `postgres`, who must own the folder.
    private func handFolderToServerUser() throws {
        guard getuid() == 0, let account = getpwnam("postgres") else { return }
        let uid = account.pointee.pw_uid, gid = account.pointee.pw_gid
        let paths = [folder.path] + (FileManager.default.subpaths(atPath: folder.path) ?? []).map { folder.path + "/" + $0 }
        for path in paths where chown(path, uid, gid) != 0 {
            throw ServerError("chown \(path) to postgres failed (errno \(errno))")
        }
    }

    /// Runs one of the server's programs (as `postgres` through runuser when root) and
    /// waits for it with waitpid. Not Foundation's Process: `pg_ctl start` leaves a
    /// daemon behind, and Foundation's child monitor was seen to miss the exit.
    @discardableResult
    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let program = binaries.appendingPathComponent(tool).path
        let argv = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", program] + arguments : [program] + arguments
        let outputPath = folder.path + "/\(tool)-\(UUID().uuidString).out"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o666)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        environment.removeValue(forKey: "PGPASSWORD")
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        let cargv = argv.map { strdup($0) } + [nil]
        defer { (envp + cargv).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cargv, envp)
        guard spawned == 0 else { throw ServerError("\(tool): posix_spawn failed (\(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7F == 0, code = (status >> 8) & 0xFF
        guard exited && code == 0 else {
            let log = (try? String(contentsOfFile: folder.path + "/server.log", encoding: .utf8)) ?? ""
            throw ServerError("\(tool) failed (wait status \(status)): \(text)\n\(log.suffix(2000))")
        }
        return text
    }

    /// A port nothing listens on now: bind port 0 on loopback and read what the kernel chose.
    private static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw ServerError("socket() failed") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketFD, generic, length) == 0 && getsockname(socketFD, generic, &length) == 0
            }
        }
        guard bound else { throw ServerError("bind to 127.0.0.1:0 failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public struct ServerError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
