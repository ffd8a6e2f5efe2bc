#!/usr/bin/env python3
"""A DTLS 1.2 server on tinydtls (through python's dtlssocket), for dtlsh's interop tests.

    tinydtls_peer.py server --psk ID:HEX [--lifetime S]
        Binds 127.0.0.1 on a free port, prints "ready port N", and echoes every
        message to its sender. tinydtls speaks PSK with AES-128-CCM-8 and -CCM
        only; one context serves every client address.

tinydtls keeps its sessions as IPv6 addresses: the socket is a dual-stack IPv6
one bound to ::ffff:127.0.0.1, so IPv4 peers reach it at 127.0.0.1 and it sees
them as ::ffff:127.0.0.1. Every line printed is one event; stdout is flushed at
once. The server stops by itself (--lifetime), so no test can leave one behind.
"""

import argparse
import select
import socket
import sys
import time

from DTLSSocket import dtls

# tinydtls' event codes (dtls.h); any other code is an alert's description.
EVENT_CONNECT = 0x1DC
EVENT_CONNECTED = 0x1DE
EVENT_RENEGOTIATE = 0x1DF
ALERT_LEVELS = {1: "warning", 2: "fatal"}
# tinydtls resends from dtls_check_retransmit only: calling it this often keeps its timer's error small.
TICK = 0.01


def say(*words):
    print(*words, flush=True)


def ipv4(address):
    """'::ffff:127.0.0.1' as '127.0.0.1', as the tests and the other fixtures print addresses."""
    host = address[0]
    return "%s:%d" % (host[len("::ffff:"):] if host.startswith("::ffff:") else host, address[1])


def serve(args):
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::ffff:127.0.0.1", 0))
    identity, key = args.psk.rsplit(":", 1)
    # The read and write callbacks know the peer; the event callback does not (dtlssocket drops the
    # session), so events name the address of the last datagram handed in.
    last = [None]

    def write(address, data):
        try:
            return sock.sendto(data, address[:2])
        except OSError as e:
            say("send failed %s %s" % (ipv4(address), e))
            return -1

    def read(address, data):
        say("received %s %r" % (ipv4(address), data))
        context.write(dtls.Session(address[0], address[1]), data)
        return len(data)

    def event(level, code):
        where = ipv4(last[0]) if last[0] else "?"
        if code == EVENT_CONNECTED:
            say("established %s" % where)
        elif code == EVENT_RENEGOTIATE:
            say("renegotiate %s" % where)
        elif code != EVENT_CONNECT:
            say("alert %s %s %d" % (where, ALERT_LEVELS.get(level, level), code))

    context = dtls.DTLS(read=read, write=write, event=event,
                        pskId=identity.encode(), pskStore={identity.encode(): bytes.fromhex(key)})
    dtls.setLogLevel(dtls.DTLS_LOG_EMERG)
    say("ready port %d" % sock.getsockname()[1])
    deadline = time.monotonic() + args.lifetime
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], TICK)
        if readable:
            data, address = sock.recvfrom(65536)
            last[0] = address
            context.handleMessageAddr(address[0], address[1], data)
        context.checkRetransmit()
    say("lifetime over")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["server"])
    parser.add_argument("--psk", required=True)
    parser.add_argument("--lifetime", type=float, default=60)
    args = parser.parse_args()
    serve(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
