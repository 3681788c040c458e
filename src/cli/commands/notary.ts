import type { Command } from "commander";
import {
  batchRecordHashOf,
  executingNodeOf,
  recordHashOf,
  type NotaryBatchRecord,
  type NotaryRecord,
} from "../../sdk/execution";
import type { Suite } from "../../sdk/economy";
import { act, examples, type CommandEnv } from "../command";
import { ChainError, UsageError } from "../errors";
import { formatTime } from "../format";
import { parseBytes32, parseIndex } from "../parse";
import { scenarioOf } from "./scenario";

const ZERO = `0x${"0".repeat(64)}`;

/** One notarization of a subject's trail, as its `Notarized` event recorded it. */
interface TrailEntry {
  record: NotaryRecord;
  notarizationId: string;
  recordHash: string;
  executingNodeId: bigint;
  transaction: string;
  block: number;
}

/** A subject's records from the chain's events, oldest first. */
async function trailOf(suite: Suite, scenarioId: bigint, subjectId: string, fromBlock: number): Promise<TrailEntry[]> {
  const notary = suite.notaryRegistry;
  const events = await notary.queryFilter(notary.filters.Notarized(undefined, scenarioId, subjectId), fromBlock);
  events.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  return Promise.all(
    events.map(async (e) => {
      const executingNodeId = await executingNodeOf(
        suite.executionHub,
        e.args.notarizationId,
        e.blockNumber,
        e.blockNumber,
      );
      return {
        record: {
          scenarioId: e.args.scenarioId,
          subjectId: e.args.subjectId,
          resultHash: e.args.resultHash,
          timestamp: e.args.timestamp,
          previous: e.args.previous,
          signers: [...e.args.signers],
        },
        notarizationId: e.args.notarizationId,
        recordHash: e.args.recordHash,
        executingNodeId: executingNodeId ?? 0n,
        transaction: e.transactionHash,
        block: e.blockNumber,
      };
    }),
  );
}

/** The first place where the trail's hash links break (an event missing from the range read), or -1. */
function firstGap(trail: TrailEntry[]): number {
  let previous = ZERO;
  for (const [i, t] of trail.entries()) {
    if (t.record.previous !== previous || recordHashOf(t.record) !== t.recordHash) return i;
    previous = t.recordHash;
  }
  return -1;
}

const subjectArgs = (c: Command) =>
  c
    .argument("<scenario>", "scenario id")
    .argument("<subject>", "subject id (0x + 64 hex digits)")
    .option("--from-block <n>", "first block to read notarizations from (for RPCs that limit log ranges)", "0");

function entryData(t: TrailEntry, signerNodes: bigint[]) {
  return {
    notarizationId: t.notarizationId,
    resultHash: t.record.resultHash,
    timestamp: t.record.timestamp,
    previous: t.record.previous,
    recordHash: t.recordHash,
    executingNodeId: t.executingNodeId,
    signers: t.record.signers.map((s, i) => ({ address: s, nodeId: signerNodes[i] })),
    transaction: t.transaction,
    block: t.block,
  };
}

/** Where a result stands in a batch notarization, as the executor that built the batch gives it. */
interface BatchClaim {
  notarizationId: string;
  index: bigint;
  proof: string[];
}

/** `--batch`, `--index`, `--proof` as a claim (all three, or none: a single notarization is verified then). */
function batchClaimOf(o: { batch?: string; index?: string; proof?: string }): BatchClaim | undefined {
  if (o.batch === undefined && o.index === undefined && o.proof === undefined) return undefined;
  if (o.batch === undefined || o.index === undefined || o.proof === undefined) {
    throw new UsageError(
      "A result notarized in a batch is verified with --batch, --index and --proof together.",
      "Give the batch's notarization id, the result's index in the batch and its Merkle proof (as the executor " +
        'that built the batch gives them; --proof "" for a batch of one result), or none of them.',
    );
  }
  const proof = o.proof
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p, i) => parseBytes32(p, `proof element ${i + 1}`));
  return {
    notarizationId: parseBytes32(o.batch, "batch notarization id"),
    index: parseIndex(o.index, "--index"),
    proof,
  };
}

/**
 * Verifies that (subject, result) is leaf `index` of a batch notarization of the scenario, as the notary registry
 * checks it (`verifyInBatch`: the batch record from its `BatchNotarized` event must hash to the commitment stored
 * under its id, and the proof must lead from the leaf to the batch's root).
 */
async function verifyBatchClaim(
  suite: Suite,
  scenarioId: bigint,
  subjectId: string,
  resultHash: string,
  claim: BatchClaim,
  fromBlock: number,
) {
  const notary = suite.notaryRegistry;
  const [event] = await notary.queryFilter(notary.filters.BatchNotarized(claim.notarizationId, scenarioId), fromBlock);
  if (event === undefined) {
    throw new ChainError(
      `No batch notarization ${claim.notarizationId} of scenario ${scenarioId} was found (from block ${fromBlock}).`,
      "Check the batch's notarization id and the scenario, or lower --from-block.",
    );
  }
  const batch: NotaryBatchRecord = {
    scenarioId,
    notarizationId: claim.notarizationId,
    root: event.args.root,
    count: event.args.count,
    timestamp: event.args.timestamp,
    signers: [...event.args.signers],
  };
  if (batchRecordHashOf(batch) !== (await notary.batchCommitmentOf(claim.notarizationId))) {
    throw new ChainError(
      `The BatchNotarized event read for ${claim.notarizationId} does not hash to the commitment the notary stores.`,
      "The RPC endpoint returned a wrong log: use another endpoint.",
    );
  }
  const verified = await notary.verifyInBatch(batch, claim.index, subjectId, resultHash, claim.proof);
  if (!verified) {
    throw new ChainError(
      `The notary does not confirm result ${resultHash} of subject ${subjectId} at index ${claim.index} of batch ` +
        `${claim.notarizationId}: ` +
        (claim.index >= batch.count
          ? `the batch holds ${batch.count} result(s).`
          : "the proof does not lead from this result to the batch's root."),
      "Check the index and the proof: they come from the executor that built the batch, for this very result.",
    );
  }
  const [executingNodeId, signerNodes] = await Promise.all([
    executingNodeOf(suite.executionHub, claim.notarizationId, event.blockNumber, event.blockNumber),
    Promise.all(batch.signers.map((s) => suite.nodeRegistry.nodeOfSigningKey(s))),
  ]);
  return {
    batch,
    executingNodeId: executingNodeId ?? 0n,
    signerNodes,
    transaction: event.transactionHash,
    block: event.blockNumber,
  };
}

export function registerNotary(program: Command, env: CommandEnv): void {
  const notary = program
    .command("notary")
    .description("auditors: verify a notarized result and print a subject's trail, from chain data alone")
    .addHelpText("after", examples("era notary trail 2 0xSUBJECT", "era notary verify 2 0xSUBJECT 0xRESULT"));

  subjectArgs(
    notary
      .command("verify")
      .description(
        "check that a result of a subject was notarized: by which nodes, when, and where in its trail or its batch",
      ),
  )
    .argument("<result>", "result hash (0x + 64 hex digits)")
    .option("--batch <id>", "the notarization id of the batch that holds the result (with --index and --proof)")
    .option("--index <n>", "the result's index in the batch")
    .option("--proof <hashes>", "the result's Merkle proof in the batch: comma-separated 32-byte hashes")
    .addHelpText(
      "after",
      examples(
        "era notary verify 2 0x5a…01 0x9c…ee",
        "era notary verify 2 0x5a…01 0x9c…ee --json",
        "era notary verify 2 0x5a…01 0x9c…ee --batch 0x3f…10 --index 4 --proof 0xaa…01,0xbb…02,0xcc…03",
      ),
    )
    .action(
      act(
        env,
        async (
          ctx,
          [scenarioArg, subjectArg, resultArg],
          o: { fromBlock: string; batch?: string; index?: string; proof?: string },
        ) => {
          const subjectId = parseBytes32(subjectArg, "subject id");
          const resultHash = parseBytes32(resultArg, "result hash");
          const fromBlock = Number(parseIndex(o.fromBlock, "--from-block"));
          const claim = batchClaimOf(o);
          const suite = await ctx.suite();
          const scenarioId = await scenarioOf(suite, scenarioArg);
          if (claim !== undefined) {
            const v = await verifyBatchClaim(suite, scenarioId, subjectId, resultHash, claim, fromBlock);
            const signers = v.batch.signers.map((s, i) => ({ address: s, nodeId: v.signerNodes[i] }));
            return {
              data: {
                scenarioId,
                subjectId,
                resultHash,
                verified: true,
                kind: "batch",
                notarizationId: claim.notarizationId,
                index: claim.index,
                proof: claim.proof,
                root: v.batch.root,
                count: v.batch.count,
                timestamp: v.batch.timestamp,
                executingNodeId: v.executingNodeId,
                signers,
                transaction: v.transaction,
                block: v.block,
              },
              text: [
                `Verified: result ${resultHash} of subject ${subjectId} (scenario ${scenarioId}) was notarized in batch`,
                `  ${claim.notarizationId} at ${formatTime(v.batch.timestamp)} (block ${v.block}, tx ${v.transaction}),`,
                `  result ${claim.index + 1n} of ${v.batch.count} under root ${v.batch.root}, executed by node ${v.executingNodeId},`,
                `  signed by ${signers.map((x) => `${x.address} (node ${x.nodeId === 0n ? "?" : x.nodeId})`).join(", ")}.`,
              ],
            };
          }
          const trail = await trailOf(suite, scenarioId, subjectId, fromBlock);
          const at = trail.findIndex((t) => t.record.resultHash === resultHash);
          if (at === -1) {
            throw new ChainError(
              `Result ${resultHash} of subject ${subjectId} (scenario ${scenarioId}) is not notarized` +
                (trail.length > 0 ? ` (the subject has ${trail.length} other record(s))` : "") +
                ".",
              "Check the ids; `era notary trail` lists what is notarized for the subject. A result notarized in a " +
                "batch is verified with --batch, --index and --proof.",
            );
          }
          const entry = trail[at];
          const later = trail.slice(at + 1).map((t) => t.record);
          const [verified, signerNodes] = await Promise.all([
            suite.notaryRegistry.verifyRecord(entry.record, later),
            Promise.all(entry.record.signers.map((s) => suite.nodeRegistry.nodeOfSigningKey(s))),
          ]);
          if (!verified) {
            throw new ChainError(
              `The notary does not confirm record #${at + 1} of subject ${subjectId}: its events do not hash to the stored head.`,
              "The events read are incomplete: lower --from-block to read the whole trail, or use another RPC endpoint.",
            );
          }
          const data = {
            scenarioId,
            subjectId,
            verified,
            kind: "single",
            position: at + 1,
            trailLength: trail.length,
            ...entryData(entry, signerNodes),
          };
          return {
            data,
            text: [
              `Verified: result ${resultHash} of subject ${subjectId} (scenario ${scenarioId}) was notarized`,
              `  at ${formatTime(entry.record.timestamp)} (block ${entry.block}, tx ${entry.transaction}),`,
              `  record ${at + 1} of ${trail.length} in the subject's trail, executed by node ${entry.executingNodeId},`,
              `  signed by ${entry.record.signers.map((s, i) => `${s} (node ${signerNodes[i] === 0n ? "?" : signerNodes[i]})`).join(", ")}.`,
            ],
          };
        },
      ),
    );

  subjectArgs(
    notary.command("trail").description("print a subject's trail of notarized results and check it has no gap"),
  )
    .addHelpText("after", examples("era notary trail 2 0x5a…01", "era notary trail 2 0x5a…01 --json"))
    .action(
      act(env, async (ctx, [scenarioArg, subjectArg], o: { fromBlock: string }) => {
        const subjectId = parseBytes32(subjectArg, "subject id");
        const fromBlock = Number(parseIndex(o.fromBlock, "--from-block"));
        const suite = await ctx.suite();
        const scenarioId = await scenarioOf(suite, scenarioArg);
        const trail = await trailOf(suite, scenarioId, subjectId, fromBlock);
        const [head, complete] = await Promise.all([
          suite.notaryRegistry.headOf(scenarioId, subjectId),
          suite.notaryRegistry.verifyTrail(
            scenarioId,
            subjectId,
            trail.map((t) => t.record),
          ),
        ]);
        const gap = firstGap(trail);
        if (!complete) {
          throw new ChainError(
            `The trail read from the events does not end at the notary's stored head ${head}` +
              (gap >= 0 ? ` (the link breaks at record ${gap + 1})` : "") +
              ".",
            "Lower --from-block to read the whole trail, or use an RPC endpoint that returns every log.",
          );
        }
        const signerNodes = await Promise.all(
          trail.map((t) => Promise.all(t.record.signers.map((s) => suite.nodeRegistry.nodeOfSigningKey(s)))),
        );
        const records = trail.map((t, i) => entryData(t, signerNodes[i]));
        const text = [
          `Trail of subject ${subjectId} (scenario ${scenarioId}): ${trail.length} record(s), head ${head}`,
        ];
        trail.forEach((t, i) =>
          text.push(
            `  ${i + 1}. ${formatTime(t.record.timestamp)}  result ${t.record.resultHash}  node ${t.executingNodeId}  ` +
              `${t.record.signers.length} signer(s)  tx ${t.transaction}`,
          ),
        );
        text.push("Complete: every record links to the one before it, and the last is the notary's stored head.");
        return { data: { scenarioId, subjectId, head, complete, records }, text };
      }),
    );
}
