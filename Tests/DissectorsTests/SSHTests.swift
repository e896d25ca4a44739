import Testing
@testable import Dissectors

@Suite("SSH")
struct SSHTests {
    @Test func clientBannerAndKexInit() throws {
        let stream = try #require(SSHLabFixture.client.withUnsafeBytes { SSHStream.parse($0) })
        #expect(stream.preBannerLines.isEmpty)
        #expect(stream.banner.text == "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10")
        #expect(stream.banner.protocolVersion == "2.0")
        #expect(stream.banner.softwareVersion == "OpenSSH_9.2p1")
        #expect(stream.banner.comments == "Debian-2+deb12u10")
        let kex = try #require(stream.kexInit)
        // tshark: ssh.cookie
        #expect(kex.cookie == L7Fixture.bytes("e392aaff5ac0676f104595777f82b966"))
        #expect(kex.kexAlgorithms.first == "sntrup761x25519-sha512")
        #expect(kex.kexAlgorithms.last == "kex-strict-c-v00@openssh.com")
        #expect(kex.encryptionClientToServer == ["chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com"])
        #expect(kex.compressionClientToServer == ["none", "zlib@openssh.com", "zlib"])
        #expect(kex.languagesClientToServer.isEmpty && kex.languagesServerToClient.isEmpty)
        #expect(!kex.firstKexPacketFollows)
        #expect(kex.serverHostKeyAlgorithms.contains("ssh-ed25519"))
    }

    @Test func serverBannerAndKexInit() throws {
        let stream = try #require(SSHLabFixture.server.withUnsafeBytes { SSHStream.parse($0) })
        #expect(stream.banner.softwareVersion == "OpenSSH_9.2p1")
        let kex = try #require(stream.kexInit)
        #expect(kex.kexAlgorithms.last == "kex-strict-s-v00@openssh.com")
        #expect(kex.compressionServerToClient == ["none", "zlib@openssh.com"])
        #expect(kex.serverHostKeyAlgorithms == ["ssh-ed25519"])   // tshark: ssh.server_host_key_algorithms
    }

    @Test func linesBeforeBannerAndBannerOnly() throws {
        let text = "Welcome\r\nauthorised use only\r\nSSH-1.99-Cisco-1.25\r\n"
        let stream = try #require(Array(text.utf8).withUnsafeBytes { SSHStream.parse($0) })
        #expect(stream.preBannerLines == ["Welcome", "authorised use only"])
        #expect(stream.banner.protocolVersion == "1.99")
        #expect(stream.banner.softwareVersion == "Cisco-1.25")
        #expect(stream.banner.comments == nil)
        #expect(stream.kexInit == nil)
    }

    @Test func notSSH() {
        for text in ["", "SSH-2.0-OpenSSH", "GET / HTTP/1.1\r\n\r\n", "SSH-\r\n", "SSH-2.0\r\n",
                     String(repeating: "x", count: 300) + "\r\nSSH-2.0-a\r\n"] {
            #expect(Array(text.utf8).withUnsafeBytes { SSHStream.parse($0) } == nil, "\(text)")
        }
        // A banner longer than 255 bytes is refused.
        let long = "SSH-2.0-" + String(repeating: "a", count: 260) + "\r\n"
        #expect(Array(long.utf8).withUnsafeBytes { SSHStream.parse($0) } == nil)
    }

    @Test func truncatedKexInit() throws {
        // The banner and half of the KEXINIT packet: banner yes, KEXINIT no.
        let half = Array(SSHLabFixture.client.prefix(800))
        let stream = try #require(half.withUnsafeBytes { SSHStream.parse($0) })
        #expect(stream.kexInit == nil)
    }

    @Test func mutationsNeverCrash() {
        for fixture in [SSHLabFixture.client, SSHLabFixture.server] {
            L7Fixture.stress(fixture, mutations: 3000) { bytes in
                if let stream = SSHStream.parse(bytes) {
                    #expect(stream.banner.text.utf8.count <= 4 * SSHBanner.maxLength)
                }
            }
        }
        // Mutate only the KEXINIT part, which the generic stress rarely reaches intact.
        var rng = SplitMix64(seed: 7)
        for _ in 0..<3000 {
            var bytes = SSHLabFixture.client
            let position = 41 + Int(rng.next() % UInt64(bytes.count - 41))
            bytes[position] = UInt8(truncatingIfNeeded: rng.next())
            _ = bytes.withUnsafeBytes { SSHStream.parse($0) }
        }
    }
}
