import { expect } from "chai";
import { ConfigError } from "../../../src/node/config";
import { loadExecutorConfig } from "../../../src/executor/config";
import { SIGNATURES_ROUTE, resultCheckerOf, signaturesRoute } from "../../../src/executor/defaults";
import {
  HttpError,
  matchRoute,
  startIntakeServer,
  type IntakeServer,
  type RouteHandler,
} from "../../../src/executor/intake";
import type { ActionJob } from "../../../src/executor/types";
import { ExecutionMode } from "../../../src/sdk/economy";
import { http, silent } from "./helpers";

const HUB = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const BATCH = `0x${"ab".repeat(32)}`;
const SIG = (n: number) => `0x${n.toString(16).padStart(2, "0").repeat(65)}`;
const BASE_ENV = { ERA_EXECUTOR_RPC_URL: "http://x:1", ERA_EXECUTOR_CHAIN_ID: "1", ERA_EXECUTOR_EXECUTION_HUB: HUB };

const noop: RouteHandler = async () => undefined;

describe("executor route matching", function () {
  it("prefers an exact path, fills `:name` segments, and matches whole segments only", function () {
    const exact: RouteHandler = async () => undefined;
    const pattern: RouteHandler = async () => undefined;
    const routes = { "/a/:id/b": pattern, "/a/x/b": exact, "/cosign": noop };
    expect(matchRoute(routes, "/a/x/b")).to.deep.equal({ handler: exact, params: {} });
    expect(matchRoute(routes, "/a/y%2Fz/b")).to.deep.equal({ handler: pattern, params: { id: "y/z" } });
    expect(matchRoute(routes, "/cosign")?.handler).to.equal(noop);
    for (const miss of ["/a//b", "/a/y/b/c", "/a/y", "/cosign/x", "/a/%E0%A4%A/b", "/toString", "/"]) {
      expect(matchRoute(routes, miss), miss).to.equal(undefined);
    }
  });
});

describe("GET /lightweight/batches/:batchId/signatures", function () {
  let server: IntakeServer;
  const actions = new Map<string, ActionJob[]>();

  before(async function () {
    const action = (nonce: number): ActionJob => ({
      kind: "action",
      scenarioId: 3n,
      user: "0x00000000000000000000000000000000000000AA",
      nonce,
      payload: 1n,
      signature: SIG(nonce),
    });
    actions.set(BATCH, [action(2), action(1)]);
    server = await startIntakeServer({
      host: "127.0.0.1",
      port: 0,
      service: { accept: async () => [], job: () => undefined, list: () => ({ jobs: [] }) },
      maxRequestBytes: 4_096,
      maxJobsPerRequest: 3,
      logger: silent,
      routes: {
        [SIGNATURES_ROUTE]: signaturesRoute({
          lightweightActions: (batchId, mode) => (mode === ExecutionMode.Lightweight ? actions.get(batchId) : []),
        }),
        "/teapot/:x": async () => {
          throw new HttpError(418, "teapot", "A route may answer with an HttpError.");
        },
      },
    });
  });

  after(async function () {
    await server.close();
  });

  const get = (path: string, method: "GET" | "POST" = "GET") =>
    http<{ batchId?: string; signatures?: unknown[]; error?: { code: string; message: string } }>(
      method,
      `${server.url}${path}`,
    );

  it("answers the signatures in batch order, for an id in any case", async function () {
    const res = await get(`/lightweight/batches/${BATCH.toUpperCase().replace("0X", "0x")}/signatures`);
    expect(res).to.deep.equal({ status: 200, body: { batchId: BATCH, signatures: [SIG(2), SIG(1)] } });
  });

  it("answers 404 with a JSON error for a batch it does not hold, 400 for a malformed id, 405 for POST", async function () {
    const unknown = `0x${"cd".repeat(32)}`;
    const missing = await get(`/lightweight/batches/${unknown}/signatures`);
    expect(missing.status).to.equal(404);
    expect(missing.body.error?.code).to.equal("not_found");
    expect(missing.body.error?.message).to.match(new RegExp(`^No lightweight batch ${unknown} in this executor`));
    for (const bad of ["0x1234", "latest", `${BATCH}00`, BATCH.slice(2)]) {
      const res = await get(`/lightweight/batches/${bad}/signatures`);
      expect([res.status, res.body.error?.code], bad).to.deep.equal([400, "invalid"]);
      expect(res.body.error?.message).to.match(/^batchId: must be a batch id, 0x and 64 hex digits/);
    }
    const post = await get(`/lightweight/batches/${BATCH}/signatures`, "POST");
    expect([post.status, post.body.error?.code]).to.deep.equal([405, "method_not_allowed"]);
  });

  it("answers a route's HttpError as JSON, and leaves other paths to the job API", async function () {
    expect(await get("/teapot/1")).to.deep.equal({
      status: 418,
      body: { error: { code: "teapot", message: "A route may answer with an HttpError." } },
    });
    const other = await get("/lightweight/batches");
    expect([other.status, other.body.error?.code]).to.deep.equal([404, "not_found"]);
  });
});

describe("executor mode settings", function () {
  const error = (fn: () => unknown): ConfigError => {
    try {
      fn();
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      return e as ConfigError;
    }
    throw new Error("no error");
  };

  it("reads peers and a mode policy as text (flags, variables) or JSON objects (a file), with defaults when unset", function () {
    const defaults = loadExecutorConfig({ env: BASE_ENV });
    expect(defaults.peers.size).to.equal(0);
    expect(defaults.modePolicy.size).to.equal(0);
    expect(defaults.journalRetentionSeconds).to.equal(undefined);
    const fromEnv = loadExecutorConfig({
      env: {
        ...BASE_ENV,
        ERA_EXECUTOR_PEERS: "2=http://node-2:7300/, 3=http://node-3:7300",
        ERA_EXECUTOR_MODE_POLICY: '{"3": {"high": 500, "low": 50, "minDwellMs": 600000}}',
      },
    });
    expect([...fromEnv.peers]).to.deep.equal([
      [2n, "http://node-2:7300"],
      [3n, "http://node-3:7300"],
    ]);
    expect([...fromEnv.modePolicy]).to.deep.equal([[3n, { high: 500, low: 50, minDwellMs: 600_000 }]]);
    const fromFlags = loadExecutorConfig({
      env: BASE_ENV,
      flags: { peers: { "2": "https://b.example" }, modePolicy: { "7": { high: 2, low: 0, minDwellMs: 0 } } },
    });
    expect(fromFlags.peers.get(2n)).to.equal("https://b.example");
    expect(fromFlags.modePolicy.get(7n)).to.deep.equal({ high: 2, low: 0, minDwellMs: 0 });
  });

  it("names the bad setting and says how to write it", function () {
    const load = (env: Record<string, string>) => () => loadExecutorConfig({ env: { ...BASE_ENV, ...env } });
    const peer = error(load({ ERA_EXECUTOR_PEERS: "two=http://b:1" }));
    expect(peer.key).to.equal("peers");
    expect(peer.message).to.contain(
      '"two=http://b:1" is not "<node id>=<http(s) URL>"; write e.g. 1=http://node-1:8080',
    );
    const cases: [string, RegExp][] = [
      ["{oops", /must be JSON such as \{"3": \{"high": 500/],
      ["[1]", /must map scenario ids to \{high, low, minDwellMs\}/],
      ['{"x": {"high": 2, "low": 1, "minDwellMs": 0}}', /"x" is not a scenario id/],
      ['{"3": {"high": 2, "low": 1}}', /scenario 3: minDwellMs .*; write \{"high": 500/],
      [
        '{"3": {"high": 5, "low": 5, "minDwellMs": 0}}',
        /scenario 3: high must be a whole number above low \(5\), got 5/,
      ],
      ['{"3": {"high": 5, "low": 1, "minDwellMs": 0, "hi": 1}}', /scenario 3: .*hi/],
    ];
    for (const [policy, message] of cases) {
      const e = error(load({ ERA_EXECUTOR_MODE_POLICY: policy }));
      expect([e.key, e.origin], policy).to.deep.equal(["modePolicy", "ERA_EXECUTOR_MODE_POLICY"]);
      expect(e.message, policy).to.match(message);
    }
    const retention = error(load({ ERA_EXECUTOR_JOURNAL_RETENTION_SECONDS: "0" }));
    expect(retention.key).to.equal("journalRetentionSeconds");
  });
});

describe("the co-signing result check (resultCheckUrl)", function () {
  const input = {
    scenarioId: 2n,
    subjectId: `0x${"01".repeat(32)}`,
    resultHash: `0x${"02".repeat(32)}`,
    requester: { nodeId: 1n, key: "0x00000000000000000000000000000000000000AA" },
  };
  const answering = (status: number, body: unknown, seen: unknown[] = []) =>
    (async (_url: string | URL | Request, init?: RequestInit) => {
      seen.push(JSON.parse(String(init?.body)));
      return new Response(JSON.stringify(body), { status });
    }) as typeof fetch;
  const config = { resultCheckUrl: "http://check.local/verify", resultCheckTimeoutMs: 1_000 };

  it("signs only what the check confirms, asking it with the result and the requester", async function () {
    const seen: unknown[] = [];
    expect(await resultCheckerOf(config, answering(200, { valid: true }, seen)).check(input)).to.equal(undefined);
    expect(seen).to.deep.equal([
      { scenarioId: "2", subjectId: input.subjectId, resultHash: input.resultHash, requesterNodeId: "1" },
    ]);
    const no = await resultCheckerOf(config, answering(200, { valid: false, reason: "not shipped yet" })).check(input);
    expect(no).to.equal("not shipped yet");
  });

  it("refuses when no check is configured, or the check cannot be made", async function () {
    const none = await resultCheckerOf({ resultCheckTimeoutMs: 1_000 }).check(input);
    expect(none).to.match(/no result check configured \(resultCheckUrl\), so it co-signs nothing/);
    const broken = await resultCheckerOf(config, answering(500, { error: "down" })).check(input);
    expect(broken).to.match(/could not check the result \(http:\/\/check\.local\/verify answered 500/);
    const odd = await resultCheckerOf(config, answering(200, { valid: "yes" })).check(input);
    expect(odd).to.match(/answered 200 without \{"valid": true\|false\}/);
    const unreachable = await resultCheckerOf(config, (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch).check(input);
    expect(unreachable).to.match(/could not check the result \(http:\/\/check\.local\/verify: .*fetch failed/);
  });
});
