#!/usr/bin/env python3
"""Capture real OpenSSL DTLS handshakes as test fixtures for DTLSWireTests.

Each scenario starts `openssl s_server` and `openssl s_client` on 127.0.0.1 with a
tiny UDP relay between them; the relay logs every datagram (direction + bytes).
The result is written as Swift source (hex strings) so the tests need no
SwiftPM resources and no network.

    python3 Tests/DTLSWireTests/Fixtures/.capture-fixtures.py \
        > Tests/DTLSWireTests/Fixtures/CapturedHandshakes.swift

The file name starts with a dot because SwiftPM warns about any file in a target
directory it does not know how to build, and Package.swift is not ours to edit.

Loopback only. Every wait is bounded in time and every loop in count.
"""

import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time

PSK = "00112233445566778899aabbccddeeff"
MAX_DATAGRAMS = 200
SCENARIO_DEADLINE = 15.0

# name, what it shows, server flags, client flags
SCENARIOS = [
    ("psk12", "DTLS 1.2, PSK-AES128-GCM-SHA256 with an identity hint, app data both ways, close_notify",
     ["-dtls1_2", "-nocert", "-psk", PSK, "-psk_identity", "client", "-psk_hint", "hint",
      "-cipher", "PSK-AES128-GCM-SHA256"],
     ["-dtls1_2", "-psk", PSK, "-psk_identity", "client"]),
    ("cert12", "DTLS 1.2, self-signed ECDSA P-256 certificate, ECDHE-ECDSA",
     ["-dtls1_2", "-cert", "{dir}/server.crt", "-key", "{dir}/server.key"],
     ["-dtls1_2", "-CAfile", "{dir}/server.crt"]),
    ("mutual12", "DTLS 1.2, certificate on both sides: CertificateRequest, CertificateVerify",
     ["-dtls1_2", "-cert", "{dir}/server.crt", "-key", "{dir}/server.key", "-verify", "1"],
     ["-dtls1_2", "-CAfile", "{dir}/server.crt", "-cert", "{dir}/client.crt", "-key", "{dir}/client.key"]),
    ("srtp12", "DTLS 1.2, PSK with use_srtp (two profiles offered, SRTP_AES128_CM_SHA1_80 chosen)",
     ["-dtls1_2", "-nocert", "-psk", PSK, "-cipher", "PSK-AES128-GCM-SHA256",
      "-use_srtp", "SRTP_AES128_CM_SHA1_80"],
     ["-dtls1_2", "-psk", PSK, "-psk_identity", "client",
      "-use_srtp", "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"]),
    ("mtu12", "DTLS 1.2, certificate with a 300-byte link MTU: handshake messages fragmented",
     ["-dtls1_2", "-cert", "{dir}/server.crt", "-key", "{dir}/server.key", "-mtu", "300"],
     ["-dtls1_2", "-CAfile", "{dir}/server.crt", "-mtu", "300"]),
    ("ecdhepsk12", "DTLS 1.2, ECDHE-PSK-AES128-CBC-SHA256: ServerKeyExchange with hint and curve",
     ["-dtls1_2", "-nocert", "-psk", PSK, "-psk_hint", "hint", "-cipher", "ECDHE-PSK-AES128-CBC-SHA256"],
     ["-dtls1_2", "-psk", PSK, "-psk_identity", "client", "-cipher", "ECDHE-PSK-AES128-CBC-SHA256"]),
    ("dtls10", "DTLS 1.0 (0xfeff), PSK-AES128-CBC-SHA at security level 0",
     ["-dtls1", "-nocert", "-psk", PSK, "-cipher", "PSK-AES128-CBC-SHA:@SECLEVEL=0"],
     ["-dtls1", "-psk", PSK, "-psk_identity", "client", "-cipher", "PSK-AES128-CBC-SHA:@SECLEVEL=0"]),
    ("nosharedcipher", "DTLS 1.2, no suite in common: plaintext fatal handshake_failure alert",
     ["-dtls1_2", "-nocert", "-psk", PSK, "-cipher", "PSK-AES128-GCM-SHA256"],
     ["-dtls1_2", "-psk", PSK, "-psk_identity", "client", "-cipher", "PSK-AES256-GCM-SHA384"]),
]


def make_credentials(directory):
    for name in ("server", "client"):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", f"{directory}/{name}.key", "-out", f"{directory}/{name}.crt", "-days", "3650",
             "-subj", f"/O=dtlsh test/CN={'localhost' if name == 'server' else 'dtlsh client'}",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
            check=True, capture_output=True, timeout=30)


def free_port():
    # s_server cannot bind port 0 and report it, so borrow a free one from the kernel.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_text(path, text, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, "rb") as f:
            if text in f.read():
                return True
        time.sleep(0.05)
    return False


def relay(front, back, server_port, log, stop, deadline):
    client = None
    while not stop.is_set() and time.monotonic() < deadline and len(log) < MAX_DATAGRAMS:
        readable, _, _ = select.select([front, back], [], [], 0.05)
        for sock in readable:
            data, source = sock.recvfrom(65535)
            if sock is front:
                client = source
                log.append((True, data))
                back.sendto(data, ("127.0.0.1", server_port))
            elif client is not None:
                log.append((False, data))
                front.sendto(data, client)


def run_scenario(directory, server_flags, client_flags):
    fill = lambda flags: [f.replace("{dir}", directory) for f in flags]
    port = free_port()
    server_out = os.path.join(directory, f"server-{port}.out")
    with open(server_out, "wb") as out:
        # s_server exits when its stdin closes, so keep a pipe open until we are done.
        server = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}"] + fill(server_flags),
                                  stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)
    log = []
    stop = threading.Event()
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        if not wait_for_text(server_out, b"ACCEPT", 5.0):
            raise RuntimeError("s_server did not start")
        front.bind(("127.0.0.1", 0))
        back.bind(("127.0.0.1", 0))
        thread = threading.Thread(target=relay, args=(front, back, port, log, stop,
                                                      time.monotonic() + SCENARIO_DEADLINE))
        thread.start()
        client = subprocess.Popen(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{front.getsockname()[1]}", "-no_ign_eof"]
            + fill(client_flags),
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client.stdin.write(b"hello\n")
        client.stdin.flush()
        time.sleep(1.0)
        try:
            server.stdin.write(b"world\n")
            server.stdin.flush()
        except BrokenPipeError:
            pass
        time.sleep(0.5)
        client.stdin.close()  # s_client sends close_notify on end of input
        try:
            client.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            client.kill()
            client.wait(timeout=5.0)
        time.sleep(0.3)
        stop.set()
        thread.join(timeout=SCENARIO_DEADLINE)
    finally:
        stop.set()
        front.close()
        back.close()
        try:
            server.stdin.close()
        except BrokenPipeError:
            pass
        server.terminate()
        try:
            server.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5.0)
    return log


def swift_hex(data, indent):
    text = data.hex()
    lines = [text[i:i + 96] for i in range(0, len(text), 96)] or [""]
    return "\n".join(indent + line for line in lines)


def main():
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True, timeout=10).stdout.strip()
    out = [
        "// Generated by Fixtures/.capture-fixtures.py from real handshakes between",
        f"// `openssl s_server` and `openssl s_client` ({version}) through a loopback relay.",
        "// Do not edit by hand: re-run the script (the tests' expectations may need updating).",
        "",
        "extension CapturedHandshake {",
    ]
    with tempfile.TemporaryDirectory() as directory:
        make_credentials(directory)
        for name, what, server_flags, client_flags in SCENARIOS:
            log = run_scenario(directory, server_flags, client_flags)
            print(f"{name}: {len(log)} datagrams", file=sys.stderr)
            out.append(f"    /// {what}.")
            out.append(f"    static let {name} = CapturedHandshake(name: \"{name}\", datagrams: [")
            for from_client, data in log:
                direction = ".clientToServer" if from_client else ".serverToClient"
                out.append(f"        Datagram({direction}, \"\"\"")
                out.append(swift_hex(data, "            "))
                out.append("            \"\"\"),")
            out.append("    ])")
            out.append("")
    out.append(f"    static let all: [CapturedHandshake] = [{', '.join(s[0] for s in SCENARIOS)}]")
    out.append("}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
