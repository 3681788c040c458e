import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";
import path from "node:path";

/**
 * The compiler comes from the pinned npm `solc` package (solc-js), never from a download, so a
 * fresh clone compiles offline. The version below must equal the `solc` package version.
 */
const SOLC_VERSION = "0.8.28";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solcPkg = require("solc/package.json") as { version: string };
  if (args.solcVersion !== solcPkg.version) {
    throw new Error(
      `hardhat.config.ts asks for solc ${args.solcVersion} but the npm "solc" package is ${solcPkg.version}: ` +
        `pin both to the same version (npm install --save-exact solc@${args.solcVersion}).`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
    isSolcJs: true,
    version: args.solcVersion,
    longVersion: solc.version(),
  };
});

const testnetUrl = process.env.ERA_TESTNET_RPC_URL;
const testnetKey = process.env.ERA_TESTNET_PRIVATE_KEY;

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 1_000 },
      evmVersion: "cancun",
    },
  },
  paths: {
    sources: "./contracts",
    tests: "./test",
    cache: "./cache",
    artifacts: "./artifacts",
    ignition: "./deploy",
  },
  networks: {
    hardhat: {},
    localhost: { url: process.env.ERA_LOCAL_RPC_URL ?? "http://127.0.0.1:8545" },
    // A testnet or L2 whose RPC URL and deployer key come from the environment, never from a file.
    testnet: {
      url: testnetUrl ?? "http://127.0.0.1:8545",
      accounts: testnetKey ? [testnetKey] : [],
    },
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    offline: true,
    currency: "USD",
  },
  mocha: { timeout: 120_000 },
};

export default config;
