import os from "node:os";
import path from "node:path";
import { HDNodeWallet, Mnemonic } from "ethers";
import type { HardhatRuntimeEnvironment, JsonRpcServer } from "hardhat/types";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import SuiteModule from "../../deploy/modules/Suite";
import localParameters from "../../deploy/parameters/local.json";
import { addressesOf, connectSuite, type SuiteAddresses } from "../sdk/economy";
import { runWorkload } from "./endToEnd";
import { Progress } from "./progress";
import { referenceCast, runReferenceMonth } from "./referenceMonth";
import { demoChecks, type DemoReport } from "./report";
import { WORKLOADS } from "./workload";

export interface DemoRunOptions {
  /** `small` for tests and a quick look; `full` by default. */
  size: keyof typeof WORKLOADS;
  /** Where the processes' files go (default: a fresh folder under the OS's temporary directory). */
  workDir?: string;
  progress?: Progress;
}

/** The demo needs Hardhat's own network: it serves it over JSON-RPC and travels in time. */
export class DemoNetworkError extends Error {
  override readonly name = "DemoNetworkError";
}

/**
 * Serves Hardhat's in-process network over JSON-RPC on a free local port (what `npx hardhat node` does, inside this
 * process), so that the node processes reach it like any chain.
 */
export async function serveNetwork(hre: HardhatRuntimeEnvironment): Promise<{ url: string; close(): Promise<void> }> {
  const server = (await hre.run(TASK_NODE_CREATE_SERVER, {
    hostname: "127.0.0.1",
    port: 0,
    provider: hre.network.provider,
  })) as JsonRpcServer;
  const { port } = await server.listen();
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** The private key of Hardhat's account `index` (the demo hands the publisher's to the indexer process). */
function accountKey(hre: HardhatRuntimeEnvironment, index: number): string {
  const accounts = hre.config.networks.hardhat.accounts;
  if (Array.isArray(accounts)) return accounts[index].privateKey;
  const mnemonic = Mnemonic.fromPhrase(accounts.mnemonic, accounts.passphrase);
  return HDNodeWallet.fromMnemonic(mnemonic, `${accounts.path}/${accounts.initialIndex + index}`).privateKey;
}

/**
 * The end-to-end demo on Hardhat's in-process network: deploys the suite with its Ignition module, serves the chain
 * over JSON-RPC, runs the workload through the node processes (see `runWorkload`), then the reference month of
 * DESIGN.md §3, and returns the report with every check.
 */
export async function runDemo(hre: HardhatRuntimeEnvironment, options: DemoRunOptions): Promise<DemoReport> {
  if (hre.network.name !== "hardhat") {
    throw new DemoNetworkError(
      `The demo runs on Hardhat's in-process network, not "${hre.network.name}": drop --network ` +
        "(use `npm run demo:month -- --network …` for the reference month against another chain).",
    );
  }
  const started = Date.now();
  const progress = options.progress ?? new Progress();
  const workDir = options.workDir ?? path.join(os.tmpdir(), `era-demo-${process.pid}-${Date.now()}`);
  const s = await hre.ethers.getSigners();
  // Roles of deploy/parameters/local.json: publisher is account 3, score keeper 4, treasury 5.
  progress.step("deploying the suite (Ignition module Suite) to Hardhat's in-process network");
  const deploymentBlock = await hre.ethers.provider.getBlockNumber();
  const deployed = await hre.ignition.deploy(SuiteModule, { parameters: localParameters });
  const addresses = (await addressesOf(deployed)) as unknown as SuiteAddresses;
  const server = await serveNetwork(hre);
  progress.detail(`chain served at ${server.url}; files of this run in ${workDir}`);
  try {
    const { chainId } = await hre.ethers.provider.getNetwork();
    const workload = await runWorkload(
      {
        rpcUrl: server.url,
        chainId,
        provider: hre.ethers.provider,
        send: (method, params) => hre.network.provider.send(method, params),
        funder: s[0],
        treasury: s[5],
        publisherKey: accountKey(hre, 3),
      },
      { workload: WORKLOADS[options.size], workDir, addresses, deploymentBlock, progress },
    );
    progress.step("the reference month of DESIGN.md §3 on the same chain (its own nodes and scenarios)");
    const reference = await runReferenceMonth(
      connectSuite(addresses, s[0]),
      referenceCast(s),
      hre.ethers.provider,
      (step) => progress.detail(step),
    );
    const checks = demoChecks(workload, reference);
    return {
      network: { rpcUrl: server.url, chainId },
      workDir,
      addresses: { ...addresses },
      workload,
      reference,
      checks,
      passed: checks.every((c) => c.ok),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await server.close();
  }
}
