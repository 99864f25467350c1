#!/usr/bin/env python3
"""Check what the clients sent, as the simulator (secmaster-sim) logged it,
against the OpenAPI document, the cases and the simulator's own verdicts,
and against the Rust client's requests.

    validate.py requests --spec S --cases C --records-dir D --label L
        --auth token|aksk [--official-sdk] [--warnings-fail]
    validate.py compare --cases C --records-dir D --reference R
        --label L [--label ...] [--same-query-bytes]
    validate.py pyproject --pyproject PATH

A label names a client and a credential (`python-token`, `sdk-aksk`). Its
runs are D/<label>-ok/ and D/<label>-error/, each holding the simulator's
log (requests.jsonl, one request per call of the cases, in the cases'
order) and the client's files (files/: the export it wrote, the file it
imported). Prints one line per finding; exits 1 when anything is wrong.
Lines starting with `KNOWN DIFFERENCE:` describe documented or byte-level
differences that do not fail.
"""

import argparse
import hashlib
import json
import os
import re
import sys

import wire

SCENARIOS = ("ok", "error")
# Facts from the API reference that the wire must show whatever the document
# says (the document is checked against the same facts by probes.py).
JSON_CONTENT_TYPE = "application/json;charset=UTF-8"
SDK_CONTENT_TYPE = "application/json"


def load_cases(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def wire_text(value):
    """A query value as it is written on the wire (booleans in lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def expected_pairs(call):
    return sorted((k, wire_text(v)) for k, v in (call.get("query") or {}).items())


def run_dir(records_dir, label, scenario):
    return os.path.join(records_dir, "%s-%s" % (label, scenario))


def recordings(records_dir, label):
    """{scenario: [record]}; a missing log is an empty list."""
    found = {}
    for scenario in SCENARIOS:
        path = os.path.join(run_dir(records_dir, label, scenario), "requests.jsonl")
        found[scenario] = wire.read_records(path) if os.path.exists(path) else []
    return found


def client_file(records_dir, label, scenario, name):
    """The bytes of a file the client wrote or read in its run; None if absent."""
    path = os.path.join(run_dir(records_dir, label, scenario), "files", name)
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def export_problems(data, expect):
    """What is wrong with an exported file, given the call's expectations."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return ["the exported file is not JSON (%s)" % exc]
    if not isinstance(parsed, dict) or parsed.get("format") != expect["format"]:
        return ["the exported file is not a %s file: %r" % (expect["format"], data[:80])]
    ids = [w.get("id") for w in parsed.get("workflows") or []]
    if ids != expect["ids"]:
        return ["the exported file holds workflows %r, expected %r" % (ids, expect["ids"])]
    return []


def expected_auth(args, cases):
    """The simulator's verdict on a request with the right credential."""
    return "ok: token" if args.auth == "token" else "ok: signature by %s" % cases["ak"]


# ---------------------------------------------------------------------------
# requests

def check_verdicts(args, cases, scenario, call, rec, p, notes):
    """The simulator's own verdicts on one request: right operation,
    authenticated, and validated (ok) or given the injected 400 (error)."""
    op = call["operation"]
    if rec.get("operation") != op:
        p.append("the simulator took it for %r" % rec.get("operation"))
    if rec["auth"] != expected_auth(args, cases):
        p.append("the simulator's authentication: %r, expected %r" % (rec["auth"], expected_auth(args, cases)))
    if scenario == "ok":
        if rec["validation"] != "ok":
            p.append("the simulator's validation: %r" % rec["validation"])
        if rec["status"] != 200:
            p.append("the simulator answered %r, expected 200" % rec["status"])
        for warning in rec.get("warnings") or []:
            if args.warnings_fail:
                p.append("the simulator warns (--strict would refuse it): %s" % warning)
            else:
                notes.append("KNOWN DIFFERENCE: %s %s: the simulator warns (--strict would refuse it): %s"
                             % (args.label, op, warning))
    else:
        # Faults apply after authentication, before validation.
        if rec["status"] != cases["error"]["status"] or not rec.get("fault"):
            p.append("the simulator answered %r (fault %r), expected the injected %s"
                     % (rec["status"], rec.get("fault"), cases["error"]["status"]))


def check_request(args, cases, scenario, ops, base, api, call, rec, p, notes):
    """Appends to `p` what is wrong with one logged request."""
    op = call["operation"]
    method, template, op_obj = ops[op]
    check_verdicts(args, cases, scenario, call, rec, p, notes)
    if rec["method"] != method:
        p.append("method %s, expected %s" % (rec["method"], method))
    path, query = wire.split_target(rec["target"])

    values = call["path"]
    want, got = template.split("/"), path.split("/")
    if len(want) != len(got):
        p.append("path %r does not have the shape of %s (a '/' in a value not encoded?)" % (path, template))
    else:
        for w, g in zip(want, got):
            if w.startswith("{"):
                try:
                    decoded = wire.decode_segment(g)
                except (ValueError, UnicodeDecodeError) as exc:
                    p.append("{%s}: %s" % (w[1:-1], exc))
                    continue
                if decoded != values.get(w[1:-1]):
                    p.append("{%s} decodes to %r, expected %r" % (w[1:-1], decoded, values.get(w[1:-1])))
            elif w != g:
                p.append("path segment %r, expected %r (path %r)" % (g, w, path))

    try:
        pairs = wire.query_pairs(query)
    except (ValueError, UnicodeDecodeError) as exc:
        pairs = None
        p.append("query %r: %s" % (query, exc))
    if pairs is not None and pairs != expected_pairs(call):
        p.append("query decodes to %r, expected %r" % (pairs, expected_pairs(call)))

    sdk = args.official_sdk
    content_type = wire.header(rec, "Content-Type")
    validate_as = content_type
    body = wire.body_bytes(rec)
    if "requestBody" not in op_obj:
        if body:
            p.append("a %s carries a %d-byte body" % (method, len(body)))
        if content_type is not None:
            if sdk and content_type == SDK_CONTENT_TYPE:
                notes.append("KNOWN DIFFERENCE: %s %s sends Content-Type %r on a %s without a body (the "
                             "official SDK's documented behaviour, official-sdk.md; the reference states %r for "
                             "it, which OpenAPI cannot express for a bodiless request; the Rust client sends none)"
                             % (args.label, op, content_type, method, op_obj.get("x-content-type")))
            elif content_type != op_obj.get("x-content-type"):
                p.append("Content-Type %r on a %s without a body" % (content_type, method))
            validate_as = None
    elif op == "export_workflows":
        if content_type != JSON_CONTENT_TYPE:
            if sdk and content_type == SDK_CONTENT_TYPE:
                notes.append("KNOWN DIFFERENCE: %s %s sends Content-Type %r where the API reference says %r "
                             "(the official SDK's documented behaviour, official-sdk.md; the API accepts both). "
                             "Body validated as %r." % (args.label, op, content_type, JSON_CONTENT_TYPE,
                                                        JSON_CONTENT_TYPE))
                validate_as = JSON_CONTENT_TYPE
            else:
                p.append("Content-Type %r, expected exactly %r" % (content_type, JSON_CONTENT_TYPE))
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            parsed = None
            p.append("body is not JSON (%s): %r" % (exc, body[:80]))
        if parsed is not None and parsed != {"id": call["ids"]}:
            p.append("body %r, expected %r" % (parsed, {"id": call["ids"]}))
        if scenario == "ok":
            exported = client_file(args.records_dir, args.label, scenario, call["file"])
            if exported is None:
                p.append("the client wrote no %s" % call["file"])
            else:
                p.extend(export_problems(exported, call["expect"]))
    elif op == "import_workflows":
        try:
            _, parts = wire.parse_multipart(content_type, body)
        except (ValueError, UnicodeDecodeError) as exc:
            parts = None
            p.append("not a well-formed multipart/form-data body: %s" % exc)
        if parts is not None:
            # ok: the file the client exported just before; error: the cases' binary file.
            if scenario == "ok":
                want_data = client_file(args.records_dir, args.label, scenario, call["file"]) or b""
            else:
                want_data = bytes.fromhex(cases["error"]["file_hex"])
            if len(parts) != 1:
                p.append("%d form parts, expected exactly 1" % len(parts))
            for part in parts[:1]:
                if part.name != "uploadFile":
                    p.append("form field %r, expected 'uploadFile'" % part.name)
                if part.filename != call["file"]:
                    p.append("file name %r, expected %r" % (part.filename, call["file"]))
                if part.data != want_data:
                    p.append("file bytes differ (%d sent, %d expected)" % (len(part.data), len(want_data)))
    else:
        p.append("validate.py has no check of the body of %s" % op)

    if args.auth == "token":
        # The value is redacted in the log; the simulator compared it.
        if wire.header(rec, "X-Auth-Token") is None:
            p.append("no X-Auth-Token header")
        if wire.header(rec, "Authorization") is not None:
            p.append("an Authorization header next to the token")
    else:
        auth = wire.header(rec, "Authorization") or ""
        prefix = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=" % cases["ak"]
        if not auth.startswith(prefix):
            p.append("Authorization %r does not start with %r" % (auth, prefix))
        if wire.header(rec, "X-Sdk-Date") is None:
            p.append("no X-Sdk-Date header")

    headers = [(k, v) for k, v in rec["headers"] if k.lower() != "content-type"]
    if validate_as is not None:
        headers.append(("Content-Type", validate_as))
    request = wire.WireRequest(base, rec["method"], path, pairs or [], headers, body)
    err = wire.openapi_validate(api, request)
    if err:
        p.append("openapi-core rejects the request against %s:\n    %s" % (args.spec, err))


def cmd_requests(args):
    cases = load_cases(args.cases)
    raw, api = wire.load_spec(args.spec)
    ops, base = wire.operations(raw), wire.host_url(raw)
    problems, notes = [], []
    calls = cases["calls"]
    for scenario, records in recordings(args.records_dir, args.label).items():
        tag = "%s (%s)" % (args.label, scenario)
        if len(records) != len(calls):
            problems.append("%s: the simulator logged %d requests, expected %d (%s)" % (
                tag, len(records), len(calls), ", ".join(c["operation"] for c in calls)))
            continue
        for call, rec in zip(calls, records):
            p = []
            try:
                check_request(args, cases, scenario, ops, base, api, call, rec, p, notes)
            except ValueError as exc:  # e.g. a header sent twice
                p.append(str(exc))
            problems.extend("%s %s: %s" % (tag, call["operation"], x) for x in p)
    if not problems:
        print("NOTE: %s: %s: the simulator authenticated every request (%s), validated each one and answered "
              "200, then answered the injected 400s; each sent what the cases say and validates against the "
              "document (openapi-core)%s" % (
                  args.label, ", ".join(c["operation"] for c in calls), expected_auth(args, cases),
                  "; no warnings from the simulator" if args.warnings_fail else ""))
    for n in unique(notes):
        print(n)
    for x in problems:
        print(x, file=sys.stderr)
    return 1 if problems else 0


def unique(lines):
    seen = []
    for line in lines:
        if line not in seen:
            seen.append(line)
    return seen


# ---------------------------------------------------------------------------
# compare

def meaning(call, rec):
    """What a request means, independent of how its bytes are written."""
    path, query = wire.split_target(rec["target"])
    segments = [wire.decode_segment(s) for s in path.split("/")]
    kind, _ = wire.media_type(wire.header(rec, "Content-Type"))
    body = wire.body_bytes(rec)
    if call["operation"] == "export_workflows":
        content = json.loads(body.decode("utf-8"))
    elif call["operation"] == "import_workflows":
        _, parts = wire.parse_multipart(wire.header(rec, "Content-Type"), body)
        content = [(part.name, part.filename, "%d bytes, sha256 %s" % (len(part.data), sha256(part.data)))
                   for part in parts]
    else:
        content = body
        kind = None  # a bodiless GET: any Content-Type is a byte-level matter
    return {"method": rec["method"], "path": segments, "query": wire.query_pairs(query),
            "media type": kind, "body": content}


def sha256(data):
    return hashlib.sha256(data).hexdigest()[:16]


def byte_differences(call, rec, ref):
    """Human-readable differences in how the same request is written."""
    found = []
    path, query = wire.split_target(rec["target"])
    ref_path, ref_query = wire.split_target(ref["target"])
    if path != ref_path:
        found.append("raw path %r, the Rust client %r" % (path, ref_path))
    if (query or "") != (ref_query or ""):
        found.append(describe_query(query or "", ref_query or ""))
    ct, ref_ct = wire.header(rec, "Content-Type"), wire.header(ref, "Content-Type")
    if call["operation"] == "import_workflows":
        if wire.media_type(ct)[0] != wire.media_type(ref_ct)[0] or "boundary" not in (ct or ""):
            found.append("Content-Type %r, the Rust client %r" % (ct, ref_ct))
        _, parts = wire.parse_multipart(ct, wire.body_bytes(rec))
        _, ref_parts = wire.parse_multipart(ref_ct, wire.body_bytes(ref))
        for part, ref_part in zip(parts, ref_parts):
            if part.disposition != ref_part.disposition:
                found.append("part header Content-Disposition: %s, the Rust client: %s"
                             % (part.disposition, ref_part.disposition))
            others = [(k, v) for k, v in part.raw_headers if k.lower() != "content-disposition"]
            ref_others = [(k, v) for k, v in ref_part.raw_headers if k.lower() != "content-disposition"]
            if others != ref_others:
                found.append("file part headers %s, the Rust client %s" % (
                    "; ".join("%s: %s" % h for h in others) or "none",
                    "; ".join("%s: %s" % h for h in ref_others) or "none"))
    elif ct != ref_ct:
        found.append("Content-Type %s, the Rust client %s" % (
            repr(ct) if ct is not None else "none", repr(ref_ct) if ref_ct is not None else "none"))
    if call["operation"] == "export_workflows" and wire.body_bytes(rec) != wire.body_bytes(ref):
        found.append("the same JSON written differently: %r, the Rust client %r"
                     % (wire.body_bytes(rec).decode("utf-8", "replace"), wire.body_bytes(ref).decode("utf-8", "replace")))
    return found


def describe_query(query, ref_query):
    items, ref_items = wire.query_items(query), wire.query_items(ref_query)
    how = []
    keys, ref_keys = [k for k, _ in items], [k for k, _ in ref_items]
    if keys != ref_keys:
        how.append("pairs in the order %s (the Rust client and the official SDK sort them: %s)"
                   % (",".join(keys), ",".join(ref_keys)))
    text = "".join(k + v for k, v in items)
    if "+" in text:
        how.append("a space written as '+' (form encoding) where the Rust client and the official SDK write "
                   "%20; a server that decodes RFC 3986 strictly reads it as a plus sign")
    literal = sorted(set(c for c in text if c in "!$'()*,;:@/?"))
    if literal:
        how.append("%s left unencoded (the Rust client and the official SDK encode everything but "
                   "A-Z a-z 0-9 - . _ ~)" % " ".join(literal))
    if any(h != h.upper() for h in re.findall(r"%([0-9A-Fa-f]{2})", text)):
        how.append("lower-case percent escapes")
    return "query written differently, same pairs: %s; sent %r, the Rust client %r" % (
        "; ".join(how) or "other encoding", query, ref_query)


def cmd_compare(args):
    cases = load_cases(args.cases)
    calls = cases["calls"]
    reference = recordings(args.records_dir, args.reference)
    problems, notes = [], {}
    for label in args.label:
        mine = recordings(args.records_dir, label)
        boundaries = []
        for scenario in SCENARIOS:
            recs, refs = mine[scenario], reference[scenario]
            if len(recs) != len(calls) or len(refs) != len(calls):
                problems.append("%s (%s): %d requests, the Rust client %d, the cases %d"
                                % (label, scenario, len(recs), len(refs), len(calls)))
                continue
            for call, rec, ref in zip(calls, recs, refs):
                op = call["operation"]
                try:
                    got, want = meaning(call, rec), meaning(call, ref)
                except (ValueError, UnicodeDecodeError) as exc:
                    problems.append("%s (%s) %s: cannot be read: %s" % (label, scenario, op, exc))
                    continue
                differs = [key for key in got if got[key] != want[key]]
                for key in differs:
                    problems.append("%s (%s) %s: %s %r, the Rust client's %r"
                                    % (label, scenario, op, key, got[key], want[key]))
                if rec["auth"] != ref["auth"]:
                    problems.append("%s (%s) %s: the simulator's authentication %r, the Rust client's %r"
                                    % (label, scenario, op, rec["auth"], ref["auth"]))
                if scenario == "ok" and op == "export_workflows":
                    mine_file = client_file(args.records_dir, label, scenario, call["file"])
                    ref_file = client_file(args.records_dir, args.reference, scenario, call["file"])
                    if mine_file != ref_file:
                        problems.append("%s (ok) export_workflows: the exported file differs from the Rust "
                                        "client's (%s bytes, the Rust client %s)" % (
                                            label, len(mine_file or b""), len(ref_file or b"")))
                _, query = wire.split_target(rec["target"])
                _, ref_query = wire.split_target(ref["target"])
                if args.same_query_bytes and (query or "") != (ref_query or ""):
                    problems.append("%s (%s) %s: query %r, the Rust client %r: they must be the same bytes "
                                    "(the signature covers the canonical query)" % (label, scenario, op, query,
                                                                                     ref_query))
                # How the bytes differ matters only once the meaning is the same.
                for diff in [] if differs else byte_differences(call, rec, ref):
                    if not (args.same_query_bytes and diff.startswith("query")):
                        notes.setdefault("%s %s: %s" % (label, op, diff), None)
                if op == "import_workflows":
                    boundaries.append(wire.media_type(wire.header(rec, "Content-Type"))[1].get("boundary"))
        if len(boundaries) == 2 and boundaries[0] == boundaries[1]:
            notes.setdefault("%s import_workflows: the multipart boundary is the same in every request (%r): a "
                             "file holding a line '--%s' would cut the form short" % (label, boundaries[0],
                                                                                     boundaries[0]), None)
    if not problems:
        print("NOTE: %s: every request means the same as %s's (method, decoded path, query pairs, body as JSON "
              "or as form fields, media type, the simulator's authentication%s); the exported files are the "
              "same bytes" % (", ".join(args.label), args.reference,
                              "; query bytes identical" if args.same_query_bytes else ""))
    for text in notes:
        print("KNOWN DIFFERENCE: %s" % text)
    for x in problems:
        print(x, file=sys.stderr)
    return 1 if problems else 0


# ---------------------------------------------------------------------------
# pyproject

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
    r.add_argument("--cases", required=True)
    r.add_argument("--records-dir", required=True)
    r.add_argument("--label", required=True)
    r.add_argument("--auth", choices=["token", "aksk"], required=True)
    r.add_argument("--official-sdk", action="store_true",
                   help="allow the official SDK's documented wire habits (plain application/json)")
    r.add_argument("--warnings-fail", action="store_true",
                   help="a warning of the simulator fails (the reference client); else it is a KNOWN DIFFERENCE")
    c = sub.add_parser("compare")
    c.add_argument("--cases", required=True)
    c.add_argument("--records-dir", required=True)
    c.add_argument("--reference", required=True)
    c.add_argument("--label", action="append", required=True)
    c.add_argument("--same-query-bytes", action="store_true")
    y = sub.add_parser("pyproject")
    y.add_argument("--pyproject", required=True)
    args = p.parse_args()
    commands = {"requests": cmd_requests, "compare": cmd_compare, "pyproject": cmd_pyproject}
    sys.exit(commands[args.cmd](args))


if __name__ == "__main__":
    main()
