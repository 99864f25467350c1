#!/usr/bin/env python3
"""The official Python SDK's side of `cargo xtask bench`.

Run by the harness with the interpreter of a throw-away venv that holds
huaweicloudsdkcore==3.1.219 and huaweicloudsdksecmaster==3.1.219, and with
HOME pointing at a temporary directory (importing the SDK writes
$HOME/.huaweicloud). Fake AK/SK credentials; the endpoint is the local
simulator (`secmaster-sim --export-size N`) over plain http.

    sdk_bench.py export --endpoint URL --size N --output PATH [--workspace W]
        One export through SecMasterClient.export_aopworkflow, the body
        written by resp.consume_download_stream(fn) to PATH in 1 MiB pieces,
        then fsync (skipped for /dev/null). Prints `bytes=N`.
    sdk_bench.py loop --endpoint URL --count 200 --size 1024 [--workspace W]
        COUNT sequential exports through one client (its requests session
        keeps the connection alive), each body read to its end. Prints
        `requests=N bytes=B seconds=S` for the loop alone.
    sdk_bench.py backup --endpoint URL --workspace W --output DIR
        What `secmaster backup create` does, one request at a time: every
        page of the workspace's list (100 a page), then each workflow
        exported by its own id into DIR/NNNN.export beside its record
        (NNNN.json), each file fsynced; DIR/names.json maps files to names.
        Prints `workflows=N requests=R`.
    sdk_bench.py restore --endpoint URL --workspace T --input DIR
        What `secmaster restore` does, one request at a time: every page of
        the target's list, then each export file of DIR whose workflow name
        the target lacks, imported. Prints `restored=N skipped=S requests=R`.
    sdk_bench.py sign [--batches 31] [--per-batch 2000]
        Signer.sign on the export request the Rust signing benchmark signs.
        Prints `sign one export request: median N ns (min N ns, max N ns)`.

Exits non-zero on any failure or wrong byte count.
"""

import argparse
import json
import os
import sys
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.formdata import FormFile
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdksecmaster.v1 import (
    ExportAopworkflowInfo,
    ExportAopworkflowRequest,
    ImportAopworkflowRequest,
    ImportAopworkflowRequestBody,
    ListWorkflowsRequest,
    SecMasterClient,
)

AK = "HPUAFAKEAK0EXAMPLE01"
SK = "FAKEsecretKEY0example0000000000000000000001"
PROJECT = "0123456789abcdef0123456789abcdef"
WORKSPACE = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"  # the simulator's seeded one
WORKFLOW = "c19470f3-5eaf-4572-82e8-2ff094495919"
PIECE = 1024 * 1024


def make_client(endpoint):
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True  # plain http anyway
    return (
        SecMasterClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_endpoint(endpoint)
        .with_http_config(config)
        .build()
    )


def export_request(workspace):
    return ExportAopworkflowRequest(
        project_id=PROJECT,
        workspace_id=workspace,
        body=ExportAopworkflowInfo(id=[WORKFLOW]),
    )


def cmd_export(args):
    client = make_client(args.endpoint)
    response = client.export_aopworkflow(export_request(args.workspace))
    written = [0]

    def save(raw):
        with open(args.output, "wb") as out:
            for piece in raw.iter_content(chunk_size=PIECE):
                out.write(piece)
                written[0] += len(piece)
            out.flush()
            if args.output != os.devnull:
                os.fsync(out.fileno())

    response.consume_download_stream(save)
    if written[0] != args.size:
        sys.exit("error: %d bytes, expected %d" % (written[0], args.size))
    print("bytes=%d" % written[0])


def cmd_loop(args):
    client = make_client(args.endpoint)
    request = export_request(args.workspace)
    total = 0
    started = time.perf_counter()
    for i in range(args.count):
        response = client.export_aopworkflow(request)
        got = [0]

        def drain(raw):
            for piece in raw.iter_content(chunk_size=PIECE):
                got[0] += len(piece)

        response.consume_download_stream(drain)
        if got[0] != args.size:
            sys.exit("error: request %d: %d bytes, expected %d" % (i, got[0], args.size))
        total += got[0]
    seconds = time.perf_counter() - started
    print("requests=%d bytes=%d seconds=%.6f" % (args.count, total, seconds))


def list_all(client, workspace):
    """Every workflow of the workspace, 100 a page, one page at a time;
    and the number of requests sent."""
    workflows, requests = [], 0
    while True:
        page = client.list_workflows(ListWorkflowsRequest(
            project_id=PROJECT, workspace_id=workspace, offset=len(workflows), limit=100))
        requests += 1
        workflows.extend(page.data or [])
        if not page.data or len(workflows) >= (page.total or 0):
            return workflows, requests


def write_synced(path, data):
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def cmd_backup(args):
    client = make_client(args.endpoint)
    workflows, requests = list_all(client, args.workspace)
    os.makedirs(args.output)
    names = {}
    for n, workflow in enumerate(workflows, 1):
        request = ExportAopworkflowRequest(
            project_id=PROJECT, workspace_id=args.workspace,
            body=ExportAopworkflowInfo(id=[workflow.id]))
        response = client.export_aopworkflow(request)
        requests += 1
        pieces = []
        response.consume_download_stream(
            lambda raw: pieces.extend(raw.iter_content(chunk_size=PIECE)))
        stem = os.path.join(args.output, "%04d" % n)
        write_synced(stem + ".export", b"".join(pieces))
        write_synced(stem + ".json", json.dumps(workflow.to_dict()).encode("utf-8"))
        names["%04d.export" % n] = workflow.name
    write_synced(os.path.join(args.output, "names.json"), json.dumps(names).encode("utf-8"))
    print("workflows=%d requests=%d" % (len(workflows), requests))


def cmd_restore(args):
    client = make_client(args.endpoint)
    present, requests = list_all(client, args.workspace)
    present = {w.name for w in present}
    with open(os.path.join(args.input, "names.json")) as f:
        names = json.load(f)
    restored = skipped = 0
    for file_name, name in sorted(names.items()):
        if name in present:
            skipped += 1
            continue
        upload = FormFile(open(os.path.join(args.input, file_name), "rb"))
        try:
            client.import_aopworkflow(ImportAopworkflowRequest(
                project_id=PROJECT, workspace_id=args.workspace,
                body=ImportAopworkflowRequestBody(upload_file=upload)))
        finally:
            upload.close()
        requests += 1
        restored += 1
    print("restored=%d skipped=%d requests=%d" % (restored, skipped, requests))


def cmd_sign(args):
    signer = Signer(BasicCredentials(AK, SK, PROJECT))
    body = b'{"id":["c19470f3-5eaf-4572-82e8-2ff094495919"]}'
    path = (
        "/v1/0123456789abcdef0123456789abcdef/workspaces/"
        "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d/soc/workflows/export"
    )
    headers = {
        "Content-Type": "application/json;charset=UTF-8",
        "User-Agent": "secmaster-client/0.1.0",
        "X-Project-Id": PROJECT,
    }

    def one():
        # sign() adds its headers to the request, so each call gets a fresh
        # one; building it is a small part of the cost and is counted.
        request = SdkRequest(
            method="POST",
            schema="https",
            host="secmaster.cn-north-4.myhuaweicloud.com",
            resource_path=path,
            query_params=[],
            header_params=dict(headers),
            body=body,
        )
        signer.sign(request)

    for _ in range(args.per_batch):  # warm-up
        one()
    per_call = []
    for _ in range(args.batches):
        started = time.perf_counter_ns()
        for _ in range(args.per_batch):
            one()
        per_call.append((time.perf_counter_ns() - started) // args.per_batch)
    per_call.sort()
    print(
        "sign one export request: median %d ns (min %d ns, max %d ns) over %d batches of %d"
        % (per_call[len(per_call) // 2], per_call[0], per_call[-1], args.batches, args.per_batch)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("export")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--workspace", default=WORKSPACE)
    p.set_defaults(run=cmd_export)
    p = sub.add_parser("loop")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--workspace", default=WORKSPACE)
    p.set_defaults(run=cmd_loop)
    p = sub.add_parser("backup")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--workspace", default=WORKSPACE)
    p.add_argument("--output", required=True)
    p.set_defaults(run=cmd_backup)
    p = sub.add_parser("restore")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--workspace", required=True)
    p.add_argument("--input", required=True)
    p.set_defaults(run=cmd_restore)
    p = sub.add_parser("sign")
    p.add_argument("--batches", type=int, default=31)
    p.add_argument("--per-batch", type=int, default=2000)
    p.set_defaults(run=cmd_sign)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
