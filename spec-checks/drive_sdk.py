#!/usr/bin/env python3
"""Make the cases' calls (list, show, import, export) with Huawei Cloud's
official Python SDK (huaweicloudsdksecmaster 3.1.219, `SecMasterClient`)
against the recording server, with AK/SK credentials (fake keys) and the
endpoint overridden to plain http on 127.0.0.1, and check what the SDK hands
back for the scenario's answers.

    drive_sdk.py --cases C --scenario ok|error --endpoint U

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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cases", required=True)
    p.add_argument("--scenario", required=True)
    p.add_argument("--endpoint", required=True, help="http://127.0.0.1:<port>")
    args = p.parse_args()
    with open(args.cases, encoding="utf-8") as f:
        cases = json.load(f)
    answers = cases["answers"][args.scenario]

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
    from huaweicloudsdksecmaster.v1 import (
        ExportAopworkflowInfo,
        ExportAopworkflowRequest,
        ImportAopworkflowRequest,
        ImportAopworkflowRequestBody,
        ListWorkflowsRequest,
        SecMasterClient,
        ShowAopWorkflowRequest,
    )

    config = HttpConfig.get_default_config()
    config.timeout = (5, 20)
    client = (SecMasterClient.new_builder()
              .with_credentials(BasicCredentials(cases["ak"], cases["sk"], cases["project_id"]))
              .with_endpoint(args.endpoint)
              .with_http_config(config)
              .build())
    client.get_http_client()._session.trust_env = False  # no proxy for 127.0.0.1
    where = {"project_id": cases["project_id"], "workspace_id": cases["workspace_id"]}

    failures, done = [], []
    try:
        for call in cases["calls"]:
            op = call["operation"]
            answer = answers[op]
            problems = []
            try:
                if op == "list_workflows":
                    response = client.list_workflows(ListWorkflowsRequest(**where, **call["query"]))
                    got = response.data[0] if response.data else None
                    want = answer["json"]["data"][0]
                    if got is None or (got.id, got.name) != (want["id"], want["name"]):
                        problems.append("first workflow %r, expected id %r" % (got, want["id"]))
                elif op == "show_workflow":
                    response = client.show_aop_workflow(
                        ShowAopWorkflowRequest(**where, workflow_id=call["workflow_id"]))
                    if response.data is None or response.data.id != answer["json"]["data"]["id"]:
                        problems.append("workflow %r, expected id %r" % (response.data, answer["json"]["data"]["id"]))
                elif op == "import_workflows":
                    upload = FormFile(open(call["file"], "rb"))
                    try:
                        response = client.import_aopworkflow(ImportAopworkflowRequest(
                            **where, body=ImportAopworkflowRequestBody(upload_file=upload)))
                    finally:
                        upload.close()
                    if response.request_id != answer["json"]["request_id"]:
                        problems.append("request_id %r, expected %r" % (response.request_id,
                                                                      answer["json"]["request_id"]))
                elif op == "export_workflows":
                    response = client.export_aopworkflow(ExportAopworkflowRequest(
                        **where, body=ExportAopworkflowInfo(id=list(call["ids"]))))
                    got = []
                    response.consume_download_stream(lambda raw: got.append((raw.status_code, raw.content)))
                    if got[0][1] != bytes.fromhex(answer["hex"]):
                        problems.append("file bytes differ from the ones served")
                else:
                    sys.exit("official SDK: no way to call %s" % op)
                if answer["status"] >= 400:
                    problems.append("no exception for a %s" % answer["status"])
            except ClientRequestException as e:
                want = answer.get("json") or {}
                if answer["status"] < 400:
                    problems.append("unexpected %s" % e)
                elif (e.status_code, e.error_code, e.error_msg) != (answer["status"], want.get("code"),
                                                                   want.get("message")):
                    problems.append("ClientRequestException(status_code=%s, error_code=%r, error_msg=%r), "
                                    "expected %r" % (e.status_code, e.error_code, e.error_msg, answer))
            failures.extend("%s: %s" % (op, x) for x in problems)
            done.append(op)
    finally:
        client.close()
    if failures:
        for f in failures:
            print("official SDK: " + f, file=sys.stderr)
        sys.exit(1)
    print("NOTE: official SDK (%s): %s answered as documented%s" % (
        args.scenario, ", ".join(done),
        " (ClientRequestException with the body's code and message)" if args.scenario == "error" else ""))


if __name__ == "__main__":
    main()
