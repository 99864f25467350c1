#!/usr/bin/env python3
"""Recording HTTP server for `cargo xtask spec`.

Listens on 127.0.0.1 (an ephemeral port unless --port is given), prints
`READY <port>` on stdout once it accepts connections, and answers each
request with the canned answer that cases.json gives for the operation and
scenario (`answers.<scenario>.<operationId>`: status, content_type, and a
`json` or `hex` body). The operation is told by method and path shape only;
anything else gets a 404. Each request is appended to --record as one JSON
line:

    {"method", "target" (raw request target, not decoded), "request_line",
     "headers": [[name, value], ...] (wire order, values as UTF-8 text),
     "body_b64", "answered_as" (operationId or null)}

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
    p.add_argument("--cases", required=True, help="cases.json written by `cargo xtask spec`")
    p.add_argument("--scenario", required=True, help="which answers of cases.json to give (ok, error)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--max-seconds", type=float, default=600.0)
    return p.parse_args()


def operation_of(method, target):
    """The operationId a request is for, by method and path shape:
    /v1/{project_id}/workspaces/{workspace_id}/soc/workflows[/<last>]."""
    segments = target.split("?", 1)[0].split("/")
    if segments[:2] != ["", "v1"] or segments[3:4] != ["workspaces"] or segments[5:7] != ["soc", "workflows"]:
        return None
    if len(segments) == 7:
        return "list_workflows" if method == "GET" else None
    if len(segments) == 8:
        last = segments[7]
        if method == "POST" and last in ("import", "export"):
            return last + "_workflows"
        if method == "GET":
            return "show_workflow"
    return None


def encode_answer(answer):
    if "json" in answer:
        return json.dumps(answer["json"], ensure_ascii=False).encode("utf-8")
    return bytes.fromhex(answer["hex"])


def main():
    args = parse_args()
    with open(args.cases, encoding="utf-8") as f:
        answers = json.load(f)["answers"][args.scenario]
    unrouted = {"status": 404, "content_type": "application/json",
                "json": {"code": "spec-checks.unrouted", "message": "no operation has this method and path"}}
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

            operation = operation_of(self.command, self.path)
            answer = answers.get(operation) if operation else None
            record = {
                "method": self.command,
                "target": self.path,
                "request_line": self.requestline,
                "headers": [[k, text(v)] for k, v in self.headers.items()],
                "body_b64": base64.b64encode(body).decode("ascii"),
                "answered_as": operation if answer else None,
            }
            answer = answer or unrouted
            payload = encode_answer(answer)
            with lock:
                with open(args.record, "a", encoding="utf-8") as f:
                    f.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.send_response(answer["status"])
            self.send_header("Content-Type", answer["content_type"])
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
