#!/usr/bin/env python3
"""Make the cases' calls (list, list, show, export, import) with the Python
client that openapi-python-client generated from the document, against the
simulator (secmaster-sim), and check what the client hands back: in the
`ok` scenario what the cases expect of the simulator's answers (the export
is written to the work folder, and that file is imported), in the `error`
scenario the injected 400 with its code and message.

    drive_python.py --client-dir D --package P --cases C --scenario ok|error
        --base-url U --work-dir W

What openapi-python-client 0.29.1 does with this document (observed):
  * Token: the `token` apiKey scheme does not become a parameter. The
    generated `AuthenticatedClient(base_url, token, prefix="Bearer",
    auth_header_name="Authorization")` sends `<prefix> <token>` in one header;
    for this API construct it with `prefix=""` and
    `auth_header_name="X-Auth-Token"`. The `aksk` scheme (request signing)
    is not supported by the generator at all, so the client runs with the
    token only.
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

from driver_report import finish


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--client-dir", required=True, help="folder that holds the generated package")
    p.add_argument("--package", required=True)
    p.add_argument("--cases", required=True)
    p.add_argument("--scenario", required=True)
    p.add_argument("--base-url", required=True)
    p.add_argument("--work-dir", required=True, help="where the export is written and the import read")
    args = p.parse_args()
    with open(args.cases, encoding="utf-8") as f:
        cases = json.load(f)
    error = cases["error"] if args.scenario == "error" else None

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
                query = dict(call["query"])
                for key, enum in (("aop_type", models.ListWorkflowsAopType), ("sortby", models.ListWorkflowsSortby),
                                  ("order", models.ListWorkflowsOrder)):
                    if key in query:
                        query[key] = enum(query[key])
                response = api(op).sync_detailed(**where, **query)
            elif op == "show_workflow":
                response = api(op).sync_detailed(workflow_id=call["workflow_id"], **where)
            elif op == "import_workflows":
                with open(os.path.join(args.work_dir, call["file"]), "rb") as upload:
                    body = models.ImportWorkflowsBody(
                        upload_file=types.File(payload=upload, file_name=call["file"]))
                    response = api(op).sync_detailed(**where, body=body)
            elif op == "export_workflows":
                response = api(op).sync_detailed(**where, body=models.ExportWorkflowsRequest(id=list(call["ids"])))
            else:
                sys.exit("python client: no way to call %s" % op)
            problems = check(call, response, error, args.work_dir, models, types)
            failures.extend("%s: %s" % (op, x) for x in problems)
            done.append(op)
    finish("python client", "token", args.scenario, done, failures, "answered 400, parsed as ErrorBody")


def check(call, response, error, work_dir, models, types):
    """What is wrong with what the generated client handed back."""
    op, expect = call["operation"], call["expect"]
    problems = []
    status = int(response.status_code)
    want_status = error["status"] if error else 200
    if status != want_status:
        problems.append("status %s, expected %s: %r" % (status, want_status, response.content[:300]))
        return problems
    parsed = response.parsed
    if error:
        if not isinstance(parsed, models.ErrorBody):
            problems.append("%s parsed as %r, expected ErrorBody" % (status, type(parsed).__name__))
        elif (parsed.code, parsed.message) != (error["code"], error["message"]):
            problems.append("ErrorBody(code=%r, message=%r), expected %r" % (parsed.code, parsed.message, error))
    elif op == "export_workflows":
        if not isinstance(parsed, types.File):
            problems.append("200 parsed as %r, expected types.File" % type(parsed).__name__)
        else:
            data = parsed.payload.read()
            with open(os.path.join(work_dir, call["output"]), "wb") as f:
                f.write(data)
            exported = json.loads(data.decode("utf-8"))
            ids = [w["id"] for w in exported.get("workflows", [])]
            if (exported.get("format"), ids) != (expect["format"], expect["ids"]):
                problems.append("exported %r with ids %r, expected %r" % (exported.get("format"), ids, expect))
    elif op == "list_workflows":
        ids = [w.id for w in parsed.data] if parsed and parsed.data else []
        if parsed is None or (parsed.total, ids) != (expect["total"], expect["ids"]):
            problems.append("total %r, ids %r, expected %r" % (parsed and parsed.total, ids, expect))
    elif op == "show_workflow":
        got = parsed.data if parsed else None
        if got is None or got.id != expect["id"] or not isinstance(got.enabled, bool):
            problems.append("workflow %r, expected id %r" % (got, expect["id"]))
    elif op == "import_workflows":
        if parsed is None or (parsed.success, parsed.message) != (True, expect["message"]) or not parsed.request_id:
            problems.append("%r, expected success, message %r and a request_id" % (parsed, expect["message"]))
    return problems


if __name__ == "__main__":
    main()
