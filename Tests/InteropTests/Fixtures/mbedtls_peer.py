#!/usr/bin/env python3
"""A DTLS 1.2 peer on mbed TLS (through python-mbedtls), for dtlsh's interop tests.

    mbedtls_peer.py server (--psk ID:HEX | --cert CRT --key KEY) [--ciphers A,B]
        Binds 127.0.0.1 on a free port, prints "ready port N", and echoes every
        message to its sender. Any number of clients share the one socket: the
        sans-IO API with one buffer per client address (python-mbedtls' own
        DTLS accept() rebinds a new socket per client).
    mbedtls_peer.py client PORT (--psk ID:HEX | --ca CRT | nothing: no verification)
            [--ciphers A,B] [--message TEXT | --stdin]
        Handshakes with 127.0.0.1:PORT, sends TEXT (or each line of stdin until
        it ends), prints "echo ..." for what comes back, closes with close_notify.

Every line printed is one event; stdout is flushed at once. Both roles stop by
themselves (--lifetime, --timeout), so no test can leave one behind.
"""

import argparse
import os
import select
import socket
import sys
import time

from mbedtls import pk, tls, x509
from mbedtls.exceptions import TLSError

MTU = 1400


def say(*words):
    print(*words, flush=True)


def configuration(args, server):
    kw = {
        "lowest_supported_version": tls.DTLSVersion.DTLSv1_2,
        "highest_supported_version": tls.DTLSVersion.DTLSv1_2,
        "validate_certificates": False,
        "handshake_timeout_min": 0.5,
    }
    if args.ciphers:
        kw["ciphers"] = args.ciphers.split(",")
    if args.psk:
        identity, key = args.psk.rsplit(":", 1)
        if server:
            kw["pre_shared_key_store"] = {identity: bytes.fromhex(key)}
        else:
            kw["pre_shared_key"] = (identity, bytes.fromhex(key))
    if server and args.cert:
        kw["certificate_chain"] = ((x509.CRT.from_file(args.cert),), pk.ECC.from_file(args.key))
    if not server and args.ca:
        kw["validate_certificates"] = True
        kw["trust_store"] = tls.TrustStore.from_pem_file(args.ca)
    return tls.DTLSConfiguration(**kw)


def flush(buf, sock, address):
    """Sends what mbed TLS queued. Each flight leaves as one datagram of whole records."""
    data = buf.peek_outgoing(65536)
    if data:
        sock.sendto(data, address)
        buf.consume_outgoing(len(data))


def describe(buf):
    return "%s %s" % (buf.cipher(), buf.negotiated_tls_version().name)


class Client:
    """One association of the server: the buffer and where it stands."""

    def __init__(self, context, address):
        self.address = address
        self.buf = context.wrap_buffers()
        # The cookie binds the client's address; mbed TLS refuses a ClientHello without it.
        self.buf.setcookieparam(("%s:%d" % address).encode())
        self.buf.setmtu(MTU)
        self.established = False


def serve(args):
    context = tls.ServerContext(configuration(args, server=True))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    clients = {}
    say("ready port %d" % sock.getsockname()[1])
    deadline = time.monotonic() + args.lifetime
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], 0.1)
        if readable:
            data, address = sock.recvfrom(65536)
            client = clients.get(address) or clients.setdefault(address, Client(context, address))
            client.buf.receive_from_network(data)
            step(context, sock, clients, client)
        else:
            # Retransmission timers of unfinished handshakes.
            for client in list(clients.values()):
                if not client.established:
                    step(context, sock, clients, client)
    say("lifetime over")


def step(context, sock, clients, client):
    buf, address = client.buf, client.address
    if not client.established:
        try:
            while True:
                try:
                    buf.do_handshake()
                    break
                except tls.WantWriteError:
                    flush(buf, sock, address)
        except tls.WantReadError:
            pass
        except tls.HelloVerifyRequest:
            # The HelloVerifyRequest is out; the ClientHello with the cookie starts afresh.
            flush(buf, sock, address)
            say("hello_verify_request %s:%d" % address)
            clients[address] = Client(context, address)
            return
        except TLSError as e:
            flush(buf, sock, address)
            say("failed %s:%d %s" % (address + (e,)))
            del clients[address]
            return
        flush(buf, sock, address)
        if buf._handshake_state is not tls.HandshakeStep.HANDSHAKE_OVER:
            return
        client.established = True
        say("established %s:%d %s" % (address + (describe(buf),)))
    while True:
        try:
            data = buf.read(65536)
        except tls.WantReadError:
            # A record mbed TLS discarded (a replay, a bad MAC, a future epoch): the association stays.
            break
        except TLSError as e:
            if getattr(e, "err", None) == 0x7880:  # MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY
                buf.shutdown()  # our close_notify in answer
                flush(buf, sock, address)
                say("closed %s:%d close_notify" % address)
            else:
                say("failed %s:%d %s" % (address + (e,)))
            del clients[address]
            return
        if not data:
            break
        say("received %s:%d %r" % (address + (data,)))
        buf.write(data)
        flush(buf, sock, address)


def connect(args):
    context = tls.ClientContext(configuration(args, server=False))
    buf = context.wrap_buffers(None)
    buf.setmtu(MTU)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    address = ("127.0.0.1", args.port)
    deadline = time.monotonic() + args.timeout

    def receive():
        readable, _, _ = select.select([sock], [], [], 0.1)
        if readable:
            data, source = sock.recvfrom(65536)
            if source == address:
                buf.receive_from_network(data)

    while buf._handshake_state is not tls.HandshakeStep.HANDSHAKE_OVER:
        if time.monotonic() > deadline:
            say("failed: handshake timed out")
            return 1
        try:
            buf.do_handshake()
        except tls.WantWriteError:
            flush(buf, sock, address)
        except tls.WantReadError:
            flush(buf, sock, address)
            receive()
        except TLSError as e:
            flush(buf, sock, address)
            say("failed: %s" % e)
            return 1
    flush(buf, sock, address)
    say("established %s" % describe(buf))
    lines = [args.message.encode()] if not args.stdin else []
    sent = received = b""
    stdin_open = args.stdin
    while time.monotonic() < deadline:
        for line in lines:
            buf.write(line)
            flush(buf, sock, address)
            sent += line
        lines = []
        if not stdin_open and received == sent:
            break
        watched = [sock, 0] if stdin_open else [sock]
        readable, _, _ = select.select(watched, [], [], 0.1)
        if 0 in readable:
            chunk = os.read(0, 65536)
            if chunk:
                lines = chunk.splitlines(keepends=True)
            else:
                stdin_open = False
        if sock in readable:
            data, source = sock.recvfrom(65536)
            if source == address:
                buf.receive_from_network(data)
            try:
                data = buf.read(65536)
            except TLSError as e:
                say("failed: %s" % e)
                return 1
            if data:
                received += data
                say("echo %s" % data.decode(errors="replace").rstrip("\n"))
    if received != sent:
        say("failed: sent %r, echoed %r" % (sent, received))
        return 1
    buf.shutdown()
    flush(buf, sock, address)
    say("close_notify sent")
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("port", type=int, nargs="?")
    parser.add_argument("--psk")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--ca")
    parser.add_argument("--ciphers")
    parser.add_argument("--message", default="hello from mbed TLS")
    parser.add_argument("--stdin", action="store_true", help="send each stdin line; close at EOF")
    parser.add_argument("--lifetime", type=float, default=60)
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args()
    if args.role == "server":
        serve(args)
        return 0
    return connect(args)


if __name__ == "__main__":
    sys.exit(main())
