import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import EconomyCore, { ROLES } from "./EconomyCore";
import ExecutionLayer from "./ExecutionLayer";

export { ROLES, ECONOMY_DEFAULTS } from "./EconomyCore";
export { EXECUTION_DEFAULTS } from "./ExecutionLayer";

/**
 * The whole suite, as one command deploys it: the economy, the execution layer, pause rights for the guardian, and
 * finally `DEFAULT_ADMIN_ROLE` of every contract handed to the timelock with the deployer's dropped. After this
 * module the deployer holds no power over the suite.
 */
export default buildModule("Suite", (m) => {
  const economy = m.useModule(EconomyCore);
  const execution = m.useModule(ExecutionLayer);
  const guardian = m.getParameter<string>("guardian");
  const { timelock } = economy;

  const pausable = {
    nodeRegistry: economy.nodeRegistry,
    staking: economy.staking,
    scenarioRegistry: economy.scenarioRegistry,
    distributor: economy.distributor,
    revenueRouter: economy.revenueRouter,
    settlementEngine: execution.settlementEngine,
  };
  const pauserGrants = Object.entries(pausable).map(([name, contract]) =>
    m.call(contract, "grantRole", [ROLES.PAUSER, guardian], { id: `${name}_pauser` }),
  );

  const administered = {
    token: economy.token,
    ...pausable,
    notaryRegistry: execution.notaryRegistry,
    executionHub: execution.executionHub,
    batchCommitments: execution.batchCommitments,
  };
  for (const [name, contract] of Object.entries(administered)) {
    const toTimelock = m.call(contract, "grantRole", [ROLES.DEFAULT_ADMIN, timelock], {
      id: `${name}_adminToTimelock`,
      after: [EconomyCore, ExecutionLayer, ...pauserGrants],
    });
    m.call(contract, "renounceRole", [ROLES.DEFAULT_ADMIN, m.getAccount(0)], {
      id: `${name}_deployerRenounces`,
      after: [toTimelock],
    });
  }

  return { ...economy, ...execution };
});
