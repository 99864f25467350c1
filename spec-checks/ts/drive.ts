// The cases' calls with openapi-fetch, typed by the `paths` that
// openapi-typescript generated from the document (./schema.d.ts, written
// next to this file under .tools/ by `cargo xtask spec`), against the
// simulator (secmaster-sim); checks what comes back: in the `ok` scenario
// what the cases expect of the simulator's answers (the export is written to
// the work folder, and that file is imported), in the `error` scenario the
// injected 400's code and message.
//
// Generic over simple JSON GETs: openapi-fetch's GET is called with the
// path template the cases file gives for the operation (read from the
// document) and the case's path and query values, with no code for the
// operation; such a call is not type-checked against the generated types,
// which follow a literal path only. Export and import have code of their own
// (`perOperation`), type-checked. Before any call, an operation of the
// document or of the cases without a way to call it fails the run, each
// named: `drive.ts: no way to call <operationId>`.
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
//  * Query: `params.query` is typed from the parameters (enums as string
//    unions) when the path is a literal. The default query serializer
//    writes the pairs in the order of the object's keys and encodes with
//    encodeURIComponent: a space is %20, but ! ' ( ) * stay as they are
//    (RFC 3986 encoding, which the Rust client and the SDK use, encodes
//    them).
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

const IMPORT = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/import";
const EXPORT = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/export";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

/** What the cases file says of an operation of the document. */
interface Operation {
  operation: string;
  method: string;
  template: string;
  simple_get: boolean;
}

interface Call {
  operation: string;
  path: { [name: string]: string };
  query: { [name: string]: Json };
  ids?: string[];
  file?: string;
  expect: Json;
}

interface Cases {
  token: string;
  operations: Operation[];
  calls: Call[];
  error: ErrorAnswer;
}

/** What openapi-fetch hands back. */
interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The client as the generic GET sees it: a path read at run time has no
 * type of its own in `paths`. */
interface UntypedGet {
  GET(url: string, init: { params: { path: Call["path"]; query: Call["query"] }; signal: AbortSignal }): Promise<Answer>;
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

/** Where a JSON answer differs from what a case expects of it: an object
 * must hold every expected field (and may hold more), an array exactly the
 * expected items, anything else the expected value. */
function differences(answer: unknown, expected: Json, at = "answer"): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(answer) || answer.length !== expected.length) {
      return [`${at} is ${JSON.stringify(answer)}, expected ${expected.length} items`];
    }
    return expected.flatMap((e, i) => differences(answer[i], e, `${at}[${i}]`));
  }
  if (expected !== null && typeof expected === "object") {
    if (answer === null || typeof answer !== "object" || Array.isArray(answer)) {
      return [`${at} is ${JSON.stringify(answer)}, expected an object`];
    }
    const got = answer as { [key: string]: unknown };
    return Object.entries(expected).flatMap(([k, v]) => (k in got ? differences(got[k], v, `${at}.${k}`) : [`${at} has no ${k}`]));
  }
  return answer === expected ? [] : [`${at} is ${JSON.stringify(answer)}, expected ${JSON.stringify(expected)}`];
}

/** The project and workspace of a case, as the typed calls name them. */
function workspacePath(call: Call): { project_id: string; workspace_id: string } {
  const { project_id, workspace_id } = call.path;
  if (project_id === undefined || workspace_id === undefined) throw new Error(`${call.operation}: no project_id or workspace_id in the case's path`);
  return { project_id, workspace_id };
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
  const signal = (): AbortSignal => AbortSignal.timeout(20_000);
  /** The status's problems, then (once it is the expected 200) `check`'s. */
  const judge = (answer: Answer, check: () => string[]): string[] => {
    const problems = checkStatus(answer.response.status, answer.error, fault);
    return problems.length === 0 && fault === undefined ? check() : problems;
  };

  const simpleGets = new Map(cases.operations.filter((op) => op.simple_get).map((op) => [op.operation, op.template]));
  const untyped = client as unknown as UntypedGet;
  /** Any simple JSON GET: the document's path template, the case's values. */
  const get = async (call: Call): Promise<string[]> => {
    const answer = await untyped.GET(simpleGets.get(call.operation) ?? "", { params: { path: call.path, query: call.query }, signal: signal() });
    return judge(answer, () => differences(answer.data, call.expect));
  };

  /** The operations with code of their own; the document's other simple
   * JSON GETs are called by `get`, with none. */
  const perOperation = new Map<string, (call: Call) => Promise<string[]>>([
    [
      "import_workflows",
      async (call) => {
        const name = call.file ?? "";
        const file = new Blob([readFileSync(join(workDir, name))]);
        const answer = await client.POST(IMPORT, {
          params: { path: workspacePath(call) },
          // format: binary is typed as string: the Blob must be cast.
          body: { uploadFile: file as unknown as string },
          bodySerializer(body) {
            const form = new FormData();
            form.append("uploadFile", body.uploadFile as unknown as Blob, name);
            return form;
          },
          signal: signal(),
        });
        return judge(answer, () => [
          ...differences(answer.data, call.expect),
          ...(answer.data?.request_id ? [] : [`no request_id in ${JSON.stringify(answer.data)}`]),
        ]);
      },
    ],
    [
      "export_workflows",
      async (call) => {
        const answer = await client.POST(EXPORT, {
          params: { path: workspacePath(call) },
          body: { id: call.ids ?? [] },
          headers: { "Content-Type": "application/json;charset=UTF-8" },
          parseAs: "arrayBuffer",
          signal: signal(),
        });
        return judge(answer, () => {
          if (answer.data === undefined) return ["no file"];
          const bytes = Buffer.from(answer.data);
          writeFileSync(join(workDir, call.file ?? ""), bytes);
          // JSON.parse answers `any`: the shape is what is checked here.
          const exported = JSON.parse(bytes.toString("utf-8")) as { format?: unknown; workflows?: { id?: unknown }[] };
          return differences({ format: exported.format, ids: (exported.workflows ?? []).map((w) => w.id) }, call.expect);
        });
      },
    ],
  ]);
  const way = (op: string): ((call: Call) => Promise<string[]>) | undefined => perOperation.get(op) ?? (simpleGets.has(op) ? get : undefined);

  const needed = new Set([...cases.operations.map((op) => op.operation), ...cases.calls.map((c) => c.operation)]);
  const missing = [...needed].filter((op) => way(op) === undefined);
  for (const op of missing) console.error(`drive.ts: no way to call ${op}`);
  if (missing.length > 0) return 1;

  const failures: string[] = [];
  const done: string[] = [];
  for (const call of cases.calls) {
    const problems = (await way(call.operation)?.(call)) ?? [];
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
