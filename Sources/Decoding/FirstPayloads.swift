/// The first bytes of a flow's first payload packet in each direction: index 0
/// client to server, 1 server to client. Two arrays inline: every dissected flow
/// holds one from its first packet on, and an array of the two cost an allocation
/// per flow.
public struct FirstPayloads: Sendable, Hashable, ExpressibleByArrayLiteral {
    public var clientToServer: [UInt8]
    public var serverToClient: [UInt8]

    /// None yet.
    public init() {
        clientToServer = []
        serverToClient = []
    }

    public init(clientToServer: [UInt8], serverToClient: [UInt8]) {
        self.clientToServer = clientToServer
        self.serverToClient = serverToClient
    }

    /// From a list of up to two arrays (the first client to server).
    public init(_ directions: [[UInt8]]) {
        self.init(clientToServer: directions.first ?? [], serverToClient: directions.count > 1 ? directions[1] : [])
    }

    /// `[c2s, s2c]` (at least one array: `[]` is the empty literal of the arrays).
    public init(arrayLiteral directions: [UInt8]...) {
        self.init(directions)
    }

    public var isEmpty: Bool { clientToServer.isEmpty && serverToClient.isEmpty }

    /// The bytes of `direction` (0 client to server, anything else server to client).
    public subscript(direction: Int) -> [UInt8] {
        get { direction == 0 ? clientToServer : serverToClient }
        // A plain setter: a `_modify` coroutine called from another module allocates its frame.
        set {
            if direction == 0 { clientToServer = newValue } else { serverToClient = newValue }
        }
    }
}
