#!/usr/bin/env python3
"""Probe the OpenAPI document with openapi-core: for every operation a
well-formed request must validate and malformed ones must be rejected, and
the request media types must be the API reference's.

    probes.py --spec S

Exits 1 when the document accepts a malformed request or rejects a good one.
"""

import argparse
import json
import os
import sys

import wire

PROJECT = "0123456789abcdef0123456789abcdef"
WORKSPACE = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
WORKFLOW = "c19470f3-5eaf-4572-82e8-2ff094495919"
BASE = "/v1/%s/workspaces/%s/soc/workflows" % (PROJECT, WORKSPACE)
WORKSPACES = "/v1/%s/workspaces" % PROJECT
TOKEN = [("X-Auth-Token", "FAKE-TOKEN")]
JSON = [("Content-Type", "application/json;charset=UTF-8")]
# The reference's request media types, as transcribed in the reference
# facts: an operation's `request_body.media_type`, none without a body.
FACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                     "reference-facts.json")


def reference_media_types():
    with open(FACTS, encoding="utf-8") as f:
        operations = json.load(f)["operations"]
    return {op: [facts["request_body"]["media_type"]] if "request_body" in facts else []
            for op, facts in operations.items()}
GOOD_QUERY = [("offset", "20"), ("limit", "50"), ("order", "ASC"), ("sortby", "update_time"),
              ("enabled", "true"), ("name", "a b"), ("description", "d"), ("dataclass_id", "dc1"),
              ("dataclass_name", "Alert"), ("aop_type", "SURVEY")]


def form(parts, boundary="spec-checks-probe"):
    """(headers, body) of a multipart/form-data request with `parts`
    [(field name, file name, bytes)]."""
    body = b""
    for name, filename, data in parts:
        body += b"--%s\r\n" % boundary.encode()
        body += b'Content-Disposition: form-data; name="%s"; filename="%s"\r\n\r\n' % (
            name.encode(), filename.encode())
        body += data + b"\r\n"
    body += b"--%s--\r\n" % boundary.encode()
    return [("Content-Type", "multipart/form-data; boundary=%s" % boundary)], body


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--spec", required=True)
    args = p.parse_args()
    raw, api = wire.load_spec(args.spec)
    base = wire.host_url(raw)
    problems = []
    reference = reference_media_types()

    for op, (_, _, obj) in sorted(wire.operations(raw).items()):
        media = list(((obj.get("requestBody") or {}).get("content") or {}).keys())
        if op not in reference:
            problems.append("%s: tests/data/reference-facts.json has no entry for it" % op)
        elif media != reference[op]:
            problems.append("%s: request media types %r; the API reference allows %r"
                            % (op, media, reference[op]))

    def check(method, path, query, headers, body):
        return wire.openapi_validate(api, wire.WireRequest(base, method, path, query, headers, body))

    export, imp, show = BASE + "/export", BASE + "/import", "%s/%s" % (BASE, WORKFLOW)
    good_json = b'{"id": ["%s"]}' % WORKFLOW.encode()
    form_headers, good_form = form([("uploadFile", "flows.zip", b"PK\x03\x04\x00\xff\r\n--\r\n")])
    _, wrong_field = form([("file", "flows.zip", b"PK\x03\x04")])

    good = [
        ("list_workflows, every filter", "GET", BASE, GOOD_QUERY, TOKEN, b""),
        ("list_workflows, no filters", "GET", BASE, [], TOKEN, b""),
        ("show_workflow", "GET", show, [], TOKEN, b""),
        ("import_workflows, one uploadFile part", "POST", imp, [], TOKEN + form_headers, good_form),
        ("export_workflows", "POST", export, [], TOKEN + JSON, good_json),
        ("list_workspaces, paged", "GET", WORKSPACES, [("offset", "0"), ("limit", "10")], TOKEN, b""),
        ("show_workspace", "GET", "%s/%s" % (WORKSPACES, WORKSPACE), [], TOKEN, b""),
    ]
    for what, method, path, query, headers, body in good:
        err = check(method, path, query, headers, body)
        if err:
            problems.append("a well-formed request is rejected (%s):\n    %s" % (what, err))

    bad = [
        ("list: order=asc (the newest page spells it ASC)", "GET", BASE, [("order", "asc")], TOKEN, b""),
        ("list: sortby=category (older pages only)", "GET", BASE, [("sortby", "category")], TOKEN, b""),
        ("list: limit=0", "GET", BASE, [("limit", "0")], TOKEN, b""),
        ("list: limit=101", "GET", BASE, [("limit", "101")], TOKEN, b""),
        ("list: limit=ten", "GET", BASE, [("limit", "ten")], TOKEN, b""),
        ("list: offset=10001", "GET", BASE, [("offset", "10001")], TOKEN, b""),
        ("list: enabled=maybe", "GET", BASE, [("enabled", "maybe")], TOKEN, b""),
        ("list: aop_type=OTHER", "GET", BASE, [("aop_type", "OTHER")], TOKEN, b""),
        ("list: no credentials", "GET", BASE, [], [], b""),
        ("list: POST", "POST", BASE, [], TOKEN + JSON, b"{}"),
        ("show: no credentials", "GET", show, [], [], b""),
        ("show: DELETE", "DELETE", show, [], TOKEN, b""),
        ("import: the file in a field other than uploadFile", "POST", imp, [], TOKEN + form_headers, wrong_field),
        ("import: a JSON body", "POST", imp, [], TOKEN + JSON, b'{"uploadFile": "x"}'),
        ("import: no body", "POST", imp, [], TOKEN + form_headers, None),
        ("import: no credentials", "POST", imp, [], form_headers, good_form),
        ("export: a body without `id` ({}); the reference marks `id` mandatory", "POST", export, [],
         TOKEN + JSON, b"{}"),
        ("export: `id` as a string", "POST", export, [], TOKEN + JSON, b'{"id": "c19470f3"}'),
        ("export: `id` with a number in it", "POST", export, [], TOKEN + JSON, b'{"id": [1]}'),
        ("export: no body", "POST", export, [], TOKEN + JSON, None),
        ("export: a text/plain body", "POST", export, [], TOKEN + [("Content-Type", "text/plain")], good_json),
        ("export: no credentials", "POST", export, [], JSON, good_json),
        ("export: PUT", "PUT", export, [], TOKEN + JSON, good_json),
        ("list_workspaces: no offset (mandatory)", "GET", WORKSPACES, [("limit", "10")], TOKEN, b""),
        ("list_workspaces: no limit (mandatory)", "GET", WORKSPACES, [("offset", "0")], TOKEN, b""),
        ("list_workspaces: offset=-1", "GET", WORKSPACES, [("offset", "-1"), ("limit", "10")], TOKEN, b""),
        ("show_workspace: no credentials", "GET", "%s/%s" % (WORKSPACES, WORKSPACE), [], [], b""),
    ]
    for what, method, path, query, headers, body in bad:
        if check(method, path, query, headers, body) is None:
            problems.append("the document accepts a malformed request: %s" % what)

    for x in problems:
        print(x, file=sys.stderr)
    if not problems:
        print("NOTE: the document accepts %d well-formed requests (every operation, multipart included) "
              "and rejects %d malformed ones" % (len(good), len(bad)))
        # Not a fault of the document: OpenAPI matches concrete paths first,
        # then templates, so a GET of .../export is show_workflow.
        if check("GET", export, [], TOKEN, b"") is None:
            print("NOTE: GET .../soc/workflows/export (and /import) validates as show_workflow with "
                  "workflow_id 'export': the path templates overlap, so a workflow with that id could not "
                  "be shown")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
