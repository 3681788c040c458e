import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ethers } from "ethers";

/**
 * Deploys and wires the ERA economy:
 *   EraTimelock → EraToken → NodeRegistry ⇄ DelegatedStaking → ScenarioRegistry → EpochDistributor → RevenueRouter,
 * and grants its operational roles. The deployer keeps `DEFAULT_ADMIN_ROLE` here: the Suite module wires the
 * execution layer, then hands admin of everything to the timelock.
 *
 * Parameters (under "$global"; see deploy/parameters/*.json): addresses of the governor (timelock proposer), the
 * guardian (pause, epoch veto), the publisher (activity indexer), the score keeper and the treasury (genesis supply),
 * plus the numeric parameters below with their defaults.
 */
export const ROLES = {
  DEFAULT_ADMIN: ethers.ZeroHash,
  MINTER: ethers.id("MINTER_ROLE"),
  PAUSER: ethers.id("PAUSER_ROLE"),
  SLASHER: ethers.id("SLASHER_ROLE"),
  SCORE_KEEPER: ethers.id("SCORE_KEEPER_ROLE"),
  PUBLISHER: ethers.id("PUBLISHER_ROLE"),
  GUARDIAN: ethers.id("GUARDIAN_ROLE"),
} as const;

const ERA = 10n ** 18n;
const DAY = 24n * 60n * 60n;

export const ECONOMY_DEFAULTS = {
  supplyCap: 1_000_000_000n * ERA,
  genesisSupply: 400_000_000n * ERA,
  timelockDelay: 2n * DAY,
  minBond: 10_000n * ERA,
  nodeUnbondingPeriod: 14n * DAY,
  stakingUnbondingPeriod: 7n * DAY,
  disputeWindow: 2n * DAY,
  claimPeriod: 90n * DAY,
  // [nodeBps, userPoolBps, protocolBps]; the developer gets the rest.
  financialShares: [3_000, 1_000, 500],
  enterpriseShares: [2_800, 1_000, 500],
  // 3,000 / 1.15 = 2,608.70 → 2,609 bps (rounded to the nearest basis point).
  lightweightShares: [2_609, 1_000, 500],
} as const;

export default buildModule("EconomyCore", (m) => {
  const deployer = m.getAccount(0);
  const governor = m.getParameter<string>("governor");
  const guardian = m.getParameter<string>("guardian");
  const publisher = m.getParameter<string>("publisher");
  const scoreKeeper = m.getParameter<string>("scoreKeeper");
  const treasury = m.getParameter<string>("treasury");
  const d = ECONOMY_DEFAULTS;

  const timelock = m.contract("EraTimelock", [
    m.getParameter("timelockDelay", d.timelockDelay),
    [governor],
    [ethers.ZeroAddress], // anyone may execute a ready operation
    ethers.ZeroAddress, // the timelock administers itself
  ]);

  const token = m.contract("EraToken", [
    m.getParameter("supplyCap", d.supplyCap),
    deployer,
    treasury,
    m.getParameter("genesisSupply", d.genesisSupply),
  ]);

  const nodeRegistry = m.contract("NodeRegistry", [
    token,
    deployer,
    m.getParameter("minBond", d.minBond),
    m.getParameter("nodeUnbondingPeriod", d.nodeUnbondingPeriod),
  ]);

  const staking = m.contract("DelegatedStaking", [
    token,
    nodeRegistry,
    deployer,
    m.getParameter("stakingUnbondingPeriod", d.stakingUnbondingPeriod),
  ]);
  m.call(nodeRegistry, "setStaking", [staking]);

  const scenarioRegistry = m.contract("ScenarioRegistry", [nodeRegistry, deployer]);

  const distributor = m.contract("EpochDistributor", [
    token,
    staking,
    deployer,
    m.getParameter("disputeWindow", d.disputeWindow),
    m.getParameter("claimPeriod", d.claimPeriod),
  ]);

  const shares = (name: string, value: readonly [number, number, number]) => {
    const [nodeBps, userPoolBps, protocolBps] = value;
    return m.getParameter(name, { nodeBps, userPoolBps, protocolBps });
  };
  const revenueRouter = m.contract("RevenueRouter", [
    token,
    scenarioRegistry,
    nodeRegistry,
    staking,
    distributor,
    deployer,
    shares("financialShares", d.financialShares),
    shares("enterpriseShares", d.enterpriseShares),
    shares("lightweightShares", d.lightweightShares),
  ]);

  // Operational roles.
  m.call(token, "grantRole", [ROLES.MINTER, timelock], { id: "token_minter" });
  m.call(nodeRegistry, "grantRole", [ROLES.SLASHER, timelock], { id: "registry_slasher" });
  m.call(staking, "grantRole", [ROLES.SCORE_KEEPER, scoreKeeper], { id: "staking_scoreKeeper" });
  m.call(distributor, "grantRole", [ROLES.PUBLISHER, publisher], { id: "distributor_publisher" });
  m.call(distributor, "grantRole", [ROLES.GUARDIAN, guardian], { id: "distributor_guardian" });

  return { timelock, token, nodeRegistry, staking, scenarioRegistry, distributor, revenueRouter };
});
