// The cases' calls (list, list, show, export, import) with openapi-fetch,
// typed by the `paths` that openapi-typescript generated from the document
// (./schema.d.ts, written next to this file under .tools/ by
// `cargo xtask spec`), against the simulator (secmaster-sim); checks what
// comes back: in the `ok` scenario what the cases expect of the simulator's
// answers (the export is written to the work folder, and that file is
// imported), in the `error` scenario the injected 400's code and message.
//
//   node drive.js --cases C --scenario ok|error --base-url U --work-dir W
//
// What the TypeScript tool chain does with this document (observed with
// openapi-typescript 7.13.0 + openapi-fetch 0.17.0):
//  * Token: security schemes produce no types and no code. The token is
//    configuration: `createClient({ headers: { "X-Auth-Token": token } })`.
//    AK/SK signing would have to be a middleware written by hand, so the
//    client runs with the token only.
//  * Paths: values go through encodeURIComponent.
//  * List: `params.query` is typed from the parameters (enums as string
//    unions). The default query serializer writes the pairs in the order of
//    the object's keys and encodes with encodeURIComponent: a space is %20,
//    but ! ' ( ) * stay as they are (RFC 3986 encoding, which the Rust client
//    and the SDK use, encodes them).
//  * Import: the multipart body is typed `{ uploadFile: string }` (format:
//    binary has no TS type of its own), so a Blob has to be cast, and
//    openapi-fetch sends JSON unless told otherwise: a `bodySerializer`
//    builds the FormData. With a FormData body openapi-fetch sets no
//    Content-Type and fetch writes `multipart/form-data; boundary=...`
//    itself, a fresh boundary per request, and `Content-Type:
//    application/octet-stream` for the file part.
//  * Export: the body is typed from the `application/json;charset=UTF-8`
//    media type and serialized with JSON.stringify, but openapi-fetch sends
//    `Content-Type: application/json` unless told otherwise, so the
//    documented value is passed as a header. The binary 200 is typed as
//    `string`; `parseAs: "arrayBuffer"` gets the bytes.
//  * 4xx: `error` is the JSON body, typed as ErrorBody; no exception.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const LIST = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows";
const SHOW = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/{workflow_id}";
const IMPORT = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/import";
const EXPORT = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/export";

type ListQuery = NonNullable<paths[typeof LIST]["get"]["parameters"]["query"]>;

interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

type Call =
  | { operation: "list_workflows"; query: ListQuery; expect: { total: number; ids: string[] } }
  | { operation: "show_workflow"; workflow_id: string; expect: { id: string } }
  | { operation: "export_workflows"; ids: string[]; output: string; expect: { format: string; ids: string[] } }
  | { operation: "import_workflows"; file: string; expect: { message: string } };

interface Cases {
  project_id: string;
  workspace_id: string;
  token: string;
  calls: Call[];
  error: ErrorAnswer;
}

function flags(argv: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === undefined || value === undefined || !flag.startsWith("--")) {
      throw new Error(`bad arguments near ${String(flag)}`);
    }
    found.set(flag, value);
  }
  return found;
}

/** What is wrong with the status and, for a 4xx, the error body. */
function checkStatus(status: number, error: unknown, want: ErrorAnswer | undefined): string[] {
  const problems: string[] = [];
  const wantStatus = want?.status ?? 200;
  if (status !== wantStatus) problems.push(`status ${status}, expected ${wantStatus}: ${JSON.stringify(error)}`);
  if (want !== undefined) {
    const got = (error ?? {}) as { code?: unknown; message?: unknown };
    if (got.code !== want.code || got.message !== want.message) {
      problems.push(`error ${JSON.stringify(error)}, expected ${JSON.stringify(want)}`);
    }
  }
  return problems;
}

async function main(): Promise<number> {
  const args = flags(process.argv.slice(2));
  const need = (name: string): string => {
    const v = args.get(name);
    if (v === undefined) throw new Error(`missing ${name}`);
    return v;
  };
  // JSON.parse answers `any`: the cases file is trusted to have this shape.
  const cases: Cases = JSON.parse(readFileSync(need("--cases"), "utf-8"));
  const scenario = need("--scenario");
  const workDir = need("--work-dir");
  const fault = scenario === "error" ? cases.error : undefined;
  const client = createClient<paths>({
    baseUrl: need("--base-url"),
    headers: { "X-Auth-Token": cases.token },
  });
  const path = { project_id: cases.project_id, workspace_id: cases.workspace_id };
  const signal = (): AbortSignal => AbortSignal.timeout(20_000);

  const failures: string[] = [];
  const done: string[] = [];
  for (const call of cases.calls) {
    // Answers are looked at once the status is the expected one.
    const ok = fault === undefined;
    const problems: string[] = [];
    switch (call.operation) {
      case "list_workflows": {
        const { data, error, response } = await client.GET(LIST, {
          params: { path, query: call.query },
          signal: signal(),
        });
        problems.push(...checkStatus(response.status, error, fault));
        const ids = (data?.data ?? []).map((w) => w.id);
        if (ok && problems.length === 0 && (data?.total !== call.expect.total || JSON.stringify(ids) !== JSON.stringify(call.expect.ids))) {
          problems.push(`total ${String(data?.total)}, ids ${JSON.stringify(ids)}, expected ${JSON.stringify(call.expect)}`);
        }
        break;
      }
      case "show_workflow": {
        const { data, error, response } = await client.GET(SHOW, {
          params: { path: { ...path, workflow_id: call.workflow_id } },
          signal: signal(),
        });
        problems.push(...checkStatus(response.status, error, fault));
        if (ok && problems.length === 0 && data?.data?.id !== call.expect.id) problems.push(`workflow ${JSON.stringify(data)}`);
        break;
      }
      case "import_workflows": {
        const file = new Blob([readFileSync(join(workDir, call.file))]);
        const { data, error, response } = await client.POST(IMPORT, {
          params: { path },
          // format: binary is typed as string: the Blob must be cast.
          body: { uploadFile: file as unknown as string },
          bodySerializer(body) {
            const form = new FormData();
            form.append("uploadFile", body.uploadFile as unknown as Blob, call.file);
            return form;
          },
          signal: signal(),
        });
        problems.push(...checkStatus(response.status, error, fault));
        if (ok && problems.length === 0 && (data?.success !== true || data.message !== call.expect.message || !data.request_id)) {
          problems.push(`answer ${JSON.stringify(data)}, expected success, message ${call.expect.message} and a request_id`);
        }
        break;
      }
      case "export_workflows": {
        const { data, error, response } = await client.POST(EXPORT, {
          params: { path },
          body: { id: call.ids },
          headers: { "Content-Type": "application/json;charset=UTF-8" },
          parseAs: "arrayBuffer",
          signal: signal(),
        });
        problems.push(...checkStatus(response.status, error, fault));
        if (ok && problems.length === 0) {
          if (data === undefined) {
            problems.push("no file");
            break;
          }
          const bytes = Buffer.from(data);
          writeFileSync(join(workDir, call.output), bytes);
          // JSON.parse answers `any`: the shape is what is checked here.
          const exported = JSON.parse(bytes.toString("utf-8")) as { format?: unknown; workflows?: { id?: unknown }[] };
          const ids = (exported.workflows ?? []).map((w) => w.id);
          if (exported.format !== call.expect.format || JSON.stringify(ids) !== JSON.stringify(call.expect.ids)) {
            problems.push(`exported ${String(exported.format)} with ids ${JSON.stringify(ids)}, expected ${JSON.stringify(call.expect)}`);
          }
        }
        break;
      }
    }
    failures.push(...problems.map((p) => `${call.operation}: ${p}`));
    done.push(call.operation);
  }
  for (const f of failures) console.error(`typescript client: ${f}`);
  if (failures.length === 0) {
    const how = fault === undefined ? "completed; the exported file was imported" : "answered 400 with the error body";
    console.log(`NOTE: typescript client (${scenario}, token): ${done.join(", ")} ${how}`);
  }
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`typescript client: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  },
);
