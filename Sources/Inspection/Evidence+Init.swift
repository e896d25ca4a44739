// Public factories of the evidence records (their memberwise initialisers are
// internal), for evidence rebuilt from other tools' logs (LogInput) rather than
// dissected here.

extension TLSEvidence {
    public static var none: TLSEvidence { TLSEvidence() }
}

extension TLSCertificateEvidence {
    public static func of(subject: String, issuer: String, san: [String], notBefore: String, notAfter: String, serial: String,
                          sha256: String, ja4x: String?) -> TLSCertificateEvidence {
        TLSCertificateEvidence(subject: subject, issuer: issuer, san: san, notBefore: notBefore, notAfter: notAfter,
                               serial: serial, sha256: sha256, ja4x: ja4x)
    }
}

extension DNSEvidence {
    public static var none: DNSEvidence { DNSEvidence() }
}

extension DNSQueryEvidence {
    public static func of(name: String, type: String) -> DNSQueryEvidence { DNSQueryEvidence(name: name, type: type) }
}

extension DNSAnswerEvidence {
    public static func of(name: String, type: String, data: String, ttl: UInt32) -> DNSAnswerEvidence {
        DNSAnswerEvidence(name: name, type: type, data: data, ttl: ttl)
    }
}

extension HTTPEvidence {
    public static var none: HTTPEvidence { HTTPEvidence() }
}

extension SSHEvidence {
    public static var none: SSHEvidence { SSHEvidence() }
}
