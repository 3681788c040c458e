import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * The seeded JSON-RPC fault injection of the executor's fault test (test/offchain/executor/faults.test.ts), shared
 * with the end-to-end bench (bench/e2e.ts) so that both spoil requests the same way.
 */

/** A seeded PRNG (mulberry32): the same seed replays the same faults, delays and kill points. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Shares of JSON-RPC requests the proxy spoils, each way. */
export interface FaultRates {
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

export type Fault = "refused" | "errored" | "lost" | "delayed" | "passed";

/** An HTTP proxy in front of a JSON-RPC node that spoils a seeded random share of requests. */
export async function startFaultyProxy(target: string, rand: () => number, rates: FaultRates) {
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

/** The shares the fault test spoils: a quarter of the requests (6% refused, 6% errors, 6% answers lost, 8% delayed). */
export const TEST_FAULT_RATES: Readonly<FaultRates> = {
  refuse: 0.06,
  error: 0.06,
  lose: 0.06,
  delay: 0.08,
  maxDelayMs: 2_500,
};

/** Executor settings of the fault test: short RPC timeouts and more retries, so spoilt requests are retried quickly. */
export const FAULT_EXECUTOR_SETTINGS = {
  maxBatchSize: 100,
  maxBatchAgeMs: 300,
  pollIntervalMs: 100,
  stuckAfterMs: 5_000,
  rpcTimeoutMs: 2_000,
  rpcRetries: 8,
  rpcRetryBaseMs: 20,
  rpcRetryMaxMs: 300,
} as const;
