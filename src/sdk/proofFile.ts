import { getAddress, isAddress, isHexString } from "ethers";
import { z } from "zod";
import { subsidyFor, type RewardTree, type SubsidyTree } from "./merkle";

/**
 * The proof file: what the indexer writes for every published epoch, and what the CLI and the staking page claim
 * with. JSON, one file per epoch and kind; amounts are decimal strings of wei (JSON has no big integers). Every
 * claim carries the exact leaf fields the distributor checks plus its Merkle proof, so a claimant needs nothing else.
 */

export const PROOF_FILE_VERSION = 1;

export interface SubsidyProof {
  index: bigint;
  account: string;
  scenarioId: bigint;
  baseAmount: bigint;
  mau: bigint;
  /** What the distributor pays for this leaf: base plus the MAU bonus when MAU > 100,000. */
  payout: bigint;
  proof: string[];
}

export interface RewardProof {
  index: bigint;
  account: string;
  amount: bigint;
  proof: string[];
}

interface ProofFileCommon {
  version: typeof PROOF_FILE_VERSION;
  chainId: bigint;
  distributor: string;
  epochId: bigint;
  root: string;
  /** Sum of every claim's payout: the budget the epoch was published with. */
  budget: bigint;
}

export type ProofFile =
  | (ProofFileCommon & { kind: "subsidy"; claims: SubsidyProof[] })
  | (ProofFileCommon & { kind: "reward"; claims: RewardProof[] });

/** The proof file of a subsidy or reward tree. */
export function toProofFile(tree: SubsidyTree | RewardTree, kind: "subsidy" | "reward"): ProofFile {
  const common = {
    version: PROOF_FILE_VERSION,
    chainId: tree.scope.chainId,
    distributor: getAddress(tree.scope.distributor),
    epochId: tree.scope.epochId,
    root: tree.root,
    budget: tree.budget,
  } as const;
  if (kind === "subsidy") {
    const t = tree as SubsidyTree;
    const claims = t.entries.map((_, i): SubsidyProof => {
      const c = t.claim(i);
      return {
        index: c.index,
        account: getAddress(c.account),
        scenarioId: c.scenarioId,
        baseAmount: c.baseAmount,
        mau: c.mau,
        payout: subsidyFor(c.baseAmount, c.mau),
        proof: c.proof,
      };
    });
    return { ...common, kind, claims };
  }
  const t = tree as RewardTree;
  const claims = t.entries.map((_, i): RewardProof => {
    const c = t.claim(i);
    return { index: c.index, account: getAddress(c.account), amount: c.amount, proof: c.proof };
  });
  return { ...common, kind, claims };
}

/** JSON text of a proof file (bigints as decimal strings), stable key order, two-space indent. */
export function serializeProofFile(file: ProofFile): string {
  return JSON.stringify(file, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";
}

const uint = z
  .union([z.string().regex(/^\d+$/, "must be a decimal integer string"), z.number().int().nonnegative()])
  .transform((v) => BigInt(v));
const address = z
  .string()
  .refine((v) => isAddress(v), "must be a 0x-prefixed 20-byte address")
  .transform((v) => getAddress(v));
const bytes32 = z.string().refine((v) => isHexString(v, 32), "must be a 0x-prefixed 32-byte hex string");
const common = {
  version: z.literal(PROOF_FILE_VERSION),
  chainId: uint,
  distributor: address,
  epochId: uint,
  root: bytes32,
  budget: uint,
};
const schema = z.discriminatedUnion("kind", [
  z.object({
    ...common,
    kind: z.literal("subsidy"),
    claims: z.array(
      z.object({
        index: uint,
        account: address,
        scenarioId: uint,
        baseAmount: uint,
        mau: uint,
        payout: uint,
        proof: z.array(bytes32),
      }),
    ),
  }),
  z.object({
    ...common,
    kind: z.literal("reward"),
    claims: z.array(z.object({ index: uint, account: address, amount: uint, proof: z.array(bytes32) })),
  }),
]);

/** A proof file that does not parse; `message` names the field and what is wrong with it. */
export class ProofFileError extends Error {
  override readonly name = "ProofFileError";
}

/**
 * Validates a parsed JSON value as a proof file. Throws `ProofFileError` naming the first bad field (e.g.
 * `claims.3.proof.0: must be a 0x-prefixed 32-byte hex string`).
 */
export function parseProofFile(json: unknown): ProofFile {
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join(".") : "(file)";
    throw new ProofFileError(
      `Not a valid ERA proof file: ${where}: ${issue.message}. Use the file the indexer wrote for the epoch, unchanged.`,
    );
  }
  return result.data as ProofFile;
}

/** Parses proof-file JSON text (see `parseProofFile`). */
export function parseProofFileText(text: string): ProofFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ProofFileError(`The proof file is not JSON (${(e as Error).message}).`);
  }
  return parseProofFile(json);
}

/** The claims of a proof file that belong to `account` (case-insensitive). */
export function claimsOf<F extends ProofFile>(file: F, account: string): F["claims"] {
  const wanted = getAddress(account);
  return (file.claims as (SubsidyProof | RewardProof)[]).filter((c) => c.account === wanted) as F["claims"];
}
