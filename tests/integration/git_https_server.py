#!/usr/bin/env python3
"""git's own smart-HTTP server (git http-backend) behind TLS and basic auth,
on loopback, for the tests of airlock's https:// git remotes.

  git_https_server.py --root DIR --cert PEM --key PEM --port-file F \
      --log F --cred USER:PASSWORD [--cred ...] [--trace F]

Binds 127.0.0.1 on a free port and writes the port to --port-file once it
listens. Every request needs one of the credentials (401 otherwise); each
request is logged as "METHOD PATH STATUS USER BYTES" (BYTES: the response
body's size). --trace: git's packet trace of every request
(GIT_TRACE_PACKET), which shows what a client asked for ("want ID").
"""

import argparse
import base64
import http.server
import os
import ssl
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--cred", action="append", default=[])
    ap.add_argument("--trace")
    args = ap.parse_args()
    creds = {c.split(":", 1)[0]: c.split(":", 1)[1] for c in args.cred}
    log = open(args.log, "a", buffering=1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def user(self):
            value = self.headers.get("Authorization", "")
            if not value.startswith("Basic "):
                return None
            try:
                user, _, password = base64.b64decode(value[6:]).decode().partition(":")
            except ValueError:
                return None
            return user if creds.get(user) == password else None

        def body(self):
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                out = bytearray()
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return bytes(out)
                    out += self.rfile.read(size)
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def reply(self, status, headers, payload, user):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            log.write(f"{self.command} {self.path} {status} {user or '-'} {len(payload)}\n")

        def serve(self):
            payload = self.body()
            user = self.user()
            if user is None:
                self.reply(401, [("WWW-Authenticate", 'Basic realm="git"')], b"authentication required\n", None)
                return
            path, _, query = self.path.partition("?")
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "GIT_PROJECT_ROOT": args.root,
                "GIT_HTTP_EXPORT_ALL": "1",
                "GATEWAY_INTERFACE": "CGI/1.1",
                "REQUEST_METHOD": self.command,
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(payload)),
                "REMOTE_USER": user,
                "REMOTE_ADDR": "127.0.0.1",
            }
            if self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
            if self.headers.get("Git-Protocol"):
                env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
            if args.trace:
                env["GIT_TRACE_PACKET"] = args.trace
            out = subprocess.run(["git", "http-backend"], input=payload, env=env, capture_output=True).stdout
            head, sep, rest = out.partition(b"\r\n\r\n")
            if not sep:
                head, sep, rest = out.partition(b"\n\n")
            status, headers = 200, []
            for line in head.decode("latin-1").splitlines():
                k, _, v = line.partition(":")
                if k.lower() == "status":
                    status = int(v.strip().split()[0])
                elif k:
                    headers.append((k, v.strip()))
            self.reply(status, headers, rest, user)

        do_GET = serve
        do_POST = serve

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
