import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import hre from "hardhat";
import { deploy, type ArtifactResolver } from "@nomicfoundation/ignition-core";
import { JsonRpcProvider, Wallet, parseEther, type TypedDataDomain } from "ethers";
import SuiteModule from "../deploy/modules/Suite";
import localParameters from "../deploy/parameters/local.json";
import { ExecutionMode, ScenarioClass, connectSuite, type Suite, type SuiteAddresses } from "../src/sdk/economy";
import { domainOf } from "../src/sdk/execution";

/**
 * A `hardhat node` child process on a free port with the whole suite deployed by Ignition (deployed_addresses.json
 * written to a temporary directory, as the executor's `deployment` setting reads it).
 */
export interface LocalChain {
  url: string;
  provider: JsonRpcProvider;
  /** Path of the deployment's deployed_addresses.json. */
  deployment: string;
  suite: Suite;
  /** A scratch directory removed by `stop`. */
  dir: string;
  stop(): Promise<void>;
}

/** Ignition's view of this project's compiled artifacts. */
const artifacts: ArtifactResolver = {
  loadArtifact: (name) => hre.artifacts.readArtifact(name),
  getBuildInfo: async (name) => {
    const artifact = await hre.artifacts.readArtifact(name);
    return hre.artifacts.getBuildInfo(`${artifact.sourceName}:${artifact.contractName}`);
  },
};

const HARDHAT_CLI = require.resolve("hardhat/internal/cli/bootstrap.js");

/**
 * Starts `node hardhat node --port 0` (with `--config config` when given) and resolves with its URL once it listens.
 */
export async function startHardhatNode(config?: string): Promise<{ url: string; child: ChildProcess }> {
  const flags = config === undefined ? [] : ["--config", config];
  const child = spawn(process.execPath, [HARDHAT_CLI, ...flags, "node", "--hostname", "127.0.0.1", "--port", "0"], {
    cwd: hre.config.paths.root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    lines.on("line", (line) => {
      const m = /JSON-RPC server at (http:\/\/[^\s/]+)\/?/.exec(line);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`hardhat node exited (${code}): ${stderr.slice(0, 2000)}`)));
  });
  child.stdout!.resume();
  return { url, child };
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await exited;
}

/** `startHardhatNode(config)`, then the suite deployed to it. */
export async function startLocalChain(config?: string): Promise<LocalChain> {
  const { url, child } = await startHardhatNode(config);
  const dir = mkdtempSync(join(tmpdir(), "era-executor-"));
  const provider = new JsonRpcProvider(url, 31337, { staticNetwork: true });
  try {
    const accounts = (await provider.send("eth_accounts", [])) as string[];
    const result = await deploy({
      config: { requiredConfirmations: 1 },
      artifactResolver: artifacts,
      provider: { request: ({ method, params }) => provider.send(method, (params as unknown[]) ?? []) },
      deploymentDir: join(dir, "deployment"),
      ignitionModule: SuiteModule,
      deploymentParameters: localParameters,
      accounts,
    });
    if (result.type !== "SUCCESSFUL_DEPLOYMENT") throw new Error(`Deployment failed: ${JSON.stringify(result)}`);
    const addresses = Object.fromEntries(
      Object.entries(SuiteModule.results).map(([name, future]) => [
        name,
        (result.contracts[name] ?? result.contracts[future.id]).address,
      ]),
    ) as unknown as SuiteAddresses;
    const suite = connectSuite(addresses, await provider.getSigner(0));
    return {
      url,
      provider,
      deployment: join(dir, "deployment", "deployed_addresses.json"),
      suite,
      dir,
      stop: async () => {
        provider.destroy();
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    provider.destroy();
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The accounts of `hardhat node` the helpers below use (Ignition's local parameters name them so). */
const DEPLOYER = 0;
const TREASURY = 5;
const OPERATOR = 6;
const DEVELOPER = 8;

/**
 * On a fresh local chain: registers a node with `nodeKey` as its signing key (operator = account #6, bond from the
 * treasury) and funds the key with ETH. Returns the node id.
 */
export async function registerNode(chain: LocalChain, nodeKey: Wallet): Promise<bigint> {
  const { provider, suite } = chain;
  const [deployer, treasury, operator] = await Promise.all(
    [DEPLOYER, TREASURY, OPERATOR].map((i) => provider.getSigner(i)),
  );
  const bond = await suite.nodeRegistry.minBond();
  await (await suite.token.connect(treasury).transfer(operator.address, bond)).wait();
  await (await suite.token.connect(operator).approve(chain.suite.addresses.nodeRegistry, bond)).wait();
  await (await suite.nodeRegistry.connect(operator).register(nodeKey.address, "ipfs://node-1", bond)).wait();
  await (await deployer.sendTransaction({ to: nodeKey.address, value: parseEther("100") })).wait();
  return suite.nodeRegistry.nodeOfSigningKey(nodeKey.address);
}

/**
 * Registers a scenario of `scenarioClass` (owner: account #8) served by `nodeId`, switched to `mode` when given (else
 * in its class's default mode). Returns its id.
 */
export async function registerScenario(
  chain: LocalChain,
  scenarioClass: ScenarioClass,
  nodeId: bigint,
  mode?: ExecutionMode,
): Promise<bigint> {
  const { provider, suite } = chain;
  const developer = await provider.getSigner(DEVELOPER);
  const scenarioId = (await suite.scenarioRegistry.scenarioCount()) + 1n;
  await (await suite.scenarioRegistry.connect(developer).registerScenario(scenarioClass, nodeId, "ipfs://s")).wait();
  if (mode !== undefined) await (await suite.scenarioRegistry.connect(developer).setMode(scenarioId, mode)).wait();
  return scenarioId;
}

/** The hub's EIP-712 domain on `chain` (what users sign actions under). */
export async function hubDomainOf(chain: LocalChain): Promise<TypedDataDomain> {
  const { chainId } = await chain.provider.getNetwork();
  return domainOf("ERA ExecutionHub", chainId, chain.suite.addresses.executionHub);
}

/**
 * On a fresh local chain: registers node 1 with `nodeKey` as its signing key (see `registerNode`), and a
 * lightweight-class scenario served by node 1, switched to standard mode. Returns the scenario id and the hub's
 * EIP-712 domain.
 */
export async function standardScenario(
  chain: LocalChain,
  nodeKey: Wallet,
): Promise<{ scenarioId: bigint; hubDomain: TypedDataDomain }> {
  const nodeId = await registerNode(chain, nodeKey);
  const scenarioId = await registerScenario(chain, ScenarioClass.Lightweight, nodeId, ExecutionMode.Standard);
  return { scenarioId, hubDomain: await hubDomainOf(chain) };
}
