#!/usr/bin/env python3
"""make-mtproto-capture.py - record Telegram MTProto transport framings on loopback.

Writes Captures/lab-mtproto.pcap (or the path given as argv[1]) by running, on
127.0.0.1 only, a tiny TCP server on port 18443 and six client connections that
speak the MTProto transports the way Telegram's clients do
(core.telegram.org/mtproto/mtproto-transports; obfuscated2 header generation as in
gotd `obfuscated2/keys_util.go` and Telethon `tcpobfuscated.py`):

  1. obfuscated2 + abridged tag  (ef ef ef ef), DC 2
  2. obfuscated2 + intermediate  (ee ee ee ee), DC -4 (negative = media DC, as tdlib does)
  3. obfuscated2 + padded interm.(dd dd dd dd), DC 5
  4. plain abridged      (first byte ef)
  5. plain intermediate  (first word ee ee ee ee)
  6. full transport      (len | seqno | payload | crc32)

Every client sends two frames that carry an unencrypted MTProto message the way a
fresh connection starts: auth_key_id 0, message_id, length, req_pq_multi#be7e8ef1
with a random 128-bit nonce. The server removes the obfuscation/framing, checks the
tag, and answers one frame (random bytes standing in for resPQ) through the same
transport, so both directions appear in the capture.

Requirements: root (tcpdump on lo), tcpdump, python3 with `cryptography`.
Nothing leaves the host: the only sockets are 127.0.0.1:18443 and its clients.
"""
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HOST = "127.0.0.1"
PORT = 18443
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "lab-mtproto.pcap")

TAG_ABRIDGED = b"\xef\xef\xef\xef"
TAG_INTERMEDIATE = b"\xee\xee\xee\xee"
TAG_PADDED = b"\xdd\xdd\xdd\xdd"


def ctr(key, iv):
    """AES-256-CTR with a full 128-bit big-endian counter starting at iv (OpenSSL semantics)."""
    return Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()


def obfuscated2_header(tag, dc):
    """Client side of obfuscated2: 64 random bytes with the forbidden-start rules, key/iv
    in bytes 8..55, tag at 56..59, DC id (int16 LE) at 60..61, then bytes 56..63 replaced
    by their encryption under the client's own stream. Returns (header, encryptor, decryptor)."""
    while True:
        init = bytearray(os.urandom(64))
        if init[0] == 0xEF:
            continue
        first = struct.unpack("<I", init[0:4])[0]
        if first in (0x44414548, 0x54534F50, 0x20544547, 0x4954504F, 0x02010316, 0xDDDDDDDD, 0xEEEEEEEE):
            continue  # "HEAD", "POST", "GET ", "OPTI", TLS record start, padded/intermediate tags
        if init[4:8] == b"\x00\x00\x00\x00":
            continue
        break
    init[56:60] = tag
    init[60:62] = struct.pack("<h", dc)
    encryptor = ctr(bytes(init[8:40]), bytes(init[40:56]))
    reversed_key_iv = bytes(init[8:56])[::-1]
    decryptor = ctr(reversed_key_iv[0:32], reversed_key_iv[32:48])
    encrypted = encryptor.update(bytes(init))  # advances the stream by 64 bytes
    init[56:64] = encrypted[56:64]
    return bytes(init), encryptor, decryptor


def unencrypted_message():
    """auth_key_id 0 | message_id | length | req_pq_multi#be7e8ef1 nonce:int128."""
    body = struct.pack("<I", 0xBE7E8EF1) + os.urandom(16)
    message_id = (int(time.time()) << 32) | (int.from_bytes(os.urandom(4), "little") & ~3)
    return struct.pack("<qqI", 0, message_id, len(body)) + body


def frame(kind, payload, seqno=0):
    if kind == "abridged":
        words = len(payload) // 4
        head = bytes([words]) if words < 0x7F else b"\x7f" + words.to_bytes(3, "little")
        return head + payload
    if kind == "intermediate":
        return struct.pack("<I", len(payload)) + payload
    if kind == "padded":
        padding = os.urandom(int.from_bytes(os.urandom(1), "little") % 16)
        return struct.pack("<I", len(payload) + len(padding)) + payload + padding
    if kind == "full":
        head = struct.pack("<II", len(payload) + 12, seqno) + payload
        return head + struct.pack("<I", zlib.crc32(head) & 0xFFFFFFFF)
    raise ValueError(kind)


def recv_exact(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


class Reader:
    """Reads the client stream, optionally through the server-side obfuscation decryptor."""
    def __init__(self, sock, decryptor=None):
        self.sock, self.decryptor = sock, decryptor

    def read(self, count):
        data = recv_exact(self.sock, count)
        return self.decryptor.update(data) if self.decryptor else data


def read_frame(reader, kind):
    if kind == "abridged":
        first = reader.read(1)[0]
        words = first if first < 0x7F else int.from_bytes(reader.read(3), "little")
        return reader.read(words * 4)
    if kind in ("intermediate", "padded"):
        return reader.read(struct.unpack("<I", reader.read(4))[0])
    if kind == "full":
        length, _ = struct.unpack("<II", reader.read(8))
        return reader.read(length - 12)  # payload + crc
    raise ValueError(kind)


def serve_one(conn):
    """Abridged, intermediate, padded intermediate, plain or obfuscated2."""
    with conn:
        first = recv_exact(conn, 1)
        encryptor = None
        if first == b"\xef":
            kind, reader = "abridged", Reader(conn)
        else:
            rest = recv_exact(conn, 3)
            word = first + rest
            if word == TAG_INTERMEDIATE:
                kind, reader = "intermediate", Reader(conn)
            elif word == TAG_PADDED:
                kind, reader = "padded", Reader(conn)
            else:
                header = word + recv_exact(conn, 60)
                if header[4:8] != b"\0\0\0\0":
                    decryptor = ctr(header[8:40], header[40:56])
                    plain = decryptor.update(header)
                    tag = plain[56:60]
                    kind = {TAG_ABRIDGED: "abridged", TAG_INTERMEDIATE: "intermediate", TAG_PADDED: "padded"}.get(tag)
                    if kind is None:
                        raise ValueError("bad obfuscated2 tag")
                    reversed_key_iv = header[8:56][::-1]
                    encryptor = ctr(reversed_key_iv[0:32], reversed_key_iv[32:48])
                    reader = Reader(conn, decryptor)
                else:
                    raise ValueError("unknown transport")
        for _ in range(2):
            read_frame(reader, kind)
        reply = frame(kind, os.urandom(84), seqno=0)
        conn.sendall(encryptor.update(reply) if encryptor else reply)
        try:
            conn.recv(1)  # wait for the client's FIN
        except OSError:
            pass


def serve_full(conn):
    with conn:
        for _ in range(2):
            length, _seq = struct.unpack("<II", recv_exact(conn, 8))
            recv_exact(conn, length - 8)
        conn.sendall(frame("full", os.urandom(84), seqno=0))
        conn.recv(1)


def client(kind, obfuscated_tag=None, dc=0):
    with socket.create_connection((HOST, PORT)) as sock:
        encryptor = None
        if obfuscated_tag is not None:
            header, encryptor, _ = obfuscated2_header(obfuscated_tag, dc)
            sock.sendall(header)
        elif kind == "abridged":
            sock.sendall(b"\xef")
        elif kind == "intermediate":
            sock.sendall(TAG_INTERMEDIATE)
        for seqno in range(2):
            data = frame(kind, unencrypted_message(), seqno=seqno)
            sock.sendall(encryptor.update(data) if encryptor else data)
            time.sleep(0.05)
        sock.recv(4096)
        time.sleep(0.05)


def main():
    tcpdump = subprocess.Popen(
        ["tcpdump", "-i", "lo", "-U", "--immediate-mode", "-w", OUT, f"tcp port {PORT}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.5)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((HOST, PORT))
    server.listen(8)
    plan = [
        ("abridged", TAG_ABRIDGED, 2, serve_one),
        ("intermediate", TAG_INTERMEDIATE, -4, serve_one),
        ("padded", TAG_PADDED, 5, serve_one),
        ("abridged", None, 0, serve_one),
        ("intermediate", None, 0, serve_one),
        ("full", None, 0, serve_full),
    ]
    try:
        for kind, tag, dc, handler in plan:
            worker = threading.Thread(target=lambda h=handler: h(server.accept()[0]))
            worker.start()
            client(kind, tag, dc)
            worker.join(timeout=5)
            time.sleep(0.1)
    finally:
        server.close()
        time.sleep(1.0)
        tcpdump.terminate()
        tcpdump.wait(timeout=5)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
