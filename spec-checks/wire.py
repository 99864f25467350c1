"""Reading the requests the simulator logged (secmaster-sim's `--log` JSON
lines, written with `--log-bodies`) and handing them to openapi-core. Used
by validate.py and probes.py (venv-clients).

Parsing here is exact and independent of any client: path segments are
split before decoding, query strings are split on `&` and `=` before
decoding (`+` is decoded as a space, as HTML forms and most servers do),
and multipart bodies are split on the boundary as bytes.
"""

import base64
import json
import re
from urllib.parse import unquote, unquote_to_bytes

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict
import yaml

UNRESERVED_OR_ESCAPE = re.compile(r"^(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})*$")
# What may stand in a query key or value without encoding (RFC 3986 query
# characters, less the `&` and `=` that delimit pairs, plus `+` for a space).
QUERY_TEXT = re.compile(r"^(?:[A-Za-z0-9\-._~!$'()*+,;:@/?]|%[0-9A-Fa-f]{2})*$")


# ---------------------------------------------------------------------------
# Records

def read_records(path):
    """The simulator's log lines, each with `target` (raw path, then `?` and
    the raw query when there is one) added. Every line must hold the body
    (`body_base64`): the simulator must run with --log-bodies."""
    records = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            if "body_base64" not in rec:
                raise ValueError("%s line %d has no body_base64: start secmaster-sim with --log-bodies"
                                 % (path, number))
            rec["target"] = rec["path"] + ("?" + rec["query"] if rec["query"] else "")
            records.append(rec)
    return records


def header(rec, name):
    """The one value of header `name`, None if absent; ValueError if repeated.
    The simulator logs names in lower case and secret values as `<redacted>`."""
    values = [v for k, v in rec["headers"] if k.lower() == name.lower()]
    if len(values) > 1:
        raise ValueError("header %s sent %d times: %r" % (name, len(values), values))
    return values[0] if values else None


def body_bytes(rec):
    return base64.b64decode(rec["body_base64"])


def split_target(target):
    """(raw path, raw query or None)."""
    path, sep, query = target.partition("?")
    return path, (query if sep else None)


def decode_segment(segment):
    """A path segment's value; ValueError unless it is fully percent-encoded UTF-8."""
    if not UNRESERVED_OR_ESCAPE.match(segment):
        raise ValueError("path segment %r is not fully percent-encoded" % segment)
    return unquote_to_bytes(segment).decode("utf-8")


def query_items(query):
    """[(raw key, raw value)] in the order sent."""
    if not query:
        return []
    items = []
    for piece in query.split("&"):
        if piece == "":
            continue
        key, _, value = piece.partition("=")
        items.append((key, value))
    return items


def decode_query_text(text):
    """Form decoding: `+` is a space, then percent-decoding as UTF-8."""
    if not QUERY_TEXT.match(text):
        raise ValueError("query text %r holds characters that must be percent-encoded" % text)
    return unquote(text.replace("+", " "), encoding="utf-8", errors="strict")


def query_pairs(query):
    """Sorted [(key, value)] decoded; ValueError on bad encoding."""
    return sorted((decode_query_text(k), decode_query_text(v)) for k, v in query_items(query))


# ---------------------------------------------------------------------------
# Media types and multipart

def media_type(value):
    """(lower-case type/subtype, {param: value}) of a Content-Type."""
    if value is None:
        return None, {}
    pieces = value.split(";")
    params = {}
    for p in pieces[1:]:
        name, _, v = p.strip().partition("=")
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] == '"':
            v = v[1:-1]
        params[name.strip().lower()] = v
    return pieces[0].strip().lower(), params


DISPOSITION_PARAM = re.compile(r';\s*([A-Za-z*]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class Part:
    def __init__(self, raw_headers, data):
        self.raw_headers = raw_headers  # [(name, value)] as sent
        self.data = data
        disposition = self.header("Content-Disposition") or ""
        self.disposition = disposition
        self.params = {}
        for key, value in DISPOSITION_PARAM.findall(disposition):
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            self.params[key.lower()] = value
        self.name = self.params.get("name")
        self.filename = self.params.get("filename")

    def header(self, name):
        values = [v for k, v in self.raw_headers if k.lower() == name.lower()]
        return values[0] if values else None


def parse_multipart(content_type, body):
    """(boundary, [Part]) of a multipart/form-data body; ValueError if malformed."""
    kind, params = media_type(content_type)
    if kind != "multipart/form-data":
        raise ValueError("Content-Type %r is not multipart/form-data" % content_type)
    boundary = params.get("boundary")
    if not boundary:
        raise ValueError("Content-Type %r has no boundary" % content_type)
    delimiter = b"--" + boundary.encode("ascii")
    if body.startswith(delimiter):
        rest = body[len(delimiter):]
    else:
        at = body.find(b"\r\n" + delimiter)
        if at < 0:
            raise ValueError("the body holds no boundary line")
        rest = body[at + 2 + len(delimiter):]
    parts = []
    while True:
        if rest.startswith(b"--"):
            return boundary, parts
        rest = rest.lstrip(b" \t")
        if not rest.startswith(b"\r\n"):
            raise ValueError("a boundary line is not followed by CRLF")
        rest = rest[2:]
        end = rest.find(b"\r\n" + delimiter)
        if end < 0:
            raise ValueError("a part is not closed by a boundary")
        raw, rest = rest[:end], rest[end + 2 + len(delimiter):]
        if raw.startswith(b"\r\n"):
            head, data = b"", raw[2:]
        else:
            head, sep, data = raw.partition(b"\r\n\r\n")
            if not sep:
                raise ValueError("a part has no blank line after its headers")
        headers = []
        for line in head.decode("utf-8").split("\r\n") if head else []:
            name, sep, value = line.partition(":")
            if not sep:
                raise ValueError("bad part header line %r" % line)
            headers.append((name.strip(), value.strip()))
        parts.append(Part(headers, data))


# ---------------------------------------------------------------------------
# openapi-core

class WireRequest:
    """openapi_core.protocols.Request over a recorded (or probe) request."""

    def __init__(self, host_url, method, path, query, headers, body):
        self.host_url = host_url
        self.method = method.lower()
        self.path = path
        self.headers = Headers(headers)
        # Passed as sent: openapi-core matches media types by exact key first,
        # so `application/json;charset=UTF-8` must not be lower-cased here.
        self.content_type = self.headers.get("Content-Type", "")
        self.body = body
        self.parameters = RequestParameters(query=ImmutableMultiDict(query), header=self.headers,
                                            cookie=ImmutableMultiDict())


def load_spec(path):
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    return raw, OpenAPI.from_file_path(path)


def host_url(raw):
    """The first server URL with its variables at their defaults."""
    servers = raw.get("servers") or [{"url": "/"}]
    url = servers[0]["url"]
    for name, var in (servers[0].get("variables") or {}).items():
        url = url.replace("{%s}" % name, str(var.get("default", "")))
    return url.rstrip("/")


def operations(raw):
    """{operationId: (METHOD, path template, operation object)}."""
    found = {}
    for template, item in raw["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                found[op["operationId"]] = (method.upper(), template, op)
    return found


def describe_error(exc):
    parts = []
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        parts.append("%s: %s" % (type(exc).__name__, exc))
        for err in getattr(exc, "schema_errors", None) or []:
            where = "/".join(str(p) for p in getattr(err, "absolute_path", [])) or "<body>"
            parts.append("  schema error at %s: %s" % (where, getattr(err, "message", err)))
        exc = exc.__cause__ or exc.__context__
    return "\n    ".join(parts)


def openapi_validate(api, request):
    """None if openapi-core accepts the request, else why not."""
    try:
        api.validate_request(request)
        return None
    except Exception as exc:  # openapi-core raises a family of exceptions
        return describe_error(exc)
