import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import EconomyCore, { ROLES } from "./EconomyCore";

const ERA = 10n ** 18n;
const HOUR = 60n * 60n;

export const EXECUTION_DEFAULTS = {
  /** Seconds a lightweight batch can be challenged (shorter than both unbonding periods, so fraud is slashable). */
  challengeWindow: 24n * HOUR,
  /** Seconds a node has to answer a signature challenge. */
  answerWindow: 12n * HOUR,
  /** ERA a signature challenger bonds; paid to the node operator if the node answers. */
  challengeBond: 100n * ERA,
  /** ERA slashed per proven fraud (half the default minimum bond). */
  fraudSlash: 5_000n * ERA,
  /** Share of the slashed ERA paid to the challenger; the rest funds the staking reserve. */
  bountyBps: 2_000n,
} as const;

/**
 * Deploys the execution layer on top of the economy and wires it:
 *   SettlementEngine, NotaryRegistry → ExecutionHub → BatchCommitments;
 * the hub becomes the only submitter of settlements and notarizations and the staking score keeper, the commitments
 * contract the node registry's slasher. Admin stays with the deployer until the Suite module hands it over.
 */
export default buildModule("ExecutionLayer", (m) => {
  const { token, nodeRegistry, staking, scenarioRegistry } = m.useModule(EconomyCore);
  const deployer = m.getAccount(0);
  const d = EXECUTION_DEFAULTS;

  const settlementEngine = m.contract("SettlementEngine", [deployer, [token]]);
  const notaryRegistry = m.contract("NotaryRegistry", [nodeRegistry, scenarioRegistry, deployer]);
  const executionHub = m.contract("ExecutionHub", [
    nodeRegistry,
    scenarioRegistry,
    staking,
    settlementEngine,
    notaryRegistry,
    deployer,
  ]);
  const batchCommitments = m.contract("BatchCommitments", [
    token,
    executionHub,
    nodeRegistry,
    staking,
    deployer,
    m.getParameter("challengeWindow", d.challengeWindow),
    m.getParameter("answerWindow", d.answerWindow),
    m.getParameter("challengeBond", d.challengeBond),
    m.getParameter("fraudSlash", d.fraudSlash),
    m.getParameter("bountyBps", d.bountyBps),
  ]);

  m.call(settlementEngine, "setHub", [executionHub]);
  m.call(notaryRegistry, "setHub", [executionHub]);
  m.call(executionHub, "setCommitments", [batchCommitments]);
  m.call(nodeRegistry, "grantRole", [ROLES.SLASHER, batchCommitments], { id: "registry_slasher_commitments" });
  m.call(staking, "grantRole", [ROLES.SCORE_KEEPER, executionHub], { id: "staking_scoreKeeper_hub" });

  return { settlementEngine, notaryRegistry, executionHub, batchCommitments };
});
