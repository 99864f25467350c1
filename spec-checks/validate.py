#!/usr/bin/env python3
"""Validate recorded requests against the OpenAPI document (openapi-core),
compare them with a reference request, and probe that the document rejects
malformed requests.

    validate.py requests --spec S --label L --record R.jsonl [--record ...]
        --project-id P --workspace-id W --id I [--id ...]
        (--token T | --aksk-access AK) [--reference REF.jsonl]
        [--sdk-content-type-known-difference]
    validate.py probes --spec S
    validate.py pyproject --pyproject PATH

Prints one line per finding; exits 1 when anything is wrong. Lines starting
with `KNOWN DIFFERENCE:` are documented differences that do not fail.
"""

import argparse
import base64
import json
import re
import sys
from urllib.parse import unquote_to_bytes

import yaml
from openapi_core import OpenAPI
from werkzeug.datastructures import Headers, ImmutableMultiDict

from openapi_core.datatypes import RequestParameters

# Facts from the API reference page "Exporting a Workflow" that the wire must
# show whatever the document says; the document is checked against the same
# facts by the probes below.
REFERENCE_METHOD = "POST"
REFERENCE_TEMPLATE = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/export"
REFERENCE_CONTENT_TYPE = "application/json;charset=UTF-8"
SDK_CONTENT_TYPE = "application/json"
UNRESERVED_OR_ESCAPE = re.compile(r"^(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})*$")


class WireRequest:
    """openapi_core.protocols.Request over a recorded (or probe) request."""

    def __init__(self, host_url, method, path, headers, body):
        self.host_url = host_url
        self.method = method.lower()
        self.path = path
        self.headers = Headers(headers)
        # Passed as sent: openapi-core matches media types by exact key first,
        # so `application/json;charset=UTF-8` must not be lower-cased here.
        self.content_type = self.headers.get("Content-Type", "")
        self.body = body
        self.parameters = RequestParameters(query=ImmutableMultiDict(), header=self.headers,
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


def describe_error(exc):
    parts = []
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        text = "%s: %s" % (type(exc).__name__, exc)
        parts.append(text)
        for err in getattr(exc, "schema_errors", None) or []:
            where = "/".join(str(p) for p in getattr(err, "absolute_path", [])) or "<body>"
            parts.append("  schema error at %s: %s" % (where, getattr(err, "message", err)))
        exc = exc.__cause__ or exc.__context__
    return "\n    ".join(parts)


def openapi_validate(api, request):
    try:
        api.validate_request(request)
        return None
    except Exception as exc:  # openapi-core raises a family of exceptions
        return describe_error(exc)


def read_records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def header(rec, name):
    values = [v for k, v in rec["headers"] if k.lower() == name.lower()]
    if len(values) > 1:
        raise ValueError("header %s sent %d times: %r" % (name, len(values), values))
    return values[0] if values else None


def body_bytes(rec):
    return base64.b64decode(rec["body_b64"])


def check_path(target, values, problems):
    path, sep, query = target.partition("?")
    if sep:
        problems.append("unexpected query string %r" % query)
    want = REFERENCE_TEMPLATE.split("/")
    got = path.split("/")
    if len(want) != len(got):
        problems.append("path %r does not have the shape of %s (a '/' in a value not encoded?)"
                        % (path, REFERENCE_TEMPLATE))
        return
    for w, g in zip(want, got):
        if w.startswith("{"):
            name = w[1:-1]
            if not UNRESERVED_OR_ESCAPE.match(g):
                problems.append("path segment for {%s} %r is not fully percent-encoded" % (name, g))
            try:
                decoded = unquote_to_bytes(g).decode("utf-8")
            except UnicodeDecodeError:
                problems.append("path segment for {%s} %r is not UTF-8 after decoding" % (name, g))
                continue
            if decoded != values[name]:
                problems.append("path value for {%s} decodes to %r, expected %r" % (name, decoded, values[name]))
        elif w != g:
            problems.append("path segment %r, expected %r (path %r)" % (g, w, path))


def documented_request_media_types(raw):
    op = raw["paths"][REFERENCE_TEMPLATE]["post"]
    return list(((op.get("requestBody") or {}).get("content") or {}).keys())


def cmd_requests(args):
    raw, api = load_spec(args.spec)
    base = host_url(raw)
    values = {"project_id": args.project_id, "workspace_id": args.workspace_id}
    problems = []
    notes = []
    reference = None
    if args.reference:
        ref_records = read_records(args.reference)
        if len(ref_records) != 1:
            problems.append("reference %s holds %d requests, expected 1" % (args.reference, len(ref_records)))
        else:
            reference = ref_records[0]

    for record_path in args.record:
        records = read_records(record_path)
        tag = "%s (%s)" % (args.label, record_path.rsplit("/", 1)[-1])
        if len(records) != 1:
            problems.append("%s: %d requests recorded, expected exactly 1" % (tag, len(records)))
            continue
        p = []
        try:
            check_record(args, api, base, values, records[0], reference, tag, p, notes)
        except ValueError as exc:  # e.g. a header sent twice
            p.append(str(exc))
        problems.extend("%s: %s" % (tag, x) for x in p)

    for n in notes:
        print(n)
    for x in problems:
        print(x, file=sys.stderr)
    return 1 if problems else 0


def check_record(args, api, base, values, rec, reference, tag, p, notes):
    """Appends what is wrong with one recorded request to `p`."""
    if rec["method"] != REFERENCE_METHOD:
        p.append("method %s, expected %s" % (rec["method"], REFERENCE_METHOD))
    check_path(rec["target"], values, p)

    content_type = header(rec, "Content-Type")
    validate_as = content_type
    if content_type != REFERENCE_CONTENT_TYPE:
        if args.sdk_content_type_known_difference and content_type == SDK_CONTENT_TYPE:
            notes.append("KNOWN DIFFERENCE: %s sends Content-Type %r where the API reference says %r "
                         "(the official SDK's documented behaviour, official-sdk.md; the API accepts both). "
                         "Body validated as %r."
                         % (tag, content_type, REFERENCE_CONTENT_TYPE, REFERENCE_CONTENT_TYPE))
            validate_as = REFERENCE_CONTENT_TYPE
        else:
            p.append("Content-Type %r, expected exactly %r" % (content_type, REFERENCE_CONTENT_TYPE))

    if args.token is not None:
        token = header(rec, "X-Auth-Token")
        if token != args.token:
            p.append("X-Auth-Token %r, expected %r" % (token, args.token))
    if args.aksk_access is not None:
        auth = header(rec, "Authorization") or ""
        prefix = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=" % args.aksk_access
        if not auth.startswith(prefix):
            p.append("Authorization %r does not start with %r" % (auth, prefix))
        if header(rec, "X-Sdk-Date") is None:
            p.append("no X-Sdk-Date header")

    body = body_bytes(rec)
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        parsed = None
        p.append("body is not JSON (%s): %r" % (exc, body[:80]))
    if parsed is not None and parsed != {"id": list(args.ids)}:
        p.append("body %r, expected %r" % (parsed, {"id": list(args.ids)}))

    headers = [(k, v) for k, v in rec["headers"] if k.lower() != "content-type"]
    headers.append(("Content-Type", validate_as or ""))
    err = openapi_validate(api, WireRequest(base, rec["method"], rec["target"].partition("?")[0], headers, body))
    if err:
        p.append("openapi-core rejects the request against %s:\n    %s" % (args.spec, err))

    if reference is not None:
        diffs = []
        if rec["method"] != reference["method"]:
            diffs.append("method %s vs %s" % (rec["method"], reference["method"]))
        if rec["target"] != reference["target"]:
            diffs.append("path %r vs %r" % (rec["target"], reference["target"]))
        if content_type != header(reference, "Content-Type"):
            diffs.append("Content-Type %r vs %r" % (content_type, header(reference, "Content-Type")))
        if header(rec, "X-Auth-Token") != header(reference, "X-Auth-Token"):
            diffs.append("X-Auth-Token %r vs %r" % (header(rec, "X-Auth-Token"), header(reference, "X-Auth-Token")))
        try:
            ref_body = json.loads(body_bytes(reference).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            ref_body = "<reference body is not JSON>"
        if parsed != ref_body:
            diffs.append("JSON body %r vs %r" % (parsed, ref_body))
        if diffs:
            p.append("differs from the Rust client's request: " + "; ".join(diffs))
        else:
            notes.append("NOTE: %s matches the Rust client's request (method, path, content-type, "
                         "token, JSON body)" % tag)


def cmd_probes(args):
    raw, api = load_spec(args.spec)
    base = host_url(raw)
    path = "/v1/0123456789abcdef0123456789abcdef/workspaces/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d/soc/workflows/export"
    good_body = b'{"id": ["c19470f3-5eaf-4572-82e8-2ff094495919"]}'
    token = [("X-Auth-Token", "FAKE-TOKEN")]
    ct = [("Content-Type", REFERENCE_CONTENT_TYPE)]
    problems = []

    media = documented_request_media_types(raw)
    if media != [REFERENCE_CONTENT_TYPE]:
        problems.append("the document's request media types are %r; the API reference allows only %r "
                        "(content-type header, Table 2)" % (media, REFERENCE_CONTENT_TYPE))

    def request(headers, body, method="POST", p=path):
        return WireRequest(base, method, p, headers, body)

    err = openapi_validate(api, request(token + ct, good_body))
    if err:
        problems.append("a well-formed request (Content-Type %s, body %s, X-Auth-Token) is rejected:\n    %s"
                        % (REFERENCE_CONTENT_TYPE, good_body.decode(), err))

    must_reject = [
        ("a body without `id` ({}); the API reference marks `id` mandatory (Table 3): is `required: [id]` "
         "missing from the request schema?", token + ct, b"{}"),
        ("`id` as a string instead of an array of strings", token + ct, b'{"id": "c19470f3"}'),
        ("`id` with a number in it", token + ct, b'{"id": [1]}'),
        ("no request body; the body is mandatory", token + ct, None),
        ("a text/plain body", token + [("Content-Type", "text/plain")], good_body),
        ("a request with neither X-Auth-Token nor Authorization", ct, good_body),
        ("GET instead of POST", token + ct, good_body, "GET"),
    ]
    for case in must_reject:
        what, headers, body = case[:3]
        method = case[3] if len(case) > 3 else "POST"
        if openapi_validate(api, request(headers, body, method)) is None:
            problems.append("the document accepts %s" % what)
    for x in problems:
        print(x, file=sys.stderr)
    if not problems:
        print("NOTE: the document accepts the well-formed request and rejects %d malformed ones" % len(must_reject))
    return 1 if problems else 0


def cmd_pyproject(args):
    """The generated Python project must be installable: its version (taken
    from info.version) must be a valid Python package version, and the
    dependencies it declares must be what the driver ran it with."""
    import tomllib
    from importlib.metadata import PackageNotFoundError, version as installed_version

    from packaging.requirements import Requirement
    from packaging.version import InvalidVersion, Version

    with open(args.pyproject, "rb") as f:
        project = tomllib.load(f).get("project", {})
    problems = []
    raw_version = project.get("version")
    try:
        Version(str(raw_version))
    except InvalidVersion:
        problems.append(
            "the generated Python project's version %r (copied from the document's info.version) is not a valid "
            "Python package version (PEP 440), so `pip install` of the generated project fails. Use a version "
            "such as %r in info.version, or generate with package_version_override."
            % (raw_version, str(raw_version).replace("-", ".")))
    for dep in project.get("dependencies", []):
        req = Requirement(dep)
        try:
            have = installed_version(req.name)
        except PackageNotFoundError:
            problems.append("the generated project needs %s, which is not installed here" % dep)
            continue
        if not req.specifier.contains(have, prereleases=True):
            problems.append("the generated project needs %s; %s %s is installed" % (dep, req.name, have))
    for x in problems:
        print(x, file=sys.stderr)
    if not problems:
        print("NOTE: generated project %s %s; its dependencies (%s) are what the driver used"
              % (project.get("name"), raw_version, ", ".join(project.get("dependencies", []))))
    return 1 if problems else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("requests")
    r.add_argument("--spec", required=True)
    r.add_argument("--label", required=True)
    r.add_argument("--record", action="append", required=True)
    r.add_argument("--project-id", required=True)
    r.add_argument("--workspace-id", required=True)
    r.add_argument("--id", dest="ids", action="append", required=True)
    auth = r.add_mutually_exclusive_group(required=True)
    auth.add_argument("--token")
    auth.add_argument("--aksk-access")
    r.add_argument("--reference")
    r.add_argument("--sdk-content-type-known-difference", action="store_true")
    q = sub.add_parser("probes")
    q.add_argument("--spec", required=True)
    y = sub.add_parser("pyproject")
    y.add_argument("--pyproject", required=True)
    args = p.parse_args()
    commands = {"requests": cmd_requests, "probes": cmd_probes, "pyproject": cmd_pyproject}
    sys.exit(commands[args.cmd](args))


if __name__ == "__main__":
    main()
