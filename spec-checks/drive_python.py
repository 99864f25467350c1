#!/usr/bin/env python3
"""Make the cases' calls (list, show, import, export) with the Python client
that openapi-python-client generated from the document, and check what the
client hands back for the scenario's answers.

    drive_python.py --client-dir D --package P --cases C --scenario ok|error --base-url U

What openapi-python-client 0.29.1 does with this document (observed):
  * Token: the `token` apiKey scheme does not become a parameter. The
    generated `AuthenticatedClient(base_url, token, prefix="Bearer",
    auth_header_name="Authorization")` sends `<prefix> <token>` in one header;
    for this API construct it with `prefix=""` and
    `auth_header_name="X-Auth-Token"`. The `aksk` scheme (request signing)
    is not supported by the generator at all.
  * Paths: values are quoted with `quote(v, safe="")`.
  * List: one keyword argument per query parameter; enums become classes
    (ListWorkflowsOrder, ListWorkflowsSortby, ListWorkflowsAopType). The
    documented defaults are the arguments' defaults, so offset=0, limit=10,
    order=DESC and sortby=create_time are SENT when the caller leaves them
    out (the Rust client and the SDK send nothing). httpx writes the query
    in argument order, a space as `+`.
  * Import: `ImportWorkflowsBody(upload_file=File(payload, file_name,
    mime_type))`, sent by httpx as multipart/form-data. The generated code
    sets `Content-Type: multipart/form-data; boundary=+++` itself, so every
    request has the same boundary; without a mime_type httpx guesses the
    part's Content-Type from the file name.
  * Export: the body is sent as JSON with `Content-Type:
    application/json;charset=UTF-8` exactly as the document spells it; the
    binary 200 is a `types.File` over the whole body (read into memory).
  * 400/401/403/429: `parsed` is an `ErrorBody` (code, message, error_code,
    error_msg, all optional). Undocumented statuses raise
    `errors.UnexpectedStatus` when `raise_on_unexpected_status=True`.
"""

import argparse
import importlib
import json
import os
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--client-dir", required=True, help="folder that holds the generated package")
    p.add_argument("--package", required=True)
    p.add_argument("--cases", required=True)
    p.add_argument("--scenario", required=True)
    p.add_argument("--base-url", required=True)
    args = p.parse_args()
    with open(args.cases, encoding="utf-8") as f:
        cases = json.load(f)
    answers = cases["answers"][args.scenario]

    sys.path.insert(0, args.client_dir)
    import httpx

    pkg = importlib.import_module(args.package)
    models = importlib.import_module(args.package + ".models")
    types = importlib.import_module(args.package + ".types")

    def api(operation):
        # The generator files each operation under api/<tag>/<operationId>.py.
        api_dir = os.path.join(args.client_dir, args.package, "api")
        found = sorted(tag for tag in os.listdir(api_dir)
                       if os.path.isfile(os.path.join(api_dir, tag, operation + ".py")))
        if len(found) != 1:
            sys.exit("python client: expected one api/<tag>/%s.py module, found %r" % (operation, found))
        return importlib.import_module("%s.api.%s.%s" % (args.package, found[0], operation))

    client = pkg.AuthenticatedClient(
        base_url=args.base_url,
        token=cases["token"],
        prefix="",
        auth_header_name="X-Auth-Token",
        raise_on_unexpected_status=True,
        timeout=httpx.Timeout(20.0),
        httpx_args={"trust_env": False},
    )
    where = {"project_id": cases["project_id"], "workspace_id": cases["workspace_id"], "client": client}
    failures, done = [], []
    with client:
        for call in cases["calls"]:
            op = call["operation"]
            if op == "list_workflows":
                q = call["query"]
                response = api(op).sync_detailed(
                    **where, name=q["name"], enabled=q["enabled"],
                    aop_type=models.ListWorkflowsAopType(q["aop_type"]),
                    sortby=models.ListWorkflowsSortby(q["sortby"]),
                    order=models.ListWorkflowsOrder(q["order"]),
                    limit=q["limit"], offset=q["offset"])
            elif op == "show_workflow":
                response = api(op).sync_detailed(workflow_id=call["workflow_id"], **where)
            elif op == "import_workflows":
                with open(call["file"], "rb") as upload:
                    body = models.ImportWorkflowsBody(
                        upload_file=types.File(payload=upload, file_name=call["file_name"]))
                    response = api(op).sync_detailed(**where, body=body)
            elif op == "export_workflows":
                response = api(op).sync_detailed(**where, body=models.ExportWorkflowsRequest(id=list(call["ids"])))
            else:
                sys.exit("python client: no way to call %s" % op)
            problems = check(op, response, answers[op], models, types)
            failures.extend("%s: %s" % (op, x) for x in problems)
            done.append(op)
    if failures:
        for f in failures:
            print("python client: " + f, file=sys.stderr)
        sys.exit(1)
    print("NOTE: python client (%s): %s parsed as documented" % (args.scenario, ", ".join(done)))


def check(op, response, answer, models, types):
    """What is wrong with what the generated client handed back."""
    problems = []
    status = int(response.status_code)
    if status != answer["status"]:
        problems.append("status %s, expected %s" % (status, answer["status"]))
    parsed = response.parsed
    if answer["status"] >= 400:
        want = answer["json"]
        if not isinstance(parsed, models.ErrorBody):
            problems.append("%s parsed as %r, expected ErrorBody" % (status, type(parsed).__name__))
        elif (parsed.code, parsed.message) != (want["code"], want["message"]):
            problems.append("ErrorBody(code=%r, message=%r), expected %r" % (parsed.code, parsed.message, want))
    elif op == "export_workflows":
        expected = bytes.fromhex(answer["hex"])
        if not isinstance(parsed, types.File):
            problems.append("200 parsed as %r, expected types.File" % type(parsed).__name__)
        elif parsed.payload.read() != expected:
            problems.append("file bytes differ from the %d served" % len(expected))
    elif op == "list_workflows":
        want = answer["json"]["data"][0]
        got = parsed.data[0] if parsed and parsed.data else None
        if got is None or (got.id, got.name) != (want["id"], want["name"]):
            problems.append("first workflow %r, expected id %r name %r" % (got, want["id"], want["name"]))
        elif got.additional_properties.get("field_the_document_does_not_name") != "kept":
            problems.append("the undocumented field was not kept in additional_properties")
    elif op == "show_workflow":
        want = answer["json"]["data"]
        got = parsed.data if parsed else None
        if got is None or (got.id, got.enabled) != (want["id"], want["enabled"]):
            problems.append("workflow %r, expected id %r enabled %r" % (got, want["id"], want["enabled"]))
    elif op == "import_workflows":
        want = answer["json"]
        if parsed is None or (parsed.success, parsed.request_id) != (want["success"], want["request_id"]):
            problems.append("%r, expected success %r request_id %r" % (parsed, want["success"], want["request_id"]))
    return problems


if __name__ == "__main__":
    main()
