#!/usr/bin/env python3
"""A DTLS 1.2 client on tinydtls (through python's dtlssocket), for dtlsh's client-probe tests.

    tinydtls_client.py PORT --psk ID:HEX [--lifetime S]
        Connects to 127.0.0.1:PORT, prints "connected" once the handshake is done and one line per
        event, and exits at the server's close_notify (0), at a fatal alert (1), or after --lifetime.
        tinydtls offers PSK with AES-128-CCM-8 and -CCM only.

tinydtls keeps its sessions as IPv6 addresses: the socket is a dual-stack IPv6 one, bound to
::ffff:127.0.0.1 (loopback only), and talks to ::ffff:127.0.0.1. stdout is flushed at every line.
"""

import argparse
import select
import socket
import sys
import time

from DTLSSocket import dtls

# tinydtls' event codes (dtls.h); any other code is an alert's description.
EVENT_CONNECTED = 0x1DE
ALERT_LEVELS = {1: "warning", 2: "fatal"}
CLOSE_NOTIFY = 0
# tinydtls resends from dtls_check_retransmit only: calling it this often keeps its timer's error small.
TICK = 0.01


def say(*words):
    print(*words, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--psk", required=True)
    parser.add_argument("--lifetime", type=float, default=30)
    args = parser.parse_args()
    identity, key = args.psk.rsplit(":", 1)

    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::ffff:127.0.0.1", 0))
    ended = [None]

    def write(address, data):
        try:
            return sock.sendto(data, address[:2])
        except OSError as e:
            say("send failed %s" % e)
            return -1

    def read(address, data):
        say("received %r" % data)

    def event(level, code):
        if code == EVENT_CONNECTED:
            say("connected")
        elif level in ALERT_LEVELS:
            say("alert %s %d" % (ALERT_LEVELS[level], code))
            if level == 2:
                ended[0] = 1
            elif code == CLOSE_NOTIFY:
                ended[0] = 0

    # Named, so they live as long as the context: dtlssocket keeps pointers into them, not references.
    psk_id = identity.encode()
    psk_store = {psk_id: bytes.fromhex(key)}
    context = dtls.DTLS(read=read, write=write, event=event, pskId=psk_id, pskStore=psk_store)
    # Kept: dtlssocket closes a connection (close_notify) when its object is collected.
    connection = context.connect("::ffff:127.0.0.1", args.port)
    end = time.time() + args.lifetime
    while time.time() < end and ended[0] is None:
        ready, _, _ = select.select([sock], [], [], TICK)
        if ready:
            data, address = sock.recvfrom(65536)
            context.handleMessageAddr(address[0], address[1], data)
        context.checkRetransmit()
    del connection, psk_store
    sys.exit(2 if ended[0] is None else ended[0])


if __name__ == "__main__":
    main()
