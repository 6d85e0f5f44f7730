#!/usr/bin/env python3
"""Commands on a node of bin/jvmm-cluster, as `kind` or `minikube ssh` give: the node side
serves, `bin/jvmm-cluster exec` asks.

  node_exec.py serve ADDRESS PORT TOKEN_FILE     (on the node)
  node_exec.py run PORT TOKEN_FILE COMMAND...    (here: exits with the command's status)

The nodes are KVM sandboxes whose only way in is a port forwarded to this host's loopback; a
secret shared through a file only the cluster's owner reads stands in for a login. A client
sends the secret and the command (base64) on two lines; the node answers with the command's
output in base64 lines "o DATA" as it comes (stdout and stderr together), then "x STATUS".
"""
import base64
import hmac
import socket
import socketserver
import subprocess
import sys

MAX_LINE = 1 << 20


def read_secret(path):
    with open(path, "rb") as f:
        return f.read().strip()


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        secret = self.rfile.readline(MAX_LINE).strip()
        if not hmac.compare_digest(secret, self.server.secret):
            self.wfile.write(b"x 126\n")
            return
        try:
            command = base64.b64decode(self.rfile.readline(MAX_LINE).strip(), validate=True).decode()
        except ValueError:
            self.wfile.write(b"x 126\n")
            return
        proc = subprocess.Popen(["bash", "-c", command], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            for chunk in iter(lambda: proc.stdout.read1(65536), b""):
                self.wfile.write(b"o " + base64.b64encode(chunk) + b"\n")
            self.wfile.write(b"x %d\n" % proc.wait())
        except OSError:
            proc.kill()
            proc.wait()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def serve(address, port, secret_file):
    with Server((address, int(port)), Handler) as server:
        server.secret = read_secret(secret_file)
        server.serve_forever()


def run(port, secret_file, command):
    with socket.create_connection(("127.0.0.1", int(port)), timeout=30) as s:
        s.settimeout(None)
        s.sendall(read_secret(secret_file) + b"\n" + base64.b64encode(command.encode()) + b"\n")
        with s.makefile("rb") as replies:
            for line in replies:
                kind, _, data = line.strip().partition(b" ")
                if kind == b"o":
                    sys.stdout.buffer.write(base64.b64decode(data))
                    sys.stdout.buffer.flush()
                elif kind == b"x":
                    return int(data)
    print("node_exec: the node closed the connection before the command's status", file=sys.stderr)
    return 125


def main(argv):
    if len(argv) == 4 and argv[0] == "serve":
        serve(*argv[1:])
        return 0
    if len(argv) >= 4 and argv[0] == "run":
        return run(argv[1], argv[2], " ".join(argv[3:]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
