import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { AbiCoder, id as textId, keccak256, ZeroHash, type TypedDataDomain, type Wallet } from "ethers";
import { settlementOf } from "../executor/modes/settlement";
import type { ActionJob, ResultJob, SettlementJob } from "../executor/types";
import { hashlockOf, payersOf, randomId, signAction, signSettlement } from "../sdk/execution";

/** Shipment states an enterprise node can recompute a result for (the demo's "subject data"). */
export const SHIPMENT_STATES = ["packed", "shipped", "delivered"] as const;

/** The result hash of a shipment in `state`: what the executing node and its co-signers both compute. */
export function shipmentResult(subjectId: string, state: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [subjectId, textId(state)]));
}

/**
 * The nodes' own check of a result before they co-sign it (the executors' `resultCheckUrl`): recomputes the result
 * from the shipment's data and answers `{"valid": true}` only when it matches one of the shipment's states.
 */
export async function startResultCheckServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      let answer: { valid: boolean; reason?: string };
      try {
        const q = JSON.parse(body) as { subjectId: string; resultHash: string };
        answer = SHIPMENT_STATES.some((s) => shipmentResult(q.subjectId, s) === q.resultHash)
          ? { valid: true }
          : { valid: false, reason: "no state of this shipment gives that result" };
      } catch {
        answer = { valid: false, reason: "the request is not the JSON of a result check" };
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/check`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** How much work the demo puts through the executors. */
export interface WorkloadSize {
  /** Users who like (each signs its actions). */
  users: number;
  /** Likes in each phase of the lightweight scenario: standard, then lightweight, then standard again. */
  likes: [number, number, number];
  /** Atomic settlements (one transaction each, batched). */
  atomicSettlements: number;
  /** Settlement locks committed with their preimage (multi-transaction: lock, then commit). */
  committedLocks: number;
  /** Shipments notarized by the enterprise scenario, each through every state (a trail of 3 records). */
  shipments: number;
  /** Parties of the settlements, each with ERA in escrow. */
  parties: number;
}

export const WORKLOADS: Record<"full" | "small", WorkloadSize> = {
  full: {
    users: 40,
    likes: [150, 600, 150],
    atomicSettlements: 60,
    committedLocks: 4,
    shipments: 4,
    parties: 6,
  },
  small: { users: 6, likes: [8, 16, 8], atomicSettlements: 6, committedLocks: 1, shipments: 2, parties: 3 },
};

/** Signs likes of `users` for `scenarioId`, round robin, taking each user's next nonce from `nonces`. */
export async function likes(
  users: readonly Wallet[],
  nonces: Map<string, number>,
  hubDomain: TypedDataDomain,
  scenarioId: bigint,
  count: number,
): Promise<ActionJob[]> {
  const jobs: ActionJob[] = [];
  for (let i = 0; i < count; i++) {
    const user = users[i % users.length];
    const nonce = (nonces.get(user.address) ?? 0) + 1;
    nonces.set(user.address, nonce);
    // The payload is the liked post's id.
    const fields = { scenarioId, user: user.address, nonce, payload: BigInt(1 + ((i * 7) % 1_000)) };
    jobs.push({ kind: "action", ...fields, signature: await signAction(user, hubDomain, fields) });
  }
  return jobs;
}

/** A settlement job signed by each of its payers. */
export async function settlement(
  engineDomain: TypedDataDomain,
  scenarioId: bigint,
  parties: readonly Wallet[],
  legs: { from: number; to: number; amount: bigint }[],
  token: string,
  deadline: bigint,
  lock?: { preimage?: string },
): Promise<SettlementJob> {
  const preimage = lock ? (lock.preimage ?? textId(`never revealed ${randomId()}`)) : undefined;
  const job: SettlementJob = {
    kind: "settlement",
    scenarioId,
    path: lock ? "lock" : "atomic",
    id: randomId(),
    legs: legs.map((l) => ({ payer: parties[l.from].address, payee: parties[l.to].address, token, amount: l.amount })),
    deadline,
    hashlock: preimage ? hashlockOf(preimage) : ZeroHash,
    signatures: [],
    ...(lock?.preimage ? { preimage: lock.preimage } : {}),
  };
  const byAddress = new Map(parties.map((p) => [p.address, p]));
  const fields = settlementOf(job);
  for (const payer of payersOf(fields.legs)) {
    job.signatures.push(await signSettlement(byAddress.get(payer)!, engineDomain, fields));
  }
  return job;
}

/** Legs of the `i`-th atomic settlement: a payment, and every third one a netted pair of legs. */
export function atomicLegs(i: number, parties: number, unit: bigint): { from: number; to: number; amount: bigint }[] {
  const from = i % parties;
  const to = (i + 1) % parties;
  const amount = unit * BigInt(1 + (i % 5));
  if (i % 3 !== 2) return [{ from, to, amount }];
  return [
    { from, to, amount },
    { from: to, to: from, amount: amount / 2n },
  ];
}

/** Results of `shipments` shipments, each through every state, in order. */
export function shipmentResults(scenarioId: bigint, shipments: number, tag: string): ResultJob[] {
  const jobs: ResultJob[] = [];
  for (let s = 0; s < shipments; s++) {
    const subjectId = textId(`shipment ${tag}-${s + 1}`);
    for (const state of SHIPMENT_STATES) {
      jobs.push({ kind: "result", scenarioId, subjectId, resultHash: shipmentResult(subjectId, state) });
    }
  }
  return jobs;
}
