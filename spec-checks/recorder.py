#!/usr/bin/env python3
"""Recording HTTP server for `cargo xtask spec`.

Listens on 127.0.0.1 (an ephemeral port unless --port is given), prints
`READY <port>` on stdout once it accepts connections, and answers every
request with one canned response. Each request is appended to --record as
one JSON line:

    {"method", "target" (raw request target, not decoded), "request_line",
     "headers": [[name, value], ...] (wire order, values as UTF-8 text),
     "body_b64"}

It stops when its standard input reaches end of file (the process that
started it closes the pipe), or after --max-seconds as a safety net.
Standard library only.
"""

import argparse
import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--record", required=True, help="JSON-lines file to append requests to")
    p.add_argument("--status", type=int, required=True, help="status code to answer")
    p.add_argument("--content-type", required=True, help="Content-Type of the answer")
    body = p.add_mutually_exclusive_group(required=True)
    body.add_argument("--body-hex", help="answer body as hex bytes")
    body.add_argument("--body-text", help="answer body as UTF-8 text")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--max-seconds", type=float, default=600.0)
    return p.parse_args()


def main():
    args = parse_args()
    payload = bytes.fromhex(args.body_hex) if args.body_hex is not None else args.body_text.encode("utf-8")
    lock = threading.Lock()

    class Recorder(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _read_body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = b""
                while True:
                    size = int(self.rfile.readline().strip().split(b";")[0], 16)
                    if size == 0:
                        # trailers end with an empty line
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return body
                    body += self.rfile.read(size)
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length", "0")))

        def _handle(self):
            body = self._read_body()

            def text(value):
                # http.server decodes header bytes as latin-1; restore UTF-8 text
                try:
                    return value.encode("latin-1").decode("utf-8")
                except (UnicodeEncodeError, UnicodeDecodeError):
                    return value

            record = {
                "method": self.command,
                "target": self.path,
                "request_line": self.requestline,
                "headers": [[k, text(v)] for k, v in self.headers.items()],
                "body_b64": base64.b64encode(body).decode("ascii"),
            }
            with lock:
                with open(args.record, "a", encoding="utf-8") as f:
                    f.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.send_response(args.status)
            self.send_header("Content-Type", args.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("X-Request-Id", "spec-checks-recorder")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Recorder)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print("READY %d" % server.server_address[1], flush=True)

    stop = threading.Event()

    def wait_for_eof():
        try:
            sys.stdin.buffer.read()
        finally:
            stop.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    stop.wait(args.max_seconds)
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
