#!/usr/bin/env python3
"""Make one export call with the Python client that openapi-python-client
generated from the document, and check what the client hands back.

What openapi-python-client 0.29.1 does with this document (observed):
  * Token: the `token` apiKey scheme does not become a parameter. The
    generated `AuthenticatedClient(base_url, token, prefix="Bearer",
    auth_header_name="Authorization")` sends `<prefix> <token>` in one header;
    for this API construct it with `prefix=""` and
    `auth_header_name="X-Auth-Token"`. The `aksk` scheme (request signing)
    is not supported by the generator at all.
  * Request: path values are quoted with `quote(v, safe="")`, the body is
    sent as JSON with `Content-Type: application/json;charset=UTF-8` exactly
    as the document spells the media type.
  * Binary 200: `parsed` is a `types.File` whose `payload` is a `BytesIO`
    over the whole response body (read into memory; not streamed).
  * 400/401/403/429: `parsed` is an `ErrorBody` (code, message, error_code,
    error_msg, all optional). Undocumented statuses raise
    `errors.UnexpectedStatus` when `raise_on_unexpected_status=True`.
"""

import argparse
import os
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--client-dir", required=True, help="folder that holds the generated package")
    p.add_argument("--package", default="secmaster_export_client")
    p.add_argument("--base-url", required=True)
    p.add_argument("--project-id", required=True)
    p.add_argument("--workspace-id", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--id", dest="ids", action="append", required=True)
    p.add_argument("--expect-status", type=int, required=True)
    p.add_argument("--expect-body-hex")
    p.add_argument("--expect-code")
    p.add_argument("--expect-message")
    args = p.parse_args()

    sys.path.insert(0, args.client_dir)
    import importlib

    import httpx

    pkg = importlib.import_module(args.package)
    # The generator files each operation under api/<tag>/<operationId>.py.
    api_dir = os.path.join(args.client_dir, args.package, "api")
    found = sorted(tag for tag in os.listdir(api_dir)
                   if os.path.isfile(os.path.join(api_dir, tag, "export_workflows.py")))
    if len(found) != 1:
        sys.exit("python client: expected one api/<tag>/export_workflows.py module, found %r" % found)
    api = importlib.import_module("%s.api.%s.export_workflows" % (args.package, found[0]))
    models = importlib.import_module(args.package + ".models")
    types = importlib.import_module(args.package + ".types")

    client = pkg.AuthenticatedClient(
        base_url=args.base_url,
        token=args.token,
        prefix="",
        auth_header_name="X-Auth-Token",
        raise_on_unexpected_status=True,
        timeout=httpx.Timeout(20.0),
        httpx_args={"trust_env": False},
    )
    with client:
        response = api.sync_detailed(
            project_id=args.project_id,
            workspace_id=args.workspace_id,
            client=client,
            body=models.ExportWorkflowsRequest(id=list(args.ids)),
        )

    failures = []
    if int(response.status_code) != args.expect_status:
        failures.append("status %s, expected %s" % (int(response.status_code), args.expect_status))
    parsed = response.parsed
    if args.expect_body_hex is not None:
        expected = bytes.fromhex(args.expect_body_hex)
        if not isinstance(parsed, types.File):
            failures.append("200 parsed as %r, expected types.File" % type(parsed).__name__)
        else:
            got = parsed.payload.read()
            if got != expected:
                failures.append("file bytes differ: got %r, expected %r" % (got[:64], expected[:64]))
            else:
                print("NOTE: python client returned types.File with the %d exact bytes served" % len(got))
    if args.expect_code is not None or args.expect_message is not None:
        if not isinstance(parsed, models.ErrorBody):
            failures.append("%s parsed as %r, expected ErrorBody" % (args.expect_status, type(parsed).__name__))
        else:
            if parsed.code != args.expect_code:
                failures.append("ErrorBody.code %r, expected %r" % (parsed.code, args.expect_code))
            if parsed.message != args.expect_message:
                failures.append("ErrorBody.message %r, expected %r" % (parsed.message, args.expect_message))
            if not failures:
                print("NOTE: python client returned ErrorBody(code=%r, message=%r)" % (parsed.code, parsed.message))
    if failures:
        for f in failures:
            print("python client: " + f, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
