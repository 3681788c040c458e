import { id as textId, ZeroHash, type TypedDataDomain, type Wallet } from "ethers";
import { settlementOf } from "../executor/modes/settlement";
import type { ActionJob, ResultJob, SettlementJob } from "../executor/types";
import { hashlockOf, payersOf, randomId, signAction, signSettlement } from "../sdk/execution";
import { SHIPMENT_STATES, shipmentResult } from "./executorProcess";

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
