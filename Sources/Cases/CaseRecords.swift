import Custody

/// The values that go in and come out of a case, engine-neutral.

/// What `case init` is given.
public struct NewCaseInfo: Sendable {
    public var caseID: String?
    public var operatorName: String?
    /// `TLP:CLEAR` … `TLP:RED`, as given.
    public var tlp: String?
    /// Nanoseconds since the Unix epoch.
    public var created: Int64

    public init(caseID: String?, operatorName: String?, tlp: String?, created: Int64) {
        self.caseID = caseID
        self.operatorName = operatorName
        self.tlp = tlp
        self.created = created
    }
}

/// The `case_info` row.
public struct CaseInfo: Sendable, Equatable {
    public var caseID: String?
    public var operatorName: String?
    public var tlp: String?
    public var created: Int64
    public var schemaVersion: Int

    public init(caseID: String?, operatorName: String?, tlp: String?, created: Int64, schemaVersion: Int) {
        self.caseID = caseID
        self.operatorName = operatorName
        self.tlp = tlp
        self.created = created
        self.schemaVersion = schemaVersion
    }
}

/// A file as it is registered, before it is read.
public struct NewCaseFile: Sendable {
    public var sha256: String
    public var size: UInt64
    /// The path as given to `case ingest` (directories expanded).
    public var path: String
    /// `cipherscope --version` of the build that reads it.
    public var toolVersion: String
    /// The rule packs that label its flows: `id@version` joined with `,` (empty: none).
    public var rulePacks: String
    /// The delivery chain: the ingest that read it (`chain-<first file's sha256 prefix>` unless named).
    public var chain: String
    /// Nanoseconds since the Unix epoch.
    public var ingested: Int64

    public init(sha256: String, size: UInt64, path: String, toolVersion: String, rulePacks: String, chain: String, ingested: Int64) {
        self.sha256 = sha256
        self.size = size
        self.path = path
        self.toolVersion = toolVersion
        self.rulePacks = rulePacks
        self.chain = chain
        self.ingested = ingested
    }
}

/// What reading a file found.
public struct FileOutcome: Sendable, Equatable {
    public var packets: UInt64
    /// Earliest and latest packet time (ns), nil without packets.
    public var firstPacket: Int64?
    public var lastPacket: Int64?
    /// The read error (damage, or a file that could not be opened); nil: `ok`.
    public var error: String?
    /// Set when the file was hashed beside the analysis: its hash and size, and the
    /// chain's name, replace the placeholders it was registered with.
    public var digest: FileDigest?
    public var chain: String?

    public init(packets: UInt64, firstPacket: Int64?, lastPacket: Int64?, error: String?) {
        self.packets = packets
        self.firstPacket = firstPacket
        self.lastPacket = lastPacket
        self.error = error
    }

    public var status: FileStatus { error == nil ? .ok : .damaged }
}

public enum FileStatus: String, Sendable {
    case ok, damaged
}

/// A row of `files`.
public struct CaseFile: Sendable, Equatable {
    public var id: Int64
    public var sha256: String
    public var size: UInt64
    public var path: String
    public var firstPacket: Int64?
    public var lastPacket: Int64?
    public var packets: UInt64
    public var toolVersion: String
    public var rulePacks: String
    public var status: String
    public var error: String?
    public var chain: String
    public var ingested: Int64
    public var flows: Int64

    public init(id: Int64, sha256: String, size: UInt64, path: String, firstPacket: Int64?, lastPacket: Int64?, packets: UInt64,
                toolVersion: String, rulePacks: String, status: String, error: String?, chain: String, ingested: Int64, flows: Int64) {
        self.id = id
        self.sha256 = sha256
        self.size = size
        self.path = path
        self.firstPacket = firstPacket
        self.lastPacket = lastPacket
        self.packets = packets
        self.toolVersion = toolVersion
        self.rulePacks = rulePacks
        self.status = status
        self.error = error
        self.chain = chain
        self.ingested = ingested
        self.flows = flows
    }
}

/// A flow as it is stored: the typed columns (`CaseSchema.flowColumns`) and the
/// whole `analyze` JSON Lines record.
public struct FlowRow: Sendable, Equatable {
    /// By column, in `CaseSchema.flowColumns` order.
    public var values: [SQLValue]

    public init(values: [SQLValue]) { self.values = values }

    public subscript(_ column: FlowColumn) -> SQLValue {
        get { values[column.rawValue] }
        set { values[column.rawValue] = newValue }
    }
}

/// A flow read back from a case.
public struct StoredFlow: Sendable {
    /// The `analyze` JSON Lines record, without its newline.
    public var record: String
    public var fileID: Int64
    public var firstFrame: Int64

    public init(record: String, fileID: Int64, firstFrame: Int64) {
        self.record = record
        self.fileID = fileID
        self.firstFrame = firstFrame
    }
}

/// One group of `CaseStore.summary()`.
public struct CaseSummaryRow: Sendable, Equatable {
    /// Empty for unlabelled flows.
    public var platform: String
    public var client: String
    /// Days since the Unix epoch (UTC) of the flows' first_seen.
    public var day: Int64
    public var flows: Int64
    public var bytes: Int64

    public init(platform: String, client: String, day: Int64, flows: Int64, bytes: Int64) {
        self.platform = platform
        self.client = client
        self.day = day
        self.flows = flows
        self.bytes = bytes
    }
}

/// A value bound to a statement or read from a row, in the types every engine has.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])
}
