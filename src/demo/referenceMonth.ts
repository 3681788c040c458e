import type { Signer } from "ethers";
import type { Economy } from "../sdk/economy";
import { EpochKind, ScenarioClass } from "../sdk/economy";
import { RewardTree, SubsidyTree, subsidyFor } from "../sdk/merkle";

/** JSON-RPC access the reference month needs: a dev chain whose clock it can set (Hardhat network or node). */
export interface DevChain {
  send(method: string, params: unknown[]): Promise<unknown>;
  getBlock(tag: "latest"): Promise<{ timestamp: number } | null>;
  getNetwork(): Promise<{ chainId: bigint }>;
}

/** The people of the reference month. */
export interface MonthCast {
  treasury: Signer;
  publisher: Signer;
  scoreKeeper: Signer;
  financialOperator: Signer;
  lightweightOperator: Signer;
  enterpriseOperator: Signer;
  developer: Signer;
  payer: Signer;
  alice: Signer;
  bob: Signer;
  carol: Signer;
}

/**
 * The cast drawn from a dev chain's accounts, by index: the roles of deploy/parameters/local.json (publisher 3,
 * score keeper 4, treasury 5), then accounts 6–13.
 */
export function referenceCast(s: readonly Signer[]): MonthCast {
  return {
    treasury: s[5],
    publisher: s[3],
    scoreKeeper: s[4],
    financialOperator: s[6],
    lightweightOperator: s[7],
    enterpriseOperator: s[8],
    developer: s[9],
    payer: s[10],
    alice: s[11],
    bob: s[12],
    carol: s[13],
  };
}

export const ERA = 10n ** 18n;
export const DAY = 86_400n;
/** One month as DESIGN.md §3 defines it: 365/12 days = 2,628,000 seconds. */
export const MONTH = (365n * DAY) / 12n;

/** The inputs of the reference month (DESIGN.md §3). */
export const REFERENCE = {
  financialRevenue: 50_000n * ERA,
  lightweightRevenue: 50_000n * ERA,
  enterpriseRevenue: 20_000n * ERA,
  delegation: 10_000n * ERA,
  /** Score 4,000 bps → 8% + 4% × 0.4 = 9.6% APR. */
  scoreAt9_6: 4_000n,
  /** Score 10,000 bps → 12% APR. */
  scoreAt12: 10_000n,
  stakingReserve: 1_000_000n * ERA,
  subsidyFunding: 100_000n * ERA,
  baseSubsidy: 10_000n * ERA,
  mauAboveThreshold: 100_001n,
  mauAtThreshold: 100_000n,
} as const;

/** Everything the month measured, read back from the chain. */
export interface MonthReport {
  revenue: {
    scenario: string;
    paid: bigint;
    node: bigint;
    userPool: bigint;
    protocol: bigint;
    developer: bigint;
  }[];
  financialNodeClaimed: bigint;
  lightweightNodeClaimed: bigint;
  financialNodeShareBps: bigint;
  lightweightNodeShareBps: bigint;
  yieldAt9_6: { aprBps: bigint; claimed: bigint };
  yieldAt12: { aprBps: bigint; claimed: bigint };
  aprAtScore0: bigint;
  aprAtScore1: bigint;
  subsidyAboveThreshold: { mau: bigint; base: bigint; paid: bigint };
  subsidyAtThreshold: { mau: bigint; base: bigint; paid: bigint };
  rewardsClaimed: bigint;
  rewardDelegated: { account: string; nodeId: bigint; amount: bigint; stakeAfter: bigint };
  reserveFundedByProtocolShare: bigint;
  reserveAfter: bigint;
}

/**
 * Runs the reference month of DESIGN.md §3 on a freshly deployed economy and reads every figure back from the chain:
 * three nodes (9.6%, 12%, 8%), one scenario per class, a month of revenue, a month of delegation, the month closed
 * with a subsidy epoch (MAU 100,001 and 100,000) and a user-reward epoch funded by the revenue's user pool, then
 * every claim, one of them claim-and-delegate.
 */
export async function runReferenceMonth(
  economy: Economy,
  cast: MonthCast,
  chain: DevChain,
  progress: (step: string) => void = () => {},
): Promise<MonthReport> {
  const { token, nodeRegistry, staking, scenarioRegistry, revenueRouter, distributor } = economy;
  const addr = (s: Signer) => s.getAddress();
  const at = async (timestamp: bigint) => chain.send("evm_setNextBlockTimestamp", [Number(timestamp)]);
  const now = async () => BigInt((await chain.getBlock("latest"))!.timestamp);
  const wait = async <T extends { wait(): Promise<unknown> }>(tx: Promise<T>) => (await tx).wait();

  progress("funding actors, reserve and subsidy pool from the treasury");
  const minBond = await nodeRegistry.minBond();
  for (const s of [cast.financialOperator, cast.lightweightOperator, cast.enterpriseOperator]) {
    await wait(token.connect(cast.treasury).transfer(await addr(s), minBond));
  }
  await wait(token.connect(cast.treasury).transfer(await addr(cast.payer), 1_000_000n * ERA));
  for (const s of [cast.alice, cast.bob, cast.carol]) {
    await wait(token.connect(cast.treasury).transfer(await addr(s), REFERENCE.delegation));
  }
  await wait(token.connect(cast.treasury).approve(economy.addresses.staking, REFERENCE.stakingReserve));
  await wait(staking.connect(cast.treasury).fundReserve(REFERENCE.stakingReserve));
  await wait(token.connect(cast.treasury).approve(economy.addresses.distributor, REFERENCE.subsidyFunding));
  await wait(distributor.connect(cast.treasury).fundSubsidies(REFERENCE.subsidyFunding));

  progress("registering three nodes and setting their service scores");
  const operators = [cast.financialOperator, cast.lightweightOperator, cast.enterpriseOperator];
  const nodeIds: bigint[] = [];
  for (const [i, op] of operators.entries()) {
    await wait(token.connect(op).approve(economy.addresses.nodeRegistry, minBond));
    const key = `0x${(0x1000 + i).toString(16).padStart(40, "0")}`;
    await wait(nodeRegistry.connect(op).register(key, `ipfs://reference-node-${i + 1}`, minBond));
    nodeIds.push(await nodeRegistry.nodeOfOperator(await addr(op)));
  }
  const [financialNode, lightweightNode, enterpriseNode] = nodeIds;
  await wait(staking.connect(cast.scoreKeeper).setScore(financialNode, REFERENCE.scoreAt9_6));
  await wait(staking.connect(cast.scoreKeeper).setScore(lightweightNode, REFERENCE.scoreAt12));
  await wait(staking.connect(cast.scoreKeeper).setScore(enterpriseNode, 0n));

  progress("registering one scenario per class");
  const scenarios: { name: string; cls: ScenarioClass; node: bigint; revenue: bigint; id?: bigint }[] = [
    { name: "financial", cls: ScenarioClass.Financial, node: financialNode, revenue: REFERENCE.financialRevenue },
    {
      name: "lightweight",
      cls: ScenarioClass.Lightweight,
      node: lightweightNode,
      revenue: REFERENCE.lightweightRevenue,
    },
    { name: "enterprise", cls: ScenarioClass.Enterprise, node: enterpriseNode, revenue: REFERENCE.enterpriseRevenue },
  ];
  for (const s of scenarios) {
    await wait(scenarioRegistry.connect(cast.developer).registerScenario(s.cls, s.node, `ipfs://scenario-${s.name}`));
    s.id = await scenarioRegistry.scenarioCount();
  }

  progress("delegating 10,000 ERA to the 9.6% node and to the 12% node");
  const start = (await now()) + 10n;
  await wait(token.connect(cast.alice).approve(economy.addresses.staking, REFERENCE.delegation));
  await wait(token.connect(cast.bob).approve(economy.addresses.staking, REFERENCE.delegation));
  await at(start);
  await wait(staking.connect(cast.alice).delegate(financialNode, REFERENCE.delegation));
  await at(start + 1n);
  await wait(staking.connect(cast.bob).delegate(lightweightNode, REFERENCE.delegation));

  progress("paying a month of scenario revenue");
  const revenue: MonthReport["revenue"] = [];
  await wait(token.connect(cast.payer).approve(economy.addresses.revenueRouter, 1_000_000n * ERA));
  for (const s of scenarios) {
    const receipt = await (await revenueRouter.connect(cast.payer).pay(s.id!, s.revenue)).wait();
    const event = receipt!.logs.map((l) => revenueRouter.interface.parseLog(l)).find((e) => e?.name === "RevenuePaid");
    if (!event) throw new Error(`pay(${s.id}) emitted no RevenuePaid event`);
    revenue.push({
      scenario: s.name,
      paid: event.args.amount,
      node: event.args.nodeAmount,
      userPool: event.args.userPoolAmount,
      protocol: event.args.protocolAmount,
      developer: event.args.developerAmount,
    });
  }

  progress("one month later: nodes claim revenue, delegators claim yield");
  await at(start + MONTH);
  await wait(staking.connect(cast.alice).claim(financialNode));
  await at(start + 1n + MONTH);
  await wait(staking.connect(cast.bob).claim(lightweightNode));
  const yieldClaimed = async (s: Signer) => {
    const filter = staking.filters.YieldClaimed(await addr(s));
    const events = await staking.queryFilter(filter);
    return events.reduce((sum, e) => sum + e.args.amount, 0n);
  };
  const claimRevenue = async (s: Signer) => {
    const before = await token.balanceOf(await addr(s));
    await wait(revenueRouter.connect(s).claim(await addr(s)));
    return (await token.balanceOf(await addr(s))) - before;
  };
  const financialNodeClaimed = await claimRevenue(cast.financialOperator);
  const lightweightNodeClaimed = await claimRevenue(cast.lightweightOperator);
  await claimRevenue(cast.enterpriseOperator);
  await claimRevenue(cast.developer);

  progress("closing the month: pools flushed, subsidy and reward epochs published");
  const protocolPool = await revenueRouter.protocolPool();
  const userPool = await revenueRouter.userPool();
  await wait(revenueRouter.flushPools());

  const { chainId } = await chain.getNetwork();
  const subsidyEpochId = await distributor.epochCount();
  const subsidyTree = new SubsidyTree(
    { chainId, distributor: economy.addresses.distributor, epochId: subsidyEpochId },
    [
      {
        account: await addr(cast.developer),
        scenarioId: scenarios[0].id!,
        baseAmount: REFERENCE.baseSubsidy,
        mau: REFERENCE.mauAboveThreshold,
      },
      {
        account: await addr(cast.developer),
        scenarioId: scenarios[1].id!,
        baseAmount: REFERENCE.baseSubsidy,
        mau: REFERENCE.mauAtThreshold,
      },
    ],
  );
  await wait(
    distributor
      .connect(cast.publisher)
      .proposeEpoch(EpochKind.DeveloperSubsidy, subsidyTree.root, subsidyTree.budget, "reference-month/subsidies"),
  );
  // The month's user pool is shared by activity: alice 50%, bob 30%, carol 20% (carol will claim and delegate).
  const rewardEpochId = await distributor.epochCount();
  const rewardEntries = [
    { account: await addr(cast.alice), amount: (userPool * 50n) / 100n },
    { account: await addr(cast.bob), amount: (userPool * 30n) / 100n },
  ];
  rewardEntries.push({
    account: await addr(cast.carol),
    amount: userPool - rewardEntries[0].amount - rewardEntries[1].amount,
  });
  const rewardTree = new RewardTree(
    { chainId, distributor: economy.addresses.distributor, epochId: rewardEpochId },
    rewardEntries,
  );
  await wait(
    distributor
      .connect(cast.publisher)
      .proposeEpoch(EpochKind.UserReward, rewardTree.root, rewardTree.budget, "reference-month/rewards"),
  );

  progress("dispute window over: developers and users claim");
  const opensAt = (await distributor.getEpoch(rewardEpochId)).opensAt;
  await at(opensAt);
  const subsidyPaid: bigint[] = [];
  for (const i of [0, 1]) {
    const c = subsidyTree.claim(i);
    const before = await token.balanceOf(c.account);
    await wait(distributor.claimSubsidy(c.epochId, c.index, c.account, c.scenarioId, c.baseAmount, c.mau, c.proof));
    subsidyPaid.push((await token.balanceOf(c.account)) - before);
  }
  let rewardsClaimed = 0n;
  for (const i of [0, 1]) {
    const c = rewardTree.claim(i);
    await wait(distributor.claimReward(c.epochId, c.index, c.account, c.amount, c.proof));
    rewardsClaimed += c.amount;
  }
  const carolClaim = rewardTree.claim(2);
  await wait(
    distributor
      .connect(cast.carol)
      .claimRewardAndDelegate(carolClaim.epochId, carolClaim.index, carolClaim.amount, carolClaim.proof, financialNode),
  );
  rewardsClaimed += carolClaim.amount;

  return {
    revenue,
    financialNodeClaimed,
    lightweightNodeClaimed,
    financialNodeShareBps: BigInt((await revenueRouter.sharesOf(ScenarioClass.Financial)).nodeBps),
    lightweightNodeShareBps: BigInt((await revenueRouter.sharesOf(ScenarioClass.Lightweight)).nodeBps),
    yieldAt9_6: { aprBps: await staking.aprOf(financialNode), claimed: await yieldClaimed(cast.alice) },
    yieldAt12: { aprBps: await staking.aprOf(lightweightNode), claimed: await yieldClaimed(cast.bob) },
    aprAtScore0: await staking.aprOf(enterpriseNode),
    aprAtScore1: await staking.aprOf(lightweightNode),
    subsidyAboveThreshold: {
      mau: REFERENCE.mauAboveThreshold,
      base: REFERENCE.baseSubsidy,
      paid: subsidyPaid[0],
    },
    subsidyAtThreshold: { mau: REFERENCE.mauAtThreshold, base: REFERENCE.baseSubsidy, paid: subsidyPaid[1] },
    rewardsClaimed,
    rewardDelegated: {
      account: carolClaim.account,
      nodeId: financialNode,
      amount: carolClaim.amount,
      stakeAfter: await staking.stakeOf(carolClaim.account, financialNode),
    },
    reserveFundedByProtocolShare: protocolPool,
    reserveAfter: (await staking.reserveStatus()).reserve,
  };
}

/** What the reference figures of DESIGN.md §3 say the report must contain; each line is [label, expected, got]. */
export function referenceChecks(r: MonthReport): [string, string, string][] {
  const fmt = (v: bigint) => formatEra(v);
  return [
    ["financial node claims 30% of 50,000 ERA", fmt(15_000n * ERA), fmt(r.financialNodeClaimed)],
    [
      "lightweight node share = financial / 1.15 (bps)",
      `${((r.financialNodeShareBps * 100n) / 115n).toString()}–${((r.financialNodeShareBps * 100n + 114n) / 115n).toString()}`,
      r.lightweightNodeShareBps.toString(),
    ],
    ["10,000 ERA for a month at 9.6% earns", fmt(80n * ERA), fmt(r.yieldAt9_6.claimed)],
    ["10,000 ERA for a month at 12% earns", fmt(100n * ERA), fmt(r.yieldAt12.claimed)],
    ["APR at score 0 (bps)", "800", r.aprAtScore0.toString()],
    ["APR at score 1 (bps)", "1200", r.aprAtScore1.toString()],
    [
      "subsidy at 100,001 MAU = 1.1 × base",
      fmt(subsidyFor(REFERENCE.baseSubsidy, 100_001n)),
      fmt(r.subsidyAboveThreshold.paid),
    ],
    ["subsidy at 100,000 MAU = base", fmt(REFERENCE.baseSubsidy), fmt(r.subsidyAtThreshold.paid)],
    ...r.revenue.map((x): [string, string, string] => [
      `${x.scenario}: node + pool + protocol + developer = paid`,
      fmt(x.paid),
      fmt(x.node + x.userPool + x.protocol + x.developer),
    ]),
  ];
}

/** Formats wei of ERA with up to 6 decimals, e.g. "15,000 ERA". */
export function formatEra(wei: bigint): string {
  const negative = wei < 0n;
  const abs = negative ? -wei : wei;
  const whole = (abs / ERA).toLocaleString("en-US");
  const frac = (abs % ERA).toString().padStart(18, "0").slice(0, 6).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""} ERA`;
}
