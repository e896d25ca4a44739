import Cases
import PostgresNIO

/// One connection to a case's database, used synchronously: each call waits for
/// its result (`Blocking`). Errors become `CaseError`s naming the case and the step.
public final class PostgresSession: Sendable {
    public let url: PostgresCaseURL
    let connection: PostgresConnection
    let logger: Logger

    private init(url: PostgresCaseURL, connection: PostgresConnection, logger: Logger) {
        self.url = url
        self.connection = connection
        self.logger = logger
    }

    /// Connects (no TLS: a case is reached on loopback or a trusted network).
    public static func connect(_ url: PostgresCaseURL) throws -> PostgresSession {
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(10)
        var logger = Logger(label: "cipherscope.postgres")
        logger.logLevel = .critical
        let settings = configuration, quiet = logger
        do {
            let connection = try Blocking.wait {
                try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: settings, id: 1, logger: quiet
                ).get()
            }
            return PostgresSession(url: url, connection: connection, logger: quiet)
        } catch {
            throw CaseError("\(url): cannot connect: \(PostgresSession.text(of: error))")
        }
    }

    public func close() {
        let connection = connection
        _ = try? Blocking.wait { try await connection.close() }
    }

    /// Runs `sql` (with `$n` placeholders bound to `values`) and returns every row, decoded by `decode`.
    func rows<T: Sendable>(_ step: String, _ sql: String, _ values: [SQLValue] = [],
                           _ decode: @escaping @Sendable (PostgresRow) throws -> T) throws -> [T] {
        let query = PostgresSession.query(sql, values)
        let connection = connection, logger = logger
        return try guarded(step) {
            try Blocking.wait {
                var out: [T] = []
                for try await row in try await connection.query(query, logger: logger) { out.append(try decode(row)) }
                return out
            }
        }
    }

    /// Runs statements that return no rows we need.
    func execute(_ step: String, _ sql: String, _ values: [SQLValue] = []) throws {
        _ = try rows(step, sql, values) { _ in 0 }
    }

    /// Runs `body` with the connection, on the pool, and waits for it.
    func withConnection<T: Sendable>(_ step: String, _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) throws -> T {
        let connection = connection, logger = logger
        return try guarded(step) { try Blocking.wait { try await body(connection, logger) } }
    }

    func guarded<T>(_ step: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CaseError {
            throw error
        } catch {
            throw CaseError("\(url): \(step): \(PostgresSession.text(of: error))")
        }
    }

    static func query(_ sql: String, _ values: [SQLValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// The server's own message when there is one (PSQLError hides it from `description`).
    static func text(of error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let detail = error.serverInfo?[.detail].map { " (\($0))" } ?? ""
                return message + detail
            }
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
        return "\(error)"
    }
}
