import { expect } from "chai";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runExecutor, type ExecutorHandle } from "../../../src/executor/run";
import { silent, testConfig } from "./helpers";
import { startLocalChain, type LocalChain } from "./localChain";
import { expectExactlyOnce, postUntilAcknowledged, prng, seedFrom, soakSetup } from "./soak";

const JOBS = Number(process.env.FAULT_JOBS ?? 800);

/** Shares of JSON-RPC requests the proxy spoils, each way. */
interface FaultRates {
  /** Connection dropped before the request reaches the node. */
  refuse: number;
  /** Answered with an error (HTTP 503 or a JSON-RPC internal error) without reaching the node. */
  error: number;
  /** Forwarded, then the connection dropped: the node acted, the answer is lost. */
  lose: number;
  /** Forwarded after a delay of up to `maxDelayMs` (past the client's timeout at times). */
  delay: number;
  maxDelayMs: number;
}

type Fault = "refused" | "errored" | "lost" | "delayed" | "passed";

/** An HTTP proxy in front of a JSON-RPC node that spoils a seeded random share of requests. */
async function startFaultyProxy(target: string, rand: () => number, rates: FaultRates) {
  const stats: Record<Fault, number> = { refused: 0, errored: 0, lost: 0, delayed: 0, passed: 0 };
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks).toString("utf8");
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      let r = rand();
      const pick = (share: number) => (r < share ? true : ((r -= share), false));
      if (pick(rates.refuse)) {
        stats.refused++;
        req.socket.destroy();
        return;
      }
      if (pick(rates.error)) {
        stats.errored++;
        if (rand() < 0.5) {
          res.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable");
          return;
        }
        const request = JSON.parse(body) as { id: number } | { id: number }[];
        const fail = (one: { id: number }) => ({
          jsonrpc: "2.0",
          id: one.id,
          error: { code: -32603, message: "Internal error" },
        });
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify(Array.isArray(request) ? request.map(fail) : fail(request)));
        return;
      }
      const lose = pick(rates.lose);
      if (!lose && pick(rates.delay)) {
        stats.delayed++;
        await sleep(rand() * rates.maxDelayMs);
      }
      const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
      const text = await upstream.text();
      if (lose) {
        stats.lost++;
        req.socket.destroy();
        return;
      }
      stats.passed++;
      res.writeHead(upstream.status, { "content-type": "application/json" }).end(text);
    })().catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("executor RPC fault test: dropped, delayed and failed requests, nothing lost, nothing doubled", function () {
  this.timeout(900_000);
  let chain: LocalChain;
  let exec: ExecutorHandle | undefined;
  let proxy: Awaited<ReturnType<typeof startFaultyProxy>> | undefined;

  before(async function () {
    chain = await startLocalChain();
  });

  after(async function () {
    await exec?.close();
    await proxy?.close();
    await chain?.stop();
  });

  it(`${JOBS} standard-mode jobs through a proxy that spoils a quarter of the RPC requests`, async function () {
    const rand = prng(seedFrom("FAULT_SEED"));
    const started = Date.now();
    const { nodeKey, scenarioId, jobs } = await soakSetup(chain, "faults", JOBS);
    proxy = await startFaultyProxy(chain.url, rand, {
      refuse: 0.06,
      error: 0.06,
      lose: 0.06,
      delay: 0.08,
      maxDelayMs: 2_500,
    });
    exec = await runExecutor(
      testConfig({
        rpcUrl: proxy.url,
        executionHub: undefined,
        deployment: chain.deployment,
        journal: join(chain.dir, "faults.sqlite"),
        maxBatchSize: 100,
        maxBatchAgeMs: 300,
        pollIntervalMs: 100,
        stuckAfterMs: 5_000,
        rpcTimeoutMs: 2_000,
        rpcRetries: 8,
        rpcRetryBaseMs: 20,
        rpcRetryMaxMs: 300,
      }),
      { logger: silent, env: { ERA_EXECUTOR_NODE_KEY: nodeKey.privateKey } },
    );
    const api = exec.apiUrl;
    const ids = await postUntilAcknowledged(async () => api, jobs, { chunk: 50, pauseMs: () => rand() * 200 });
    const { batches } = await expectExactlyOnce(chain, api, scenarioId, jobs, ids);
    const metrics = await (await fetch(`${exec.opsUrl}/metrics`)).text();
    const rpcErrors = [...metrics.matchAll(/^era_executor_rpc_errors_total\{[^}]*\} (\d+)$/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    const { stats } = proxy;
    expect(stats.refused + stats.errored + stats.lost, "faults injected").to.be.greaterThan(20);
    expect(rpcErrors, "RPC errors counted").to.be.greaterThan(0);
    console.log(
      `      ${JOBS} jobs in ${batches} batches; proxy ${JSON.stringify(stats)}; ${rpcErrors} RPC errors counted; ` +
        `${Math.round((Date.now() - started) / 1000)} s`,
    );
  });
});
