import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { EpochKind, type Suite } from "../../sdk/economy";
import { RewardTree, SubsidyTree, subsidyFor } from "../../sdk/merkle";
import {
  claimsOf,
  parseProofFileText,
  ProofFileError,
  type ProofFile,
  type RewardProof,
  type SubsidyProof,
} from "../../sdk/proofFile";
import { act, eventIn, examples, type CommandEnv } from "../command";
import type { Context } from "../context";
import { UsageError } from "../errors";
import { formatEra, formatTime } from "../format";
import { parseAddress } from "../parse";
import { nodeOf } from "./node";

type Kind = ProofFile["kind"];

const EPOCH_KIND: Record<Kind, EpochKind> = { subsidy: EpochKind.DeveloperSubsidy, reward: EpochKind.UserReward };

/** What the two command groups are called and what their files hold. */
const GROUPS: Record<Kind, { command: string; noun: string; description: string }> = {
  subsidy: {
    command: "subsidy",
    noun: "developer-subsidy",
    description: "developer subsidies: publish a month's subsidy root (publisher), claim from a proof file",
  },
  reward: {
    command: "rewards",
    noun: "user-reward",
    description: "user rewards: publish a month's reward root (publisher), claim (and delegate) from a proof file",
  },
};

/** Reads and validates a proof file; hex values (root, proofs) come back lower-case, as the chain returns them. */
function readProofFile(ctx: Context, file: string): ProofFile {
  const full = ctx.resolvePath(file);
  if (!existsSync(full)) throw new UsageError(`The proof file ${full} does not exist.`, "Check the path.");
  try {
    const parsed = parseProofFileText(readFileSync(full, "utf8"));
    parsed.root = parsed.root.toLowerCase();
    for (const c of parsed.claims) c.proof = c.proof.map((h) => h.toLowerCase());
    return parsed;
  } catch (e) {
    if (e instanceof ProofFileError) throw new UsageError(`${full}: ${e.message}`);
    throw e;
  }
}

/** Rebuilds the tree from the file's claims and checks it yields the file's root, budget, payouts and proofs. */
function checkIntegrity(file: ProofFile): void {
  const altered = (what: string) =>
    new UsageError(
      `The proof file is inconsistent: ${what}.`,
      "It was altered or truncated; use the file the indexer wrote for the epoch, unchanged.",
    );
  const scope = { chainId: file.chainId, distributor: file.distributor, epochId: file.epochId };
  file.claims.forEach((c, i) => {
    if (c.index !== BigInt(i)) throw altered(`claim #${i} carries index ${c.index}`);
  });
  if (file.claims.length === 0) throw altered("it holds no claim");
  const tree =
    file.kind === "subsidy" ? new SubsidyTree(scope, file.claims) : new RewardTree(scope, file.claims as RewardProof[]);
  if (tree.root.toLowerCase() !== file.root)
    throw altered(`its claims hash to ${tree.root}, not to its root ${file.root}`);
  if (tree.budget !== file.budget)
    throw altered(`its claims add up to ${tree.budget} wei, not to its budget ${file.budget}`);
  file.claims.forEach((c, i) => {
    const expected = tree.claim(i).proof;
    if (expected.length !== c.proof.length || expected.some((h, j) => h.toLowerCase() !== c.proof[j])) {
      throw altered(`the proof of claim #${i} is wrong`);
    }
    if (file.kind === "subsidy") {
      const s = c as SubsidyProof;
      if (s.payout !== subsidyFor(s.baseAmount, s.mau)) throw altered(`the payout of claim #${i} is wrong`);
    }
  });
}

/** Checks a proof file against the command, the chain and the deployment. */
async function checkFile(ctx: Context, suite: Suite, file: ProofFile, kind: Kind): Promise<void> {
  if (file.kind !== kind) {
    const other = GROUPS[file.kind].command;
    throw new UsageError(
      `This is a ${GROUPS[file.kind].noun} proof file, not a ${GROUPS[kind].noun} one.`,
      `Use \`era ${other} …\` with it.`,
    );
  }
  const { chainId } = await ctx.chain();
  if (file.chainId !== chainId) {
    throw new UsageError(
      `The proof file is for chain ${file.chainId}, but the RPC endpoint is chain ${chainId}.`,
      "Use the file of this chain, or point --rpc at the chain the file names.",
    );
  }
  if (file.distributor !== suite.addresses.distributor) {
    throw new UsageError(
      `The proof file is for the distributor ${file.distributor}, not this deployment's ${suite.addresses.distributor}.`,
      "Use the file of this deployment, or point --deployment at the deployment the file names.",
    );
  }
  checkIntegrity(file);
}

function leafAmount(c: SubsidyProof | RewardProof): bigint {
  return "payout" in c ? c.payout : c.amount;
}

function registerGroup(program: Command, env: CommandEnv, kind: Kind): void {
  const g = GROUPS[kind];
  const group = program
    .command(g.command)
    .description(g.description)
    .addHelpText("after", examples(`era ${g.command} publish epoch-3.json`, `era ${g.command} claim epoch-3.json`));

  group
    .command("publish")
    .description(`propose a ${g.noun} epoch from the indexer's proof file (needs the publisher role)`)
    .argument("<proof-file>", "the proof file the indexer wrote for the epoch")
    .option("--uri <uri>", "where the epoch's data can be fetched (default: the file's name)")
    .addHelpText("after", examples(`era ${g.command} publish ./proofs/${kind}-epoch-0.json --uri ipfs://…`))
    .action(
      act(env, async (ctx, [fileArg], o: { uri?: string }) => {
        const file = readProofFile(ctx, fileArg);
        const { suite } = await ctx.signingSuite();
        await checkFile(ctx, suite, file, kind);
        const next = await suite.distributor.epochCount();
        if (file.epochId < next) {
          const onChain = await suite.distributor.getEpoch(file.epochId);
          const same = onChain.root === file.root;
          throw new UsageError(
            same
              ? `Epoch ${file.epochId} is already published with this root.`
              : `Epoch ${file.epochId} is already published (with root ${onChain.root}); the next epoch is ${next}.`,
            same ? "Nothing to do." : `Rebuild the proof file for epoch ${next}.`,
          );
        }
        if (file.epochId > next) {
          throw new UsageError(
            `The proof file is for epoch ${file.epochId}, but the next epoch to publish is ${next}.`,
            `Rebuild it for epoch ${next} (its leaves are bound to the epoch id).`,
          );
        }
        const uri = o.uri ?? path.basename(fileArg);
        const receipt = await ctx.send(`publishing ${g.noun} epoch ${file.epochId} (${formatEra(file.budget)})`, () =>
          suite.distributor.proposeEpoch(EPOCH_KIND[kind], file.root, file.budget, uri),
        );
        const e = eventIn(receipt, suite.distributor, "EpochProposed").args;
        return {
          data: {
            epochId: e.epochId,
            kind,
            root: file.root,
            budget: file.budget,
            claims: file.claims.length,
            opensAt: e.opensAt,
            claimDeadline: e.claimDeadline,
            uri,
            transactions: ctx.transactions,
          },
          text: [
            `Published ${g.noun} epoch ${e.epochId}: ${file.claims.length} claims, budget ${formatEra(file.budget)}.`,
            `Claims open at ${formatTime(e.opensAt as bigint)} (after the dispute window) until ${formatTime(e.claimDeadline as bigint)}.`,
          ],
        };
      }),
    );

  const claim = group
    .command("claim")
    .description(
      `claim an account's ${g.noun} leaves from a proof file (anyone may send them; the ERA goes to the account)`,
    )
    .argument("<proof-file>", "the proof file of the epoch")
    .option("--account <address>", "whose claims (default: your key's account)");
  if (kind === "reward") {
    claim.option(
      "--delegate <node>",
      "delegate the reward to this node in the same transaction (your own claims only)",
    );
  }
  claim
    .addHelpText(
      "after",
      examples(
        `era ${g.command} claim ./proofs/${kind}-epoch-0.json`,
        ...(kind === "reward" ? [`era rewards claim ./proofs/reward-epoch-1.json --delegate 2`] : []),
        `era ${g.command} claim ./proofs/${kind}-epoch-0.json --account 0x… --json`,
      ),
    )
    .action(
      act(env, async (ctx, [fileArg], o: { account?: string; delegate?: string }) => {
        const file = readProofFile(ctx, fileArg);
        const { suite, wallet } = await ctx.signingSuite();
        const account = o.account === undefined ? wallet.address : parseAddress(o.account, "account");
        await checkFile(ctx, suite, file, kind);
        const delegateTo = o.delegate === undefined ? undefined : await nodeOf(ctx, suite, o.delegate);
        if (delegateTo !== undefined && account !== wallet.address) {
          throw new UsageError(
            "Only the account itself can claim and delegate its reward.",
            "Leave out --delegate, or claim with that account's key.",
          );
        }
        const count = await suite.distributor.epochCount();
        if (file.epochId >= count) {
          throw new UsageError(
            `Epoch ${file.epochId} is not published yet.`,
            `The publisher publishes it with \`era ${g.command} publish\`; claim after its dispute window.`,
          );
        }
        const epoch = await suite.distributor.getEpoch(file.epochId);
        if (epoch.root !== file.root) {
          throw new UsageError(
            `The proof file's root ${file.root} is not epoch ${file.epochId}'s published root ${epoch.root}.`,
            "Use the proof file of the epoch that was published.",
          );
        }
        const mine = claimsOf(file, account);
        if (mine.length === 0) {
          throw new UsageError(
            `The proof file has no claim for ${account}.`,
            o.account === undefined
              ? "Pass --account for another account, or use another epoch's file."
              : "Check the account.",
          );
        }
        const done = await Promise.all(mine.map((c) => suite.distributor.isClaimed(file.epochId, c.index)));
        const open = mine.filter((_, i) => !done[i]);
        const claimed: { index: bigint; amount: bigint }[] = [];
        for (const c of open) {
          const amount = leafAmount(c);
          const what = `claiming ${formatEra(amount)} (epoch ${file.epochId}, claim #${c.index}) for ${account}`;
          const d = suite.distributor;
          let receipt;
          if ("scenarioId" in c) {
            receipt = await ctx.send(what, () =>
              d.claimSubsidy(file.epochId, c.index, account, c.scenarioId, c.baseAmount, c.mau, c.proof),
            );
          } else if (delegateTo !== undefined) {
            receipt = await ctx.send(`${what}, delegating it to node ${delegateTo}`, () =>
              d.claimRewardAndDelegate(file.epochId, c.index, c.amount, c.proof, delegateTo),
            );
          } else {
            receipt = await ctx.send(what, () => d.claimReward(file.epochId, c.index, account, c.amount, c.proof));
          }
          claimed.push({ index: c.index, amount: eventIn(receipt, d, "Claimed").args.amount as bigint });
        }
        const total = claimed.reduce((s, c) => s + c.amount, 0n);
        const already = mine.filter((_, i) => done[i]).map((c) => c.index);
        const text =
          claimed.length === 0
            ? [
                `Nothing to claim: the ${already.length} claim(s) of ${account} in epoch ${file.epochId} were paid already.`,
              ]
            : [
                `Claimed ${formatEra(total)} for ${account} from ${g.noun} epoch ${file.epochId} (${claimed.length} claim(s))` +
                  (delegateTo !== undefined ? `, delegated to node ${delegateTo}.` : "."),
              ];
        if (claimed.length > 0 && already.length > 0) text.push(`${already.length} claim(s) were paid already.`);
        return {
          data: {
            epochId: file.epochId,
            kind,
            account,
            claimed,
            total,
            alreadyClaimed: already,
            delegatedTo: delegateTo ?? null,
            transactions: ctx.transactions,
          },
          text,
        };
      }),
    );
}

export function registerEpochs(program: Command, env: CommandEnv): void {
  registerGroup(program, env, "subsidy");
  registerGroup(program, env, "reward");
}
