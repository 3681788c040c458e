import { getAddress, type Provider } from "ethers";
import { ExecutionHub__factory } from "../../typechain-types";
import type { Leg, PackedAction, SettlementFields } from "./execution";

/**
 * Decoding of the execution hub's batch calls from transaction calldata.
 *
 * The chain's events say that a batch was applied (`BatchApplied`, `BatchCommitted`), not what it held: a standard
 * batch's users, a lightweight batch's packed actions and a settlement's legs live only in the calldata of the
 * transaction that submitted it. The verifier and the activity indexer rebuild batches from there.
 *
 * Limitation, stated once: only transactions that call the hub directly can be decoded. A batch submitted through
 * another contract (a multisig, a relayer) has the hub call in an inner call, which plain JSON-RPC does not expose;
 * such a batch is reported as undecodable, never guessed.
 */

const HUB = ExecutionHub__factory.createInterface();

/** Bytes of one packed lightweight action: user (20) ‖ nonce (4) ‖ payload (8). */
export const PACKED_ACTION_BYTES = 32;

/** A standard-mode action as submitted (signature included). */
export interface SubmittedAction extends PackedAction {
  signature: string;
}

/** A decoded hub batch call. Notarizations are recognised but not decoded (they carry no users). */
export type HubCall =
  | { fn: "submitStandard"; scenarioId: bigint; batchId: string; actions: SubmittedAction[] }
  | { fn: "submitLightweight"; scenarioId: bigint; batchId: string; data: string; actions: PackedAction[] }
  | { fn: "submitSettlements"; scenarioId: bigint; batchId: string; settlements: SettlementFields[] }
  | { fn: "submitLock"; scenarioId: bigint; batchId: string; settlement: SettlementFields }
  | { fn: "submitNotarization" | "submitNotarizationBatch" };

/** Malformed packed data (the hub would have refused it, so it never comes from a committed batch). */
export class PackedDataError extends Error {
  override readonly name = "PackedDataError";
}

/**
 * The inverse of `packActions`: splits lightweight batch data into its actions. Throws `PackedDataError` for data
 * that is empty or not a whole number of 32-byte actions.
 */
export function unpackActions(data: string): PackedAction[] {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(data)) throw new PackedDataError("Packed actions must be 0x-prefixed hex bytes.");
  const hex = data.slice(2);
  const bytes = hex.length / 2;
  if (bytes === 0 || bytes % PACKED_ACTION_BYTES !== 0) {
    throw new PackedDataError(
      `Packed actions are ${PACKED_ACTION_BYTES} bytes each; got ${bytes} bytes, which is not a positive multiple.`,
    );
  }
  const actions: PackedAction[] = [];
  for (let at = 0; at < hex.length; at += PACKED_ACTION_BYTES * 2) {
    actions.push({
      user: getAddress(`0x${hex.slice(at, at + 40)}`),
      nonce: Number.parseInt(hex.slice(at + 40, at + 48), 16),
      payload: BigInt(`0x${hex.slice(at + 48, at + 64)}`),
    });
  }
  return actions;
}

interface RawLeg {
  payer: string;
  payee: string;
  token: string;
  amount: bigint;
}

interface RawSettlement {
  id: string;
  scenarioId: bigint;
  legs: RawLeg[];
  deadline: bigint;
  hashlock: string;
}

function settlementOf(raw: RawSettlement): SettlementFields {
  const legs: Leg[] = raw.legs.map((l) => ({
    payer: getAddress(l.payer),
    payee: getAddress(l.payee),
    token: getAddress(l.token),
    amount: l.amount,
  }));
  return { id: raw.id, scenarioId: raw.scenarioId, legs, deadline: raw.deadline, hashlock: raw.hashlock };
}

/** Decodes the calldata of a hub batch call, or returns `undefined` for anything else. */
export function decodeHubCall(data: string): HubCall | undefined {
  let parsed;
  try {
    parsed = HUB.parseTransaction({ data });
  } catch {
    return undefined;
  }
  if (parsed === null) return undefined;
  const a = parsed.args;
  switch (parsed.name) {
    case "submitStandard":
      return {
        fn: "submitStandard",
        scenarioId: a[0] as bigint,
        batchId: a[1] as string,
        actions: (a[2] as { user: string; nonce: bigint; payload: bigint; signature: string }[]).map((x) => ({
          user: getAddress(x.user),
          nonce: Number(x.nonce),
          payload: x.payload,
          signature: x.signature,
        })),
      };
    case "submitLightweight": {
      const packed = a[2] as string;
      let actions: PackedAction[];
      try {
        actions = unpackActions(packed);
      } catch {
        return undefined;
      }
      return { fn: "submitLightweight", scenarioId: a[0] as bigint, batchId: a[1] as string, data: packed, actions };
    }
    case "submitSettlements":
      return {
        fn: "submitSettlements",
        scenarioId: a[0] as bigint,
        batchId: a[1] as string,
        settlements: (a[2] as RawSettlement[]).map(settlementOf),
      };
    case "submitLock":
      return {
        fn: "submitLock",
        scenarioId: a[0] as bigint,
        batchId: a[1] as string,
        settlement: settlementOf(a[2] as RawSettlement),
      };
    case "submitNotarization":
    case "submitNotarizationBatch":
      return { fn: parsed.name };
    default:
      return undefined;
  }
}

/** Why a batch could not be rebuilt from its transaction. */
export type UndecodableReason = "transaction-not-found" | "not-a-direct-hub-call" | "id-mismatch";

/**
 * Fetches the transaction that emitted a batch event and decodes its hub call. The call must go to `hub` directly
 * (see the module comment for why anything else is undecodable) and satisfy `matches` (e.g. name the event's batch).
 */
export async function hubCallOfTransaction(
  provider: Pick<Provider, "getTransaction">,
  txHash: string,
  hub: string,
  matches: (call: HubCall) => boolean,
): Promise<{ call: HubCall } | { undecodable: UndecodableReason }> {
  const tx = await provider.getTransaction(txHash);
  if (tx === null) return { undecodable: "transaction-not-found" };
  if (tx.to === null || getAddress(tx.to) !== getAddress(hub)) return { undecodable: "not-a-direct-hub-call" };
  const call = decodeHubCall(tx.data);
  if (call === undefined) return { undecodable: "not-a-direct-hub-call" };
  if (!matches(call)) return { undecodable: "id-mismatch" };
  return { call };
}

/** Whether a decoded call submitted the batch `batchId` (ids compared case-insensitively). */
export function isBatch(batchId: string): (call: HubCall) => boolean {
  return (call) => "batchId" in call && call.batchId.toLowerCase() === batchId.toLowerCase();
}

/** Legs as JSON text (amounts as decimal strings), for state files. */
export function legsToJson(legs: readonly Leg[]): string {
  return JSON.stringify(legs.map((l) => ({ ...l, amount: l.amount.toString() })));
}

/** The inverse of `legsToJson`. */
export function legsFromJson(json: string): Leg[] {
  return (JSON.parse(json) as (Omit<Leg, "amount"> & { amount: string })[]).map((l) => ({
    ...l,
    amount: BigInt(l.amount),
  }));
}
