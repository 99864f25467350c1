#!/usr/bin/env python3
"""Make one export call with Huawei Cloud's official Python SDK
(huaweicloudsdksecmaster 3.1.219, `SecMasterClient.export_aopworkflow`) against
the recording server, with AK/SK credentials (fake keys) and the endpoint
overridden to plain http on 127.0.0.1, and check what the SDK hands back.

Importing the SDK writes $HOME/.huaweicloud/application_id: the process that
runs this script must point HOME at a throw-away directory (`cargo xtask spec`
does). This script refuses to run when HOME is the real home directory.
"""

import argparse
import os
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True, help="http://127.0.0.1:<port>")
    p.add_argument("--project-id", required=True)
    p.add_argument("--workspace-id", required=True)
    p.add_argument("--ak", required=True)
    p.add_argument("--sk", required=True)
    p.add_argument("--id", dest="ids", action="append", required=True)
    p.add_argument("--expect-status", type=int, required=True)
    p.add_argument("--expect-body-hex")
    p.add_argument("--expect-code")
    p.add_argument("--expect-message")
    args = p.parse_args()

    if os.environ.get("SPEC_CHECKS_THROWAWAY_HOME") != os.environ.get("HOME"):
        sys.exit("official SDK: HOME must be a throw-away directory (set HOME and "
                 "SPEC_CHECKS_THROWAWAY_HOME to the same temporary path)")
    for key in list(os.environ):
        if key.startswith("HUAWEICLOUD_SDK_"):
            del os.environ[key]

    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdksecmaster.v1 import (
        ExportAopworkflowInfo,
        ExportAopworkflowRequest,
        SecMasterClient,
    )

    config = HttpConfig.get_default_config()
    config.timeout = (5, 20)
    client = (SecMasterClient.new_builder()
              .with_credentials(BasicCredentials(args.ak, args.sk, args.project_id))
              .with_endpoint(args.endpoint)
              .with_http_config(config)
              .build())
    client.get_http_client()._session.trust_env = False  # no proxy for 127.0.0.1

    request = ExportAopworkflowRequest(project_id=args.project_id, workspace_id=args.workspace_id,
                                       body=ExportAopworkflowInfo(id=list(args.ids)))
    failures = []
    try:
        response = client.export_aopworkflow(request)
        got = []
        response.consume_download_stream(lambda raw: got.append((raw.status_code, raw.content)))
        status, content = got[0]
        if status != args.expect_status:
            failures.append("status %s, expected %s" % (status, args.expect_status))
        if args.expect_body_hex is not None:
            expected = bytes.fromhex(args.expect_body_hex)
            if content != expected:
                failures.append("file bytes differ: got %r, expected %r" % (content[:64], expected[:64]))
            else:
                print("NOTE: official SDK streamed the %d exact bytes served" % len(content))
        if args.expect_code is not None:
            failures.append("no exception for a %s" % status)
    except ClientRequestException as e:
        if e.status_code != args.expect_status:
            failures.append("status %s, expected %s" % (e.status_code, args.expect_status))
        if args.expect_code is None:
            failures.append("unexpected %s" % e)
        else:
            if e.error_code != args.expect_code:
                failures.append("error_code %r, expected %r" % (e.error_code, args.expect_code))
            if e.error_msg != args.expect_message:
                failures.append("error_msg %r, expected %r" % (e.error_msg, args.expect_message))
            if not failures:
                print("NOTE: official SDK raised ClientRequestException(status_code=%s, error_code=%r, "
                      "error_msg=%r)" % (e.status_code, e.error_code, e.error_msg))
    finally:
        client.close()
    if failures:
        for f in failures:
            print("official SDK: " + f, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
