import PostgresNIO

/// One connection to a case's database. PostgresNIO runs on the shared NIO event
/// loops; cipherscope's callers are synchronous, so each call waits for its result.
public final class PostgresSession: Sendable {
    public let url: PostgresCaseURL
    let connection: PostgresConnection
    let logger: Logger

    private init(url: PostgresCaseURL, connection: PostgresConnection, logger: Logger) {
        self.url = url
        self.connection = connection
        self.logger = logger
    }

    /// Connects (no TLS: cases are reached on a trusted network or loopback).
    public static func connect(_ url: PostgresCaseURL) async throws -> PostgresSession {
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(10)
        var logger = Logger(label: "cipherscope.postgres")
        logger.logLevel = .critical
        do {
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger
            ).get()
            return PostgresSession(url: url, connection: connection, logger: logger)
        } catch {
            throw PostgresCaseError.unreachable(url.description, String(reflecting: error))
        }
    }

    public func close() async {
        try? await connection.close()
    }
}
