#!/usr/bin/env python3
"""Make the cases' calls with the Python client that openapi-python-client
generated from the document, against the simulator (secmaster-sim), and
check what the client hands back: in the `ok` scenario what the cases
expect of the simulator's answers (the model the client parsed, written
back with to_dict(); the export is written to the work folder, and that
file is imported), in the `error` scenario the injected 400 with its code
and message.

Generic over simple JSON GETs: the generated module of such an operation
(api/<tag>/<operationId>.py) is called with the case's path and query
values, with no code for the operation. Export and import have code of
their own (`per_operation`). Before any call, an operation of the document
or of the cases that the driver has no way to call fails the run, each
named: `drive_python.py: no way to call <operationId>`.

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
import enum
import importlib
import inspect
import json
import os
import sys
import typing

from driver_report import differences, finish, require_ways, simple_gets


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

    def module(operation):
        """The generator files each operation under api/<tag>/<operationId>.py;
        None unless there is exactly one."""
        api_dir = os.path.join(args.client_dir, args.package, "api")
        found = [tag for tag in os.listdir(api_dir) if os.path.isfile(os.path.join(api_dir, tag, operation + ".py"))]
        return importlib.import_module("%s.api.%s.%s" % (args.package, found[0], operation)) if len(found) == 1 else None

    client = pkg.AuthenticatedClient(
        base_url=args.base_url,
        token=cases["token"],
        prefix="",
        auth_header_name="X-Auth-Token",
        raise_on_unexpected_status=True,
        timeout=httpx.Timeout(20.0),
        httpx_args={"trust_env": False},
    )

    def get(call):
        """Any simple JSON GET: its module, with the case's path and query."""
        send = module(call["operation"]).sync_detailed
        return send(**call["path"], **enum_values(send, call["query"]), client=client)

    def export(call):
        body = models.ExportWorkflowsRequest(id=list(call["ids"]))
        return module("export_workflows").sync_detailed(**call["path"], client=client, body=body)

    def import_(call):
        with open(os.path.join(args.work_dir, call["file"]), "rb") as upload:
            body = models.ImportWorkflowsBody(upload_file=types.File(payload=upload, file_name=call["file"]))
            return module("import_workflows").sync_detailed(**call["path"], client=client, body=body)

    # The operations with code of their own here; the document's other
    # simple JSON GETs are called by `get`, with none.
    per_operation = {"export_workflows": export, "import_workflows": import_}
    generic = simple_gets(cases)

    def way(op):
        if op in per_operation:
            return per_operation[op]
        return get if op in generic and module(op) is not None else None

    require_ways("drive_python.py", cases, way)
    failures, done = [], []
    with client:
        for call in cases["calls"]:
            op = call["operation"]
            response = way(op)(call)
            problems = check(call, response, error, args.work_dir, models, types)
            failures.extend("%s: %s" % (op, x) for x in problems)
            done.append(op)
    finish("python client", "token", args.scenario, done, failures, "answered 400, parsed as ErrorBody")


def enum_values(function, values):
    """`values` as `function` takes them: the generated client takes enum
    parameters as Enum classes (ListWorkflowsOrder), named in the
    parameter's annotation (`ListWorkflowsOrder | Unset`)."""
    params = inspect.signature(function).parameters
    out = {}
    for name, value in values.items():
        annotation = params[name].annotation if name in params else None
        enums = [t for t in typing.get_args(annotation) if isinstance(t, type) and issubclass(t, enum.Enum)]
        out[name] = enums[0](value) if enums else value
    return out


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
            with open(os.path.join(work_dir, call["file"]), "wb") as f:
                f.write(data)
            exported = json.loads(data.decode("utf-8"))
            ids = [w["id"] for w in exported.get("workflows", [])]
            if (exported.get("format"), ids) != (expect["format"], expect["ids"]):
                problems.append("exported %r with ids %r, expected %r" % (exported.get("format"), ids, expect))
    elif parsed is None or not hasattr(parsed, "to_dict"):
        problems.append("200 parsed as %r, expected a model" % type(parsed).__name__)
    else:
        # The answer as the generated model parsed it, written back as JSON.
        problems.extend(differences(parsed.to_dict(), expect))
        if op == "import_workflows" and not parsed.request_id:
            problems.append("no request_id in %r" % parsed)
    return problems


if __name__ == "__main__":
    main()
