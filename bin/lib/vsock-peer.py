#!/usr/bin/env python3
"""The host's vsock peer of the seed VM's guest: connects to CID 3, port 1024 once the guest
listens there (its tour does), sends a greeting and prints what the guest echoed.

    vsock-peer.py [SECONDS]    gives up after SECONDS (default 600), exit 1
"""
import socket
import sys
import time

CID, PORT, GREETING = 3, 1024, b"hello from the host"
deadline = time.time() + (float(sys.argv[1]) if len(sys.argv) > 1 else 600)
while time.time() < deadline:
    s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
    try:
        s.connect((CID, PORT))
    except OSError:
        s.close()
        time.sleep(0.5)
        continue
    s.sendall(GREETING)
    s.shutdown(socket.SHUT_WR)
    reply = b"".join(iter(lambda: s.recv(4096), b""))
    print(f"\r\nHOST vsock: the guest at CID {CID} port {PORT} echoed {reply.decode()!r}\r", file=sys.stderr, flush=True)
    sys.exit(0)
print(f"HOST vsock: nobody listened at CID {CID} port {PORT}", file=sys.stderr)
sys.exit(1)
