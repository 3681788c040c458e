import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ethers } from "hardhat";
import {
  CosignClient,
  createCosignHandler,
  defaultResultChecker,
  serveCosignHttp,
  type CosignHandler,
  type ResultChecker,
} from "../../../src/executor/cosign";
import { NotarizedHandler } from "../../../src/executor/modes/notarized";
import type { ResultJob } from "../../../src/executor/types";
import { ENTERPRISE, contextOf, modesFixture, type ModesFixture } from "./helpers";

/** Scenario 2 (enterprise, notarized) served by nodes 1, 2 and 3 with a 2-of-3 quorum. */
export async function twoOfThreeFixture(): Promise<ModesFixture> {
  const f = await modesFixture();
  await f.scenarioRegistry.connect(f.developer).addServingNode(ENTERPRISE, 2);
  await f.scenarioRegistry.connect(f.developer).addServingNode(ENTERPRISE, 3);
  await f.scenarioRegistry.connect(f.developer).setQuorum(ENTERPRISE, 2);
  return f;
}

/** A result job of scenario 2, with ids derived from `label`. */
export const resultJob = (label: string, scenarioId = ENTERPRISE): ResultJob => ({
  kind: "result",
  scenarioId,
  subjectId: ethers.id(`subject ${label}`),
  resultHash: ethers.id(`result ${label}`),
});

/** A checker that confirms the results in `known` (as `resultHash|subjectId`) and no other. */
export function knownResults(known: Set<string>): ResultChecker {
  return defaultResultChecker((resultHash, subjectId) => known.has(`${resultHash}|${subjectId}`));
}

/** Marks `job`'s result as one the peers can confirm. */
export const vouch = (known: Set<string>, job: ResultJob) => known.add(`${job.resultHash}|${job.subjectId}`);

/** The co-signing handler of node `nodeId` (2 or 3) with `checker`. */
export function peerHandler(f: ModesFixture, nodeId: 2n | 3n, checker: ResultChecker): CosignHandler {
  return createCosignHandler({ ...contextOf(f, nodeId), signer: f.keys[Number(nodeId) - 1], checker });
}

/** A running HTTP server on a free port. */
export interface Peer {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Peer> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves `handler` at `POST /cosign`, as an executor's HTTP server does. */
export function servePeer(handler: CosignHandler): Promise<Peer> {
  return listen(
    createServer((req, res) => {
      if (req.url !== "/cosign") res.writeHead(404).end();
      else void serveCosignHttp(handler, req, res);
    }),
  );
}

/** A peer that takes requests and never answers. */
export function silentPeer(): Promise<Peer> {
  return listen(createServer(() => undefined));
}

/** Node 1's co-signing client, asking the peers at `urls` (node id → URL). */
export function clientOf(f: ModesFixture, urls: Record<number, string>, timeoutMs = 2_000): CosignClient {
  const peers = new Map(Object.entries(urls).map(([id, url]) => [BigInt(id), url]));
  return new CosignClient({ ...contextOf(f), signer: f.keys[0], peers, timeoutMs });
}

/** Results of one subject, one per status, in order, each vouched for by the peers. */
export function subjectResults(known: Set<string>, subject: string, ...statuses: string[]): ResultJob[] {
  return statuses.map((status) => {
    const job = { ...resultJob(subject), resultHash: ethers.id(`${subject}: ${status}`) };
    vouch(known, job);
    return job;
  });
}

/** Node 1's notarized handler with its co-signing client. */
export function notarizedHandlerOf(f: ModesFixture, client: CosignClient, maxBatchSize?: number): NotarizedHandler {
  return new NotarizedHandler({ ...contextOf(f), cosigner: client, maxBatchSize });
}

/** Runs `fn` with peers started, closing them afterwards whatever happens. */
export async function withPeers<T>(peers: Promise<Peer>[], fn: (peers: Peer[]) => Promise<T>): Promise<T> {
  const started = await Promise.all(peers);
  try {
    return await fn(started);
  } finally {
    await Promise.all(started.map((p) => p.close()));
  }
}

export { modesFixture };
