// One export call with openapi-fetch, typed by the `paths` that
// openapi-typescript generated from the document (./schema.d.ts, written
// next to this file under .tools/ by `cargo xtask spec`).
//
// What the TypeScript tool chain does with this document (observed with
// openapi-typescript 7.13.0 + openapi-fetch 0.17.0):
//  * Token: security schemes produce no types and no code. The token is
//    configuration: `createClient({ headers: { "X-Auth-Token": token } })`
//    (or a middleware that sets it per request). AK/SK signing would have to
//    be a middleware written by hand.
//  * Request: path values go through encodeURIComponent; the body is typed
//    from the `application/json;charset=UTF-8` media type and serialized with
//    JSON.stringify, but openapi-fetch sends `Content-Type: application/json`
//    unless told otherwise, so the documented value is passed as a header.
//  * Binary 200: typed as `string` (format: binary has no TS type of its
//    own); openapi-fetch parses bodies as JSON by default, so the call uses
//    `parseAs: "arrayBuffer"` (or "blob" / "stream") to get the bytes.
//  * 400: `error` is the JSON body, typed as ErrorBody ({code?, message?,
//    error_code?, error_msg?}); openapi-fetch does not throw on it.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

interface Args {
  baseUrl: string;
  projectId: string;
  workspaceId: string;
  token: string;
  ids: string[];
  expectStatus: number;
  expectBodyHex: string | undefined;
  expectCode: string | undefined;
  expectMessage: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const single = new Map<string, string>();
  const ids: string[] = [];
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === undefined || value === undefined || !flag.startsWith("--")) {
      throw new Error(`bad arguments near ${String(flag)}`);
    }
    if (flag === "--id") {
      ids.push(value);
    } else {
      single.set(flag, value);
    }
  }
  const need = (name: string): string => {
    const v = single.get(name);
    if (v === undefined) throw new Error(`missing ${name}`);
    return v;
  };
  if (ids.length === 0) throw new Error("missing --id");
  return {
    baseUrl: need("--base-url"),
    projectId: need("--project-id"),
    workspaceId: need("--workspace-id"),
    token: need("--token"),
    ids,
    expectStatus: Number(need("--expect-status")),
    expectBodyHex: single.get("--expect-body-hex"),
    expectCode: single.get("--expect-code"),
    expectMessage: single.get("--expect-message"),
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const client = createClient<paths>({
    baseUrl: args.baseUrl,
    headers: { "X-Auth-Token": args.token },
  });
  const { data, error, response } = await client.POST(
    "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/export",
    {
      params: { path: { project_id: args.projectId, workspace_id: args.workspaceId } },
      body: { id: args.ids },
      headers: { "Content-Type": "application/json;charset=UTF-8" },
      parseAs: "arrayBuffer",
      signal: AbortSignal.timeout(20_000),
    },
  );

  const failures: string[] = [];
  if (response.status !== args.expectStatus) {
    failures.push(`status ${response.status}, expected ${args.expectStatus}`);
  }
  if (args.expectBodyHex !== undefined) {
    const expected = Buffer.from(args.expectBodyHex, "hex");
    if (data === undefined) {
      failures.push("no data for a 200");
    } else {
      const got = Buffer.from(data);
      if (!got.equals(expected)) {
        failures.push(`file bytes differ: got ${got.toString("hex")}, expected ${args.expectBodyHex}`);
      } else {
        console.log(`NOTE: typescript client returned an ArrayBuffer with the ${got.length} exact bytes served`);
      }
    }
  }
  if (args.expectCode !== undefined || args.expectMessage !== undefined) {
    if (error === undefined) {
      failures.push(`no error for a ${response.status}`);
    } else {
      if (error.code !== args.expectCode) failures.push(`error.code ${String(error.code)}, expected ${String(args.expectCode)}`);
      if (error.message !== args.expectMessage) {
        failures.push(`error.message ${String(error.message)}, expected ${String(args.expectMessage)}`);
      }
      if (failures.length === 0) {
        console.log(`NOTE: typescript client returned error {code: ${String(error.code)}, message: ${String(error.message)}}`);
      }
    }
  }
  for (const f of failures) console.error(`typescript client: ${f}`);
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
