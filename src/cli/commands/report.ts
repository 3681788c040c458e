import type { Command } from "commander";
import { act, examples, type CommandEnv } from "../command";
import { formatBps, formatDuration, formatEra, formatTime, table } from "../format";
import { parseIndex } from "../parse";
import { readNode } from "./node";
import { readScenario } from "./scenario";

const EPOCH_KINDS = ["developer-subsidy", "user-reward"] as const;

function range(count: bigint, from: number): bigint[] {
  return [...Array(Number(count)).keys()].map((i) => BigInt(i + from));
}

/** A titled table, one column per entry of `columns` (header → cell of a row), indented under its title. */
function section<T>(title: string, rows: T[], columns: Record<string, (row: T) => string>): string[] {
  const cells = Object.values(columns);
  const lines = table(
    Object.keys(columns),
    rows.map((r) => cells.map((cell) => cell(r))),
  );
  return ["", title, ...lines.map((l) => `  ${l}`)];
}

/** Where an epoch stands at `now`. */
function epochState(
  e: { vetoed: boolean; swept: boolean; opensAt: bigint; claimDeadline: bigint },
  now: bigint,
): string {
  if (e.vetoed) return "vetoed";
  if (e.swept) return "swept";
  if (now < e.opensAt) return "disputable";
  return now <= e.claimDeadline ? "claimable" : "expired";
}

export function registerReport(program: Command, env: CommandEnv): void {
  program
    .command("report")
    .description("economics report of the deployment: nodes, scenarios, revenue, staking reserve, epochs")
    .option("--from-block <n>", "first block to sum revenue events from (for RPCs that limit log ranges)", "0")
    .addHelpText("after", examples("era report", "era report --json > report.json"))
    .action(
      act(env, async (ctx, _args, o: { fromBlock: string }) => {
        const fromBlock = Number(parseIndex(o.fromBlock, "--from-block"));
        const suite = await ctx.suite();
        const { chainId, provider } = await ctx.chain();
        const [block, nodeCount, scenarioCount, epochCount] = await Promise.all([
          provider.getBlock("latest"),
          suite.nodeRegistry.nodeCount(),
          suite.scenarioRegistry.scenarioCount(),
          suite.distributor.epochCount(),
        ]);
        const [supply, cap, reserve, userPool, protocolPool, owedRevenue, subsidyPool, rewardPool, paid] =
          await Promise.all([
            suite.token.totalSupply(),
            suite.token.cap(),
            suite.staking.reserveStatus(),
            suite.revenueRouter.userPool(),
            suite.revenueRouter.protocolPool(),
            suite.revenueRouter.totalClaimable(),
            suite.distributor.available(0),
            suite.distributor.available(1),
            suite.revenueRouter.queryFilter(suite.revenueRouter.filters.RevenuePaid(), fromBlock),
          ]);
        const revenueOf = new Map<bigint, bigint>();
        for (const e of paid)
          revenueOf.set(e.args.scenarioId, (revenueOf.get(e.args.scenarioId) ?? 0n) + e.args.amount);

        const nodes = await Promise.all(range(nodeCount, 1).map((id) => readNode(suite, id)));
        const scenarios = (await Promise.all(range(scenarioCount, 1).map((id) => readScenario(suite, id)))).map(
          (s) => ({
            ...s,
            revenue: revenueOf.get(s.scenarioId) ?? 0n,
          }),
        );
        const epochs = await Promise.all(
          range(epochCount, 0).map(async (id) => {
            const e = await suite.distributor.getEpoch(id);
            return {
              epochId: id,
              kind: EPOCH_KINDS[Number(e.kind)],
              root: e.root,
              budget: e.budget,
              claimed: e.claimed,
              opensAt: e.opensAt,
              claimDeadline: e.claimDeadline,
              vetoed: e.vetoed,
              swept: e.swept,
            };
          }),
        );
        const totalBonded = nodes.reduce((s, n) => s + n.bond, 0n);
        const totalDelegated = nodes.reduce((s, n) => s + n.delegated, 0n);
        const now = BigInt(block?.timestamp ?? 0);
        const data = {
          chainId,
          block: block?.number ?? null,
          timestamp: now,
          token: { totalSupply: supply, cap },
          totals: {
            bonded: totalBonded,
            delegated: totalDelegated,
            revenue: paid.reduce((s, e) => s + e.args.amount, 0n),
          },
          nodes,
          scenarios,
          revenuePools: { userPool, protocolPool, owedToClaimants: owedRevenue },
          reserve: {
            reserve: reserve.reserve,
            yieldOwed: reserve.yieldOwed,
            yieldPerSecond: reserve.yieldPerSecond,
            secondsCovered: reserve.secondsCovered,
            unfundedTime: reserve.unfundedTime,
          },
          distributionPools: { subsidy: subsidyPool, reward: rewardPool },
          epochs,
        };

        const text = [
          `ERA economy on chain ${chainId} at block ${data.block} (${formatTime(now)})`,
          `  supply ${formatEra(supply)} of ${formatEra(cap)} cap; bonded ${formatEra(totalBonded)}; delegated ${formatEra(totalDelegated)}`,
          ...section(`Nodes (${nodes.length})`, nodes, {
            id: (n) => String(n.nodeId),
            status: (n) => n.status,
            bond: (n) => formatEra(n.bond),
            delegated: (n) => formatEra(n.delegated),
            score: (n) => formatBps(n.scoreBps),
            APR: (n) => formatBps(n.aprBps),
            operator: (n) => n.operator,
          }),
          ...section(`Scenarios (${scenarios.length})`, scenarios, {
            id: (x) => String(x.scenarioId),
            class: (x) => x.class,
            mode: (x) => x.mode,
            node: (x) => String(x.nodeId),
            revenue: (x) => formatEra(x.revenue),
            owner: (x) => x.owner,
          }),
          "",
          "Revenue pools",
          `  user-reward pool ${formatEra(userPool)}, protocol pool ${formatEra(protocolPool)} (flushed to distributor and reserve)`,
          `  owed to node operators and developers: ${formatEra(owedRevenue)}`,
          "",
          "Staking reserve",
          `  reserve ${formatEra(reserve.reserve)}, yield owed ${formatEra(reserve.yieldOwed)}, paying ${formatEra(reserve.yieldPerSecond)}/s`,
          reserve.yieldPerSecond === 0n
            ? "  no yield accrues now"
            : `  covers ${formatDuration(reserve.secondsCovered)} at this rate` +
              (reserve.unfundedTime > 0n
                ? `; ${formatDuration(reserve.unfundedTime / 10n ** 18n)} of accrual went unfunded`
                : ""),
          ...section(
            `Epochs (${epochs.length}); pools: subsidy ${formatEra(subsidyPool)}, reward ${formatEra(rewardPool)}`,
            epochs,
            {
              id: (e) => String(e.epochId),
              kind: (e) => e.kind,
              budget: (e) => formatEra(e.budget),
              claimed: (e) => formatEra(e.claimed),
              opens: (e) => formatTime(e.opensAt),
              deadline: (e) => formatTime(e.claimDeadline),
              state: (e) => epochState(e, now),
            },
          ),
        ];
        return { data, text };
      }),
    );
}
