import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import type { DeploymentParameters } from "@nomicfoundation/ignition-core";
import { act, examples, type CommandEnv } from "../command";
import type { Context } from "../context";
import { PROJECT_ROOT } from "../deployment";
import { UsageError } from "../errors";
import { readJsonObject } from "../files";
import { deploySuite, type DeployProgress } from "../ignition";

/** Chain id of Hardhat's and Anvil's development chains, where the local parameters file is the default. */
const DEV_CHAIN_ID = 31337n;
const LOCAL_PARAMETERS = path.join(PROJECT_ROOT, "deploy", "parameters", "local.json");

function readParameters(file: string): DeploymentParameters {
  return readJsonObject(
    file,
    "The parameters file",
    'Give --parameters a JSON file such as {"$global": {"governor": "0x…", …}} (see deploy/parameters/local.json).',
  ) as DeploymentParameters;
}

/** Progress lines on stderr: "[12/58] EconomyCore#EraToken". */
function progressOf(ctx: Context): DeployProgress {
  let total = 0;
  let done = 0;
  return {
    planned: (steps, resumed) => {
      total = steps;
      ctx.out.progress(resumed ? `Resuming: ${steps} steps left.` : `Deploying the suite: ${steps} steps.`);
    },
    stepDone: (id, ok, error) => {
      done += 1;
      ctx.out.progress(
        `[${String(done).padStart(String(total).length)}/${total}] ${ok ? "✔" : "✘"} ${id}${error ? `: ${error}` : ""}`,
      );
    },
    warning: (text) => ctx.out.warn(`warning: ${text}`),
  };
}

export function registerDeploy(program: Command, env: CommandEnv): void {
  program
    .command("deploy")
    .description("deploy the whole suite (Hardhat Ignition module deploy/modules/Suite.ts) to the chain at --rpc")
    .option("--parameters <file>", "Ignition parameters file (default on chain 31337: deploy/parameters/local.json)")
    .option("--reset", "discard the deployment folder's journal and deploy anew")
    .option("--yes", "do not ask for confirmation on a chain other than 31337")
    .addHelpText(
      "after",
      "\nThe deployment is journaled in the --deployment folder (default deploy/deployments/chain-<chainId>): " +
        "run the same command again to resume an interrupted deployment.\n" +
        examples(
          "ERA_PRIVATE_KEY=0x… era deploy   # to `npx hardhat node` on 127.0.0.1:8545",
          "era deploy --rpc https://rpc.testnet.example --keystore deployer.json --parameters deploy/parameters/testnet.json",
          "era deploy --json > deployment.json",
        ),
    )
    .action(
      act(env, async (ctx, _args, o: { parameters?: string; reset?: boolean; yes?: boolean }) => {
        const { url, chainId } = await ctx.chain();
        const parametersFile =
          o.parameters !== undefined
            ? ctx.resolvePath(o.parameters)
            : chainId === DEV_CHAIN_ID
              ? LOCAL_PARAMETERS
              : undefined;
        if (parametersFile === undefined) {
          throw new UsageError(
            `Chain ${chainId} is not a development chain, so there are no default parameters for it.`,
            "Pass --parameters deploy/parameters/<network>.json with the governor, guardian, publisher, score keeper and treasury addresses.",
          );
        }
        const parameters = readParameters(parametersFile);
        const { location } = await ctx.deploymentLocation();
        if (existsSync(location) && !statSync(location).isDirectory()) {
          throw new UsageError(
            `--deployment ${location} is a file; deploy needs a folder to journal in.`,
            "Give a folder.",
          );
        }
        const wallet = await ctx.wallet();
        if (chainId !== DEV_CHAIN_ID && !o.yes) {
          const question = `Deploy the ERA suite to chain ${chainId} at ${url} from ${wallet.address}?`;
          if (!ctx.io.confirm) {
            throw new UsageError(
              `Deploying to chain ${chainId} needs confirmation.`,
              "Pass --yes (no terminal to ask on).",
            );
          }
          if (!(await ctx.io.confirm(question))) throw new UsageError("Deployment cancelled.", "Nothing was sent.");
        }
        ctx.out.progress(`Deploying from ${wallet.address} to chain ${chainId} at ${url}; journal in ${location}`);
        const { addresses, discardedStale } = await deploySuite({
          url,
          chainId,
          wallet,
          deploymentDir: location,
          parameters,
          reset: Boolean(o.reset),
          progress: progressOf(ctx),
        });
        if (discardedStale)
          ctx.out.warn(`note: ${location} belonged to an earlier run of the Hardhat node; deployed anew.`);
        return {
          data: { chainId, deployer: wallet.address, deployment: location, parameters: parametersFile, addresses },
          text: [
            `Deployed the ERA suite to chain ${chainId} (deployment folder ${location}):`,
            ...Object.entries(addresses).map(([name, address]) => `  ${name.padEnd(17)} ${address}`),
          ],
        };
      }),
    );
}
