#!/usr/bin/env python3
"""Make the cases' calls with Huawei Cloud's official Python SDK
(huaweicloudsdksecmaster 3.1.219, `SecMasterClient`) against the simulator
(secmaster-sim), with AK/SK credentials (fake keys, which the simulator
checks the signatures with) and the endpoint overridden to plain http on
127.0.0.1, and check what the SDK hands back: in the `ok` scenario what the
cases expect of the simulator's answers (the SDK's response object, as its
to_dict() writes it; the export is written to the work folder, and that
file is imported), in the `error` scenario the injected 400's code and
message.

    drive_sdk.py --cases C --scenario ok|error --endpoint U --work-dir W

The SDK signs every request (SDK-HMAC-SHA256); it has no way to send an
IAM token in X-Auth-Token instead, so it runs with AK/SK only.

The SDK names operations its own way: SDK_NAMES maps each operationId to
the client's method and its request class. A simple JSON GET with an entry
there is called generically, its request built from the case's path and
query values; export and import also set a body (`per_operation`). Before
any call, an operation of the document or of the cases without a way to
call it fails the run, each named: `drive_sdk.py: no way to call
<operationId>`. A 4xx raises ClientRequestException with the body's code
and message.

Importing the SDK writes $HOME/.huaweicloud/application_id: the process that
runs this script must point HOME at a throw-away directory (`cargo xtask spec`
does). This script refuses to run when HOME is the real home directory.
"""

import argparse
import json
import os
import sys

from driver_report import differences, finish, require_ways, simple_gets

# The SDK's names for the document's operations: operationId -> (the
# SecMasterClient method, its request class).
SDK_NAMES = {
    "list_workflows": ("list_workflows", "ListWorkflowsRequest"),
    "show_workflow": ("show_aop_workflow", "ShowAopWorkflowRequest"),
    "export_workflows": ("export_aopworkflow", "ExportAopworkflowRequest"),
    "import_workflows": ("import_aopworkflow", "ImportAopworkflowRequest"),
    "list_workspaces": ("list_workspaces", "ListWorkspacesRequest"),
    "show_workspace": ("show_workspace", "ShowWorkspaceRequest"),
    "show_workflow_version": ("show_aop_workflow_version", "ShowAopWorkflowVersionRequest"),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cases", required=True)
    p.add_argument("--scenario", required=True)
    p.add_argument("--endpoint", required=True, help="http://127.0.0.1:<port>")
    p.add_argument("--work-dir", required=True, help="where the export is written and the import read")
    args = p.parse_args()
    with open(args.cases, encoding="utf-8") as f:
        cases = json.load(f)
    error = cases["error"] if args.scenario == "error" else None

    if os.environ.get("SPEC_CHECKS_THROWAWAY_HOME") != os.environ.get("HOME"):
        sys.exit("official SDK: HOME must be a throw-away directory (set HOME and "
                 "SPEC_CHECKS_THROWAWAY_HOME to the same temporary path)")
    for key in list(os.environ):
        if key.startswith("HUAWEICLOUD_SDK_"):
            del os.environ[key]

    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkcore.http.formdata import FormFile
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdksecmaster import v1 as sm

    config = HttpConfig.get_default_config()
    config.timeout = (5, 20)
    client = (sm.SecMasterClient.new_builder()
              .with_credentials(BasicCredentials(cases["ak"], cases["sk"], cases["project_id"]))
              .with_endpoint(args.endpoint)
              .with_http_config(config)
              .build())
    client.get_http_client()._session.trust_env = False  # no proxy for 127.0.0.1

    def send(call, body=None):
        """The SDK's request for the case (path and query values as its
        arguments, and `body`), sent; its response."""
        method, request_class = SDK_NAMES[call["operation"]]
        request = getattr(sm, request_class)(**call["path"], **call["query"])
        if body is not None:
            request.body = body
        return getattr(client, method)(request)

    def get(call):
        return differences(send(call).to_dict(), call["expect"])

    def export(call):
        response = send(call, sm.ExportAopworkflowInfo(id=list(call["ids"])))
        got = []
        response.consume_download_stream(lambda raw: got.append(raw.content))
        with open(os.path.join(args.work_dir, call["file"]), "wb") as f:
            f.write(got[0])
        exported = json.loads(got[0].decode("utf-8"))
        ids = [w["id"] for w in exported.get("workflows", [])]
        if (exported.get("format"), ids) != (call["expect"]["format"], call["expect"]["ids"]):
            return ["exported %r with ids %r, expected %r" % (exported.get("format"), ids, call["expect"])]
        return []

    def import_(call):
        upload = FormFile(open(os.path.join(args.work_dir, call["file"]), "rb"))
        try:
            response = send(call, sm.ImportAopworkflowRequestBody(upload_file=upload))
        finally:
            upload.close()
        return differences(response.to_dict(), call["expect"]) + ([] if response.request_id else ["no request_id"])

    per_operation = {"export_workflows": export, "import_workflows": import_}
    generic = simple_gets(cases)

    def way(op):
        names = SDK_NAMES.get(op)
        if names is None or not hasattr(client, names[0]) or not hasattr(sm, names[1]):
            return None
        if op in per_operation:
            return per_operation[op]
        return get if op in generic else None

    require_ways("drive_sdk.py", cases, way)
    failures, done = [], []
    try:
        for call in cases["calls"]:
            op = call["operation"]
            problems = []
            try:
                problems = way(op)(call)
                if error:
                    problems.append("no exception for a %s" % error["status"])
            except ClientRequestException as e:
                if not error:
                    problems.append("unexpected %s" % e)
                elif (e.status_code, e.error_code, e.error_msg) != (error["status"], error["code"], error["message"]):
                    problems.append("ClientRequestException(status_code=%s, error_code=%r, error_msg=%r), "
                                    "expected %r" % (e.status_code, e.error_code, e.error_msg, error))
            failures.extend("%s: %s" % (op, x) for x in problems)
            done.append(op)
    finally:
        client.close()
    finish("official SDK", "AK/SK", args.scenario, done, failures,
           "raised ClientRequestException with the 400's code and message")


if __name__ == "__main__":
    main()
