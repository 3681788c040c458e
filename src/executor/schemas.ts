import { ZeroHash, getAddress } from "ethers";
import { z } from "zod";
import { ExecutionMode } from "../sdk/economy";
import { hashlockOf, payersOf } from "../sdk/execution";
import type { Job, JobStatus } from "./types";

/**
 * The job format of the executor's API and import files, and its validation. On the wire every integer that may
 * exceed 2^53 is a decimal string, every address is 0x-hex (checksummed, or all lowercase), every bytes32 is 0x-hex.
 * A bad job is refused with one sentence naming the field, e.g. `legs.2.amount: must be a decimal integer string`.
 */

/** zod's `error` option: "is required" when the field is missing, `text` otherwise. */
const says =
  (text: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? "is required" : text;

const UINT = /^(0|[1-9]\d*)$/;

/** A decimal integer string below 2^bits. */
const uint = (bits: number) =>
  z
    .string({ error: says("must be a decimal integer string") })
    .regex(UINT, "must be a decimal integer string")
    .transform((v) => BigInt(v))
    .refine((v) => v < 1n << BigInt(bits), `must be below 2^${bits}`);

const address = z
  .string({ error: says("must be a 0x-prefixed 20-byte address") })
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address")
  .refine(
    (v) => v === v.toLowerCase() || v.slice(2) === v.slice(2).toUpperCase() || isChecksummed(v),
    "has a bad checksum: check the address, or write it all in lowercase",
  )
  .transform((v) => getAddress(v.toLowerCase()));

function isChecksummed(v: string): boolean {
  try {
    return getAddress(v) === v;
  } catch {
    return false;
  }
}

const bytes32 = z
  .string({ error: says("must be 0x followed by 64 hex digits") })
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits")
  .transform((v) => v.toLowerCase());

const signature = z
  .string({ error: says("must be a 65-byte signature, 0x followed by 130 hex digits") })
  .regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte signature, 0x followed by 130 hex digits")
  .transform((v) => v.toLowerCase());

const scenarioId = uint(64).refine((v) => v > 0n, "must be a scenario id (1 or more)");

const actionJob = z.strictObject({
  kind: z.literal("action"),
  scenarioId,
  user: address,
  nonce: z
    .number({ error: says("must be a whole number from 0 to 4294967295") })
    .int("must be a whole number from 0 to 4294967295")
    .min(0, "must be a whole number from 0 to 4294967295")
    .max(0xffff_ffff, "must be a whole number from 0 to 4294967295"),
  payload: uint(64),
  signature,
});

const leg = z.strictObject({
  payer: address,
  payee: address,
  token: address,
  amount: uint(256).refine((v) => v > 0n, "must be greater than zero"),
});

const settlementJob = z
  .strictObject({
    kind: z.literal("settlement"),
    scenarioId,
    path: z.enum(["atomic", "lock"], { error: says('must be "atomic" or "lock"') }),
    id: bytes32,
    legs: z
      .array(leg, { error: says("must be a list of legs") })
      .min(1, "must hold at least one leg")
      .max(64, "must hold at most 64 legs"),
    deadline: uint(64),
    hashlock: bytes32,
    signatures: z.array(signature, { error: says("must be a list of signatures") }),
    preimage: bytes32.optional(),
  })
  .superRefine((s, ctx) => {
    // Refinements run even when a field failed: only count payers once every payer is an address.
    const payers = s.legs.every((l) => typeof l.payer === "string" && /^0x[0-9a-fA-F]{40}$/.test(l.payer))
      ? payersOf(s.legs).length
      : s.signatures.length;
    if (s.signatures.length !== payers) {
      ctx.addIssue({
        code: "custom",
        path: ["signatures"],
        message: `must hold one signature per distinct payer, in order of first appearance (${payers}), not ${s.signatures.length}`,
      });
    }
    if (s.path === "atomic" && s.hashlock !== ZeroHash) {
      ctx.addIssue({ code: "custom", path: ["hashlock"], message: "must be zero (0x00…00) for path atomic" });
    }
    if (s.path === "atomic" && s.preimage !== undefined) {
      ctx.addIssue({ code: "custom", path: ["preimage"], message: "is only for path lock" });
    }
    if (s.path === "lock" && s.hashlock === ZeroHash) {
      ctx.addIssue({ code: "custom", path: ["hashlock"], message: "must not be zero for path lock" });
    }
    if (s.path === "lock" && /^0x[0-9a-f]{64}$/.test(s.preimage ?? "") && hashlockOf(s.preimage!) !== s.hashlock) {
      ctx.addIssue({
        code: "custom",
        path: ["preimage"],
        message: "does not hash to hashlock (keccak256(abi.encode(preimage)))",
      });
    }
  });

const resultJob = z.strictObject({
  kind: z.literal("result"),
  scenarioId,
  subjectId: bytes32,
  resultHash: bytes32,
});

/** One job as the API and import files take it. */
export const jobSchema = z.discriminatedUnion("kind", [actionJob, settlementJob, resultJob]);

/** A job as JSON (what a client sends). */
export type JobJson = z.input<typeof jobSchema>;

// Fails to compile if the schema's output drifts from the `Job` type of types.ts.
const _jobShape = (j: z.output<typeof jobSchema>): Job => j;
void _jobShape;

/** A job or a list of jobs. */
export const jobsBodySchema = z.union([jobSchema, z.array(jobSchema)]);

/** The names of execution modes in the API, in the contracts' enum order. */
export const MODE_NAMES: Record<ExecutionMode, string> = {
  [ExecutionMode.Standard]: "standard",
  [ExecutionMode.AtomicSettlement]: "atomic-settlement",
  [ExecutionMode.Notarized]: "notarized",
  [ExecutionMode.Lightweight]: "lightweight",
};

export const JOB_STATUSES: readonly JobStatus[] = ["queued", "batched", "submitted", "confirmed", "failed"];

/** A job back to its JSON form (bigints as decimal strings). */
export function jobToJson(job: Job): JobJson {
  switch (job.kind) {
    case "action":
      return { ...job, scenarioId: job.scenarioId.toString(), payload: job.payload.toString() };
    case "settlement":
      return {
        ...job,
        scenarioId: job.scenarioId.toString(),
        deadline: job.deadline.toString(),
        legs: job.legs.map((l) => ({ ...l, amount: l.amount.toString() })),
      };
    case "result":
      return { ...job, scenarioId: job.scenarioId.toString() };
  }
}

/**
 * What makes two jobs the same work, whatever their other fields: a user's nonce in a scenario, a settlement id, a
 * result for a subject. The journal holds at most one live job per key.
 */
export function jobKey(job: Job): string {
  switch (job.kind) {
    case "action":
      return `action:${job.scenarioId}:${job.user.toLowerCase()}:${job.nonce}`;
    case "settlement":
      return `settlement:${job.id}`;
    case "result":
      return `result:${job.scenarioId}:${job.subjectId}:${job.resultHash}`;
  }
}

/** `3.legs.2.amount` → `[3].legs.2.amount` when the body is a list; the field path as the user wrote it. */
export function fieldPath(path: readonly PropertyKey[], list = false): string {
  const parts = path.map(String);
  if (list && parts.length > 0) return `[${parts[0]}]${parts.length > 1 ? "." + parts.slice(1).join(".") : ""}`;
  return parts.join(".");
}

export interface FieldIssue {
  /** The field, e.g. `legs.2.amount` (empty for the body itself). */
  field: string;
  /** What is wrong with it. */
  problem: string;
}

type ZodIssue = z.core.$ZodIssue;

/** One issue of a zod error, as a field and a sentence. */
export function describeIssue(issue: ZodIssue, list = false): FieldIssue {
  if (issue.code === "unrecognized_keys") {
    const field = fieldPath([...issue.path, issue.keys[0]], list);
    return { field, problem: "is not a field of this job kind: remove it or check its spelling" };
  }
  const field = fieldPath(issue.path, list);
  if (issue.code === "invalid_union" && "discriminator" in issue && issue.discriminator === "kind") {
    return { field, problem: "must be one of action, settlement, result" };
  }
  if (issue.code === "invalid_type" && issue.expected === "object") {
    return { field, problem: "must be a JSON object (one job)" };
  }
  if (issue.code === "invalid_union") {
    return { field, problem: "must be a job object or a list of job objects" };
  }
  return { field, problem: issue.message };
}

/** `field: problem` (or just the problem for the body itself). */
export function issueText(issue: FieldIssue): string {
  return issue.field ? `${issue.field}: ${issue.problem}` : issue.problem;
}

export type ParsedJobs = { ok: true; jobs: Job[]; list: boolean } | { ok: false; issues: FieldIssue[] };

/** Validates a request body: one job or a list of jobs. */
export function parseJobs(body: unknown): ParsedJobs {
  const list = Array.isArray(body);
  const result = list ? z.array(jobSchema).safeParse(body) : jobSchema.safeParse(body);
  if (result.success) {
    const data = result.data;
    return { ok: true, jobs: Array.isArray(data) ? data : [data], list };
  }
  return { ok: false, issues: result.error.issues.map((i) => describeIssue(i, list)) };
}

/** Parses one stored or sent job; throws with the field named when it is not valid. */
export function parseJob(json: unknown): Job {
  const result = jobSchema.safeParse(json);
  if (!result.success) throw new Error(`Not a valid job: ${issueText(describeIssue(result.error.issues[0]))}`);
  return result.data;
}
