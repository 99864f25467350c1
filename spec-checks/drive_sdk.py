#!/usr/bin/env python3
"""Make the cases' calls (list, list, show, export, import) with Huawei
Cloud's official Python SDK (huaweicloudsdksecmaster 3.1.219,
`SecMasterClient`) against the simulator (secmaster-sim), with AK/SK
credentials (fake keys, which the simulator checks the signatures with) and
the endpoint overridden to plain http on 127.0.0.1, and check what the SDK
hands back: in the `ok` scenario what the cases expect of the simulator's
answers (the export is written to the work folder, and that file is
imported), in the `error` scenario the injected 400's code and message.

    drive_sdk.py --cases C --scenario ok|error --endpoint U --work-dir W

The SDK signs every request (SDK-HMAC-SHA256); it has no way to send an
IAM token in X-Auth-Token instead, so it runs with AK/SK only.

SDK methods: list_workflows(ListWorkflowsRequest), show_aop_workflow(
ShowAopWorkflowRequest), import_aopworkflow(ImportAopworkflowRequest(body=
ImportAopworkflowRequestBody(upload_file=FormFile(<open file>)))),
export_aopworkflow(ExportAopworkflowRequest(body=ExportAopworkflowInfo)).
A 4xx raises ClientRequestException with the body's code and message.

Importing the SDK writes $HOME/.huaweicloud/application_id: the process that
runs this script must point HOME at a throw-away directory (`cargo xtask spec`
does). This script refuses to run when HOME is the real home directory.
"""

import argparse
import json
import os
import sys

from driver_report import finish


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
    where = {"project_id": cases["project_id"], "workspace_id": cases["workspace_id"]}

    failures, done = [], []
    try:
        for call in cases["calls"]:
            op, expect = call["operation"], call["expect"]
            problems = []
            try:
                if op == "list_workflows":
                    response = client.list_workflows(sm.ListWorkflowsRequest(**where, **call["query"]))
                    ids = [w.id for w in response.data or []]
                    if (response.total, ids) != (expect["total"], expect["ids"]):
                        problems.append("total %r, ids %r, expected %r" % (response.total, ids, expect))
                elif op == "show_workflow":
                    response = client.show_aop_workflow(
                        sm.ShowAopWorkflowRequest(**where, workflow_id=call["workflow_id"]))
                    if response.data is None or response.data.id != expect["id"]:
                        problems.append("workflow %r, expected id %r" % (response.data, expect["id"]))
                elif op == "import_workflows":
                    upload = FormFile(open(os.path.join(args.work_dir, call["file"]), "rb"))
                    try:
                        response = client.import_aopworkflow(sm.ImportAopworkflowRequest(
                            **where, body=sm.ImportAopworkflowRequestBody(upload_file=upload)))
                    finally:
                        upload.close()
                    if (response.success, response.message) != (True, expect["message"]) or not response.request_id:
                        problems.append("%r, expected success, message %r and a request_id"
                                        % (response, expect["message"]))
                elif op == "export_workflows":
                    response = client.export_aopworkflow(sm.ExportAopworkflowRequest(
                        **where, body=sm.ExportAopworkflowInfo(id=list(call["ids"]))))
                    got = []
                    response.consume_download_stream(lambda raw: got.append(raw.content))
                    with open(os.path.join(args.work_dir, call["output"]), "wb") as f:
                        f.write(got[0])
                    exported = json.loads(got[0].decode("utf-8"))
                    ids = [w["id"] for w in exported.get("workflows", [])]
                    if (exported.get("format"), ids) != (expect["format"], expect["ids"]):
                        problems.append("exported %r with ids %r, expected %r" % (exported.get("format"), ids, expect))
                else:
                    sys.exit("official SDK: no way to call %s" % op)
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
