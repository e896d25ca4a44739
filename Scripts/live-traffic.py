#!/usr/bin/env python3
"""Traffic for the live-capture tests, with plain sockets on addresses of this
machine only (127.0.0.1, or a veth pair inside the test's own namespaces).

  live-traffic.py serve ADDR [--dns-port P] [--stun-port Q] [--seconds S]
      DNS responder (A record for any name) and STUN server (Binding response
      with XOR-MAPPED-ADDRESS, SOFTWARE and REALM) until S seconds have passed.
  live-traffic.py query ADDR [--dns-port P] [--stun-port Q] [--name NAME]
      One DNS query for NAME and one STUN Binding request; exits 0 when both answered.
  live-traffic.py both ADDR ...      serve and query in one process.
  live-traffic.py churn ADDR PORT SECONDS
      Many short UDP exchanges (new source port each) and TCP connections to
      echo servers this process runs on ADDR:PORT, for SECONDS.
"""
import argparse
import os
import socket
import struct
import sys
import threading
import time

COOKIE = 0x2112A442


def dns_answer(query: bytes) -> bytes:
    ident = query[:2]
    # Question ends after the name's zero label and 4 bytes of type/class.
    end = 12
    while query[end] != 0:
        end += 1 + query[end]
    question = query[12:end + 5]
    header = ident + struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0)
    answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton("192.0.2.10")
    return header + question + answer


def dns_query(name: str) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00"
    return struct.pack("!HHHHHH", 0x4A2F, 0x0100, 1, 0, 0, 0) + labels + struct.pack("!HH", 1, 1)


def stun_attribute(kind: int, value: bytes) -> bytes:
    pad = (4 - len(value) % 4) % 4
    return struct.pack("!HH", kind, len(value)) + value + b"\x00" * pad


def stun_message(kind: int, txid: bytes, attributes: bytes) -> bytes:
    return struct.pack("!HHI", kind, len(attributes), COOKIE) + txid + attributes


def stun_response(request: bytes, peer) -> bytes:
    txid = request[8:20]
    host, port = peer
    xport = port ^ (COOKIE >> 16)
    xaddr = struct.unpack("!I", socket.inet_aton(host))[0] ^ COOKIE
    attributes = stun_attribute(0x0020, struct.pack("!BBHI", 0, 1, xport, xaddr))
    attributes += stun_attribute(0x8022, b"cipherscope-test-turn")
    attributes += stun_attribute(0x0014, b"signal.org")
    return stun_message(0x0101, txid, attributes)


def serve(addr: str, dns_port: int, stun_port: int, seconds: float, ready: threading.Event = None):
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind((addr, dns_port))
    stun = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stun.bind((addr, stun_port))
    if ready:
        ready.set()
    print("serving", flush=True)
    deadline = time.time() + seconds
    import select
    while time.time() < deadline:
        readable, _, _ = select.select([dns, stun], [], [], 0.1)
        for sock in readable:
            data, peer = sock.recvfrom(2048)
            if sock is dns and len(data) > 12:
                sock.sendto(dns_answer(data), peer)
            elif sock is stun and len(data) >= 20:
                sock.sendto(stun_response(data, peer), peer)


def query(addr: str, dns_port: int, stun_port: int, name: str) -> bool:
    ok = True
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2)
    sock.sendto(dns_query(name), (addr, dns_port))
    try:
        sock.recvfrom(2048)
    except socket.timeout:
        ok = False
    sock.close()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2)
    request = stun_message(0x0001, os.urandom(12), stun_attribute(0x8022, b"cipherscope-test-client"))
    sock.sendto(request, (addr, stun_port))
    try:
        sock.recvfrom(2048)
    except socket.timeout:
        ok = False
    sock.close()
    return ok


def churn(addr: str, port: int, seconds: float):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((addr, port))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((addr, port))
    tcp.listen(64)

    def udp_echo():
        while True:
            data, peer = udp.recvfrom(2048)
            udp.sendto(data, peer)

    def tcp_echo():
        while True:
            conn, _ = tcp.accept()
            data = conn.recv(2048)
            if data:
                conn.sendall(data)
            conn.close()

    threading.Thread(target=udp_echo, daemon=True).start()
    threading.Thread(target=tcp_echo, daemon=True).start()
    print("churning", flush=True)
    deadline = time.time() + seconds
    n = 0
    while time.time() < deadline:
        n += 1
        client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        client.settimeout(1)
        for i in range(3):
            client.sendto(b"ping %d %d" % (n, i), (addr, port))
            try:
                client.recvfrom(2048)
            except socket.timeout:
                pass
        client.close()
        if n % 3 == 0:
            try:
                conn = socket.create_connection((addr, port), timeout=1)
                conn.sendall(b"hello %d" % n)
                conn.recv(2048)
                conn.close()
            except OSError:
                pass
        time.sleep(0.01)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["serve", "query", "both", "churn"])
    parser.add_argument("addr")
    parser.add_argument("rest", nargs="*")
    parser.add_argument("--dns-port", type=int, default=53)
    parser.add_argument("--stun-port", type=int, default=3478)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--name", default="chat.signal.org")
    args = parser.parse_args()
    if args.mode == "serve":
        serve(args.addr, args.dns_port, args.stun_port, args.seconds)
    elif args.mode == "query":
        sys.exit(0 if query(args.addr, args.dns_port, args.stun_port, args.name) else 1)
    elif args.mode == "both":
        ready = threading.Event()
        threading.Thread(target=serve, args=(args.addr, args.dns_port, args.stun_port, 5, ready), daemon=True).start()
        ready.wait()
        sys.exit(0 if query(args.addr, args.dns_port, args.stun_port, args.name) else 1)
    else:
        churn(args.addr, int(args.rest[0]), float(args.rest[1]))


if __name__ == "__main__":
    main()
