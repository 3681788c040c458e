import type { Command } from "commander";
import type { Suite } from "../../sdk/economy";
import { act, eventIn, examples, type CommandEnv } from "../command";
import { formatBps, formatDuration, formatEra, formatTime } from "../format";
import { parseAmount, parseAmountOrAll } from "../parse";
import { call, payEra } from "../spend";
import { nodeOf } from "./node";

const MAX_UINT256 = 2n ** 256n - 1n;

/** A delegator's position with one node. */
async function positionWith(suite: Suite, account: string, nodeId: bigint, settled: bigint) {
  const [stake, claimable, entries, apr] = await Promise.all([
    suite.staking.stakeOf(account, nodeId),
    suite.staking.claimableYield(account, nodeId),
    suite.staking.unbondingsOf(account, nodeId),
    suite.staking.aprOf(nodeId),
  ]);
  const values = await Promise.all(entries.map((_, i) => suite.staking.unbondingValue(account, nodeId, i)));
  return {
    nodeId,
    stake,
    aprBps: apr,
    /** Yield accrued with this node and not yet settled into the account's claimable balance. */
    accruing: claimable - settled,
    unbondings: entries.map((e, i) => ({ value: values[i], releaseAt: e.releaseAt })),
  };
}

export function registerStake(program: Command, env: CommandEnv): void {
  const stake = program
    .command("stake")
    .description("delegators: delegate ERA to nodes, undelegate, withdraw, claim yield, see a position")
    .addHelpText("after", examples("era stake delegate 1 1000", "era stake position"));

  stake
    .command("delegate")
    .description("delegate ERA to a node (one transaction with a permit)")
    .argument("<node>", "node id")
    .argument("<amount>", "ERA to delegate, e.g. 1000 or 1.5")
    .option("--no-permit", "approve in its own transaction instead of signing a permit")
    .addHelpText("after", examples("era stake delegate 1 1000", "era stake delegate 2 0.5 --no-permit --json"))
    .action(
      act(env, async (ctx, [nodeArg, amountArg], o: { permit: boolean }) => {
        const amount = parseAmount(amountArg);
        const { suite, wallet } = await ctx.signingSuite();
        const nodeId = await nodeOf(ctx, suite, nodeArg);
        const staking = suite.staking;
        const receipt = await payEra(ctx, suite.token, wallet, {
          what: `delegating ${formatEra(amount)} to node ${nodeId}`,
          spender: suite.addresses.staking,
          amount,
          permit: o.permit,
          withPermit: (d, v, r, s) => call(staking.delegateWithPermit, nodeId, amount, d, v, r, s),
          plain: call(staking.delegate, nodeId, amount),
        });
        const shares = eventIn(receipt, staking, "Delegated").args.sharesMinted as bigint;
        const [total, apr] = await Promise.all([staking.stakeOf(wallet.address, nodeId), staking.aprOf(nodeId)]);
        return {
          data: {
            delegator: wallet.address,
            nodeId,
            amount,
            shares,
            stake: total,
            aprBps: apr,
            transactions: ctx.transactions,
          },
          text: [
            `Delegated ${formatEra(amount)} to node ${nodeId} (APR ${formatBps(apr)}).`,
            `Your stake with node ${nodeId}: ${formatEra(total)}.`,
          ],
        };
      }),
    );

  stake
    .command("undelegate")
    .description("start unbonding stake from a node; it stops earning now and can be withdrawn after the period")
    .argument("<node>", "node id")
    .argument("<amount>", 'ERA to undelegate, or "all"')
    .addHelpText("after", examples("era stake undelegate 1 250", "era stake undelegate 1 all"))
    .action(
      act(env, async (ctx, [nodeArg, amountArg]) => {
        const requested = parseAmountOrAll(amountArg);
        const { suite, wallet } = await ctx.signingSuite();
        const nodeId = await nodeOf(ctx, suite, nodeArg);
        const amount = requested === "all" ? MAX_UINT256 : requested;
        const receipt = await ctx.send(
          `undelegating ${requested === "all" ? "all" : formatEra(amount)} from node ${nodeId}`,
          () => suite.staking.undelegate(nodeId, amount),
        );
        const started = eventIn(receipt, suite.staking, "UndelegationStarted").args;
        const releaseAt = started.releaseAt as bigint;
        const unbonding = started.amount as bigint;
        return {
          data: { delegator: wallet.address, nodeId, unbonding, releaseAt, transactions: ctx.transactions },
          text: [
            `Unbonding ${formatEra(unbonding)} from node ${nodeId}.`,
            `Withdraw it from ${formatTime(releaseAt)} with \`era stake withdraw ${nodeId}\`.`,
          ],
        };
      }),
    );

  stake
    .command("withdraw")
    .description("withdraw every unbonding entry with a node whose period is over")
    .argument("<node>", "node id")
    .addHelpText("after", examples("era stake withdraw 1"))
    .action(
      act(env, async (ctx, [nodeArg]) => {
        const { suite, wallet } = await ctx.signingSuite();
        const nodeId = await nodeOf(ctx, suite, nodeArg);
        const receipt = await ctx.send(`withdrawing unbonded stake from node ${nodeId}`, () =>
          suite.staking.withdraw(nodeId),
        );
        const w = eventIn(receipt, suite.staking, "Withdrawn").args;
        // `entries` is also a method of ethers' Result, so the field is read by name.
        const amount = w.getValue("amount") as bigint;
        const entries = w.getValue("entries") as bigint;
        return {
          data: { delegator: wallet.address, nodeId, withdrawn: amount, entries, transactions: ctx.transactions },
          text: [`Withdrew ${formatEra(amount)} from node ${nodeId} (${entries} entries).`],
        };
      }),
    );

  stake
    .command("claim")
    .description("claim your staking yield (settles the node's accrual, pays all your settled yield)")
    .argument("<node>", "node id whose accrual to settle")
    .addHelpText("after", examples("era stake claim 1"))
    .action(
      act(env, async (ctx, [nodeArg]) => {
        const { suite, wallet } = await ctx.signingSuite();
        const nodeId = await nodeOf(ctx, suite, nodeArg);
        const receipt = await ctx.send(`claiming yield via node ${nodeId}`, () => suite.staking.claim(nodeId));
        const amount = eventIn(receipt, suite.staking, "YieldClaimed").args.amount as bigint;
        return {
          data: { delegator: wallet.address, nodeId, claimed: amount, transactions: ctx.transactions },
          text: [`Claimed ${formatEra(amount)} of staking yield to ${wallet.address}.`],
        };
      }),
    );

  stake
    .command("claim-and-redelegate")
    .description("claim your yield and delegate it in the same transaction (to the same node by default)")
    .argument("<from>", "node id whose accrual to settle")
    .argument("[to]", "node id to delegate the yield to (default: <from>)")
    .addHelpText("after", examples("era stake claim-and-redelegate 1", "era stake claim-and-redelegate 1 2"))
    .action(
      act(env, async (ctx, [fromArg, toArg]) => {
        const { suite, wallet } = await ctx.signingSuite();
        const from = await nodeOf(ctx, suite, fromArg);
        const to = toArg === undefined ? from : await nodeOf(ctx, suite, toArg);
        const receipt = await ctx.send(`claiming yield via node ${from} and delegating it to node ${to}`, () =>
          suite.staking.claimAndRedelegate(from, to),
        );
        const amount = eventIn(receipt, suite.staking, "YieldClaimed").args.amount as bigint;
        const total = await suite.staking.stakeOf(wallet.address, to);
        return {
          data: {
            delegator: wallet.address,
            fromNodeId: from,
            toNodeId: to,
            redelegated: amount,
            stake: total,
            transactions: ctx.transactions,
          },
          text: [`Delegated ${formatEra(amount)} of yield to node ${to}; your stake there is ${formatEra(total)}.`],
        };
      }),
    );

  stake
    .command("position")
    .description("show stake, accruing yield and unbonding entries, with one node or with every node")
    .argument("[node]", "node id (default: every node you have a position with)")
    .option("--account <address>", "whose position (default: your key's account)")
    .addHelpText("after", examples("era stake position", "era stake position 1 --account 0x… --json"))
    .action(
      act(env, async (ctx, [nodeArg], o: { account?: string }) => {
        const account = ctx.account(o.account);
        const suite = await ctx.suite();
        const count = await suite.nodeRegistry.nodeCount();
        const ids =
          nodeArg !== undefined
            ? [await nodeOf(ctx, suite, nodeArg)]
            : [...Array(Number(count)).keys()].map((i) => BigInt(i + 1));
        const [settled, now] = await Promise.all([suite.staking.settledYield(account), ctx.now()]);
        const all = await Promise.all(ids.map((id) => positionWith(suite, account, id, settled)));
        const positions =
          nodeArg !== undefined ? all : all.filter((p) => p.stake > 0n || p.accruing > 0n || p.unbondings.length > 0);
        const claimable = settled + positions.reduce((sum, p) => sum + p.accruing, 0n);
        const text = [`Staking position of ${account}`];
        if (positions.length === 0) text.push("  no stake with any node");
        for (const p of positions) {
          text.push(
            `  node ${p.nodeId}: stake ${formatEra(p.stake)} at ${formatBps(p.aprBps)} APR, accruing ${formatEra(p.accruing)}`,
          );
          for (const u of p.unbondings) {
            const wait = u.releaseAt > now ? `in ${formatDuration(u.releaseAt - now)}` : "withdrawable now";
            text.push(`    unbonding ${formatEra(u.value)} at ${formatTime(u.releaseAt)} (${wait})`);
          }
        }
        text.push(`  claimable yield: ${formatEra(claimable)}`);
        return { data: { account, claimable, settled, positions }, text };
      }),
    );
}
