// The cases' calls (list, show, import, export) with openapi-fetch, typed by
// the `paths` that openapi-typescript generated from the document
// (./schema.d.ts, written next to this file under .tools/ by
// `cargo xtask spec`), against the recorder; checks what comes back.
//
//   node drive.js --cases C --scenario ok|error --base-url U
//
// What the TypeScript tool chain does with this document (observed with
// openapi-typescript 7.13.0 + openapi-fetch 0.17.0):
//  * Token: security schemes produce no types and no code. The token is
//    configuration: `createClient({ headers: { "X-Auth-Token": token } })`.
//    AK/SK signing would have to be a middleware written by hand.
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
import { readFileSync } from "node:fs";
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const LIST = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows";
const SHOW = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/{workflow_id}";
const IMPORT = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/import";
const EXPORT = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/export";

type ListQuery = NonNullable<paths[typeof LIST]["get"]["parameters"]["query"]>;

interface Answer {
  status: number;
  content_type: string;
  json?: Record<string, unknown>;
  hex?: string;
}

type Call =
  | { operation: "list_workflows"; query: ListQuery }
  | { operation: "show_workflow"; workflow_id: string }
  | { operation: "import_workflows"; file: string; file_name: string }
  | { operation: "export_workflows"; ids: string[] };

interface Cases {
  project_id: string;
  workspace_id: string;
  token: string;
  calls: Call[];
  answers: Record<string, Record<string, Answer>>;
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
function checkStatus(status: number, error: unknown, answer: Answer): string[] {
  const problems: string[] = [];
  if (status !== answer.status) problems.push(`status ${status}, expected ${answer.status}`);
  if (answer.status >= 400) {
    const want = answer.json ?? {};
    const got = (error ?? {}) as { code?: unknown; message?: unknown };
    if (got.code !== want["code"] || got.message !== want["message"]) {
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
  const answers = cases.answers[scenario];
  if (answers === undefined) throw new Error(`no answers for ${scenario}`);
  const client = createClient<paths>({
    baseUrl: need("--base-url"),
    headers: { "X-Auth-Token": cases.token },
  });
  const path = { project_id: cases.project_id, workspace_id: cases.workspace_id };
  const signal = (): AbortSignal => AbortSignal.timeout(20_000);

  const failures: string[] = [];
  const done: string[] = [];
  for (const call of cases.calls) {
    const answer = answers[call.operation];
    if (answer === undefined) throw new Error(`no answer for ${call.operation}`);
    const ok = answer.status < 400;
    const problems: string[] = [];
    switch (call.operation) {
      case "list_workflows": {
        const { data, error, response } = await client.GET(LIST, {
          params: { path, query: call.query },
          signal: signal(),
        });
        problems.push(...checkStatus(response.status, error, answer));
        const want = (answer.json?.["data"] as { id: string }[] | undefined)?.[0]?.id;
        if (ok && data?.data?.[0]?.id !== want) problems.push(`first workflow ${JSON.stringify(data)}, expected id ${want}`);
        break;
      }
      case "show_workflow": {
        const { data, error, response } = await client.GET(SHOW, {
          params: { path: { ...path, workflow_id: call.workflow_id } },
          signal: signal(),
        });
        problems.push(...checkStatus(response.status, error, answer));
        if (ok && data?.data?.id !== call.workflow_id) problems.push(`workflow ${JSON.stringify(data)}`);
        break;
      }
      case "import_workflows": {
        const file = new Blob([readFileSync(call.file)]);
        const { data, error, response } = await client.POST(IMPORT, {
          params: { path },
          // format: binary is typed as string: the Blob must be cast.
          body: { uploadFile: file as unknown as string },
          bodySerializer(body) {
            const form = new FormData();
            form.append("uploadFile", body.uploadFile as unknown as Blob, call.file_name);
            return form;
          },
          signal: signal(),
        });
        problems.push(...checkStatus(response.status, error, answer));
        if (ok && data?.request_id !== answer.json?.["request_id"]) problems.push(`answer ${JSON.stringify(data)}`);
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
        problems.push(...checkStatus(response.status, error, answer));
        if (ok) {
          const expected = Buffer.from(answer.hex ?? "", "hex");
          if (data === undefined || !Buffer.from(data).equals(expected)) {
            problems.push(`file bytes differ from the ${expected.length} served`);
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
    console.log(`NOTE: typescript client (${scenario}): ${done.join(", ")} answered as documented`);
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
