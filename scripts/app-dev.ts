/**
 * `npm run app`: the staking page against a local chain, in one command. Starts `hardhat node` (port 8545, or
 * ERA_APP_NODE_PORT, or a free one when taken), deploys the suite with Ignition into deploy/deployments/chain-31337,
 * registers three sample nodes, funds the staking reserve and a sample user, publishes a reward epoch for the sample
 * user (its proof file lands next to the deployment), then serves the page with Vite. Ctrl-C stops everything.
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import {
  ACCOUNTS,
  deploySuite,
  ERA,
  hardhatAccount,
  portInUse,
  publishRewardEpoch,
  seedSampleData,
  startDevServer,
  startHardhatNode,
  stopChild,
  writeProofFile,
  type LocalNode,
} from "./app/localChain";

const DEPLOYMENT_ID = "chain-31337";

async function main() {
  let node: LocalNode | undefined;
  let vite: ChildProcess | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (vite) await stopChild(vite);
    await node?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  try {
    const wanted = Number(process.env.ERA_APP_NODE_PORT ?? 8545);
    if (!Number.isInteger(wanted) || wanted <= 0 || wanted > 65_535) {
      throw new Error(`ERA_APP_NODE_PORT must be a TCP port number, not "${process.env.ERA_APP_NODE_PORT}".`);
    }
    const taken = await portInUse(wanted);
    if (taken) console.log(`Port ${wanted} is taken; the local chain uses a free port instead.`);
    console.log("Starting a local chain (hardhat node)…");
    node = await startHardhatNode(taken ? undefined : wanted);
    console.log(`Deploying the suite to ${node.rpcUrl} (Ignition, deploy/parameters/local.json)…`);
    const deployment = await deploySuite(node.rpcUrl, DEPLOYMENT_ID);
    console.log("Registering 3 sample nodes, funding the staking reserve and the sample user…");
    await seedSampleData(node.provider, deployment.addresses);
    const user = hardhatAccount(ACCOUNTS.sampleUser);
    const proof = await publishRewardEpoch(node.provider, deployment.addresses, [
      { account: user.address, amount: 250n * ERA },
      { account: hardhatAccount(ACCOUNTS.otherDelegators[0]).address, amount: 100n * ERA },
    ]);
    const proofPath = writeProofFile(path.join(deployment.dir, "proofs"), proof);
    console.log(
      [
        "",
        `Chain:       ${node.rpcUrl} (chain id 31337)`,
        `Sample user: ${user.address}`,
        `             private key ${user.privateKey}`,
        "             (Hardhat's public test key: import it into a wallet for this local chain only, never use it",
        "             on a real network)",
        `Proof file:  ${path.relative(process.cwd(), proofPath)} (a 250 ERA reward for the sample user)`,
        "",
        "Starting the page (Vite); press Ctrl-C to stop the page and the chain.",
      ].join("\n"),
    );
    vite = startDevServer(DEPLOYMENT_ID, node.rpcUrl);
    vite.once("exit", (code) => void stop(code ?? 0));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await stop(1);
  }
}

void main();
