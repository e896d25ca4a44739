import Schema

public struct SSHEvidence: Sendable {
    public var clientBanner: String?
    public var serverBanner: String?
    public var hassh: String?
    public var hasshServer: String?
    public var ja4ssh: [String] = []
}

extension SSHEvidence {
    /// The `ssh` object's members.
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        sink.text(.sshClientBanner, clientBanner)
        sink.text(.sshServerBanner, serverBanner)
        sink.text(.sshHASSH, hassh)
        sink.text(.sshHASSHServer, hasshServer)
        sink.texts(.sshJA4SSH, ja4ssh)
    }
}
