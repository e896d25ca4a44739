/// What can go wrong with a PostgreSQL case, worded for the person at the terminal.
public enum PostgresCaseError: Error, CustomStringConvertible, Equatable {
    case badURL(String, String)
    case unreachable(String, String)
    case notACase(String)
    case newerSchema(String, found: Int, supported: Int)
    case queue(String)

    public var description: String {
        switch self {
        case .badURL(let url, let why): "\(url): not a PostgreSQL case URL: \(why)"
        case .unreachable(let url, let why): "\(url): cannot connect: \(why)"
        case .notACase(let url): "\(url): the database holds tables but is not a cipherscope case (no cipherscope_meta table)"
        case .newerSchema(let url, let found, let supported):
            "\(url): case schema version \(found) is newer than this cipherscope supports (\(supported)); use a newer cipherscope"
        case .queue(let why): "work queue: \(why)"
        }
    }
}
