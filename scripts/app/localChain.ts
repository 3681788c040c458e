import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { HDNodeWallet, JsonRpcProvider, Mnemonic, type Signer } from "ethers";
import { stakingAddressesOf, type StakingAddresses } from "../../app/src/lib/deployment";
import { nodeMetadataURI } from "../../app/src/lib/nodes";
import { RewardTree } from "../../src/sdk/merkle";
import { serializeProofFile, toProofFile, type ProofFile } from "../../src/sdk/proofFile";
import {
  DelegatedStaking__factory,
  EpochDistributor__factory,
  EraToken__factory,
  NodeRegistry__factory,
} from "../../typechain-types";

/**
 * A local chain for the staking page: a `hardhat node` on a port of its own, the suite deployed on it by Ignition
 * (deploy/modules/Suite.ts with deploy/parameters/local.json), and sample data (three nodes, a funded reserve, a
 * sample user with ERA, a reward epoch). Used by `npm run app` (scripts/app-dev.ts) and the browser tests.
 */

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
const HARDHAT_CLI = require.resolve("hardhat/internal/cli/bootstrap");
const VITE_CLI = path.join(path.dirname(require.resolve("vite/package.json")), "bin", "vite.js");
const VITE_CONFIG = path.join(REPO_ROOT, "app", "vite.config.ts");

const ERA = 10n ** 18n;
const DAY = 86_400;

/** Hardhat's well-known development mnemonic: its keys are public, never use them on a real network. */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** Account `index` of the Hardhat mnemonic (a Wallet with its private key). */
export function hardhatAccount(index: number, provider?: JsonRpcProvider): HDNodeWallet {
  const wallet = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), `m/44'/60'/0'/0/${index}`);
  return provider ? wallet.connect(provider) : wallet;
}

/** Roles of deploy/parameters/local.json, and who plays what in the sample data (Hardhat account indexes). */
export const ACCOUNTS = {
  publisher: 3,
  scoreKeeper: 4,
  treasury: 5,
  operators: [6, 7, 8],
  sampleUser: 9,
  otherDelegators: [10, 11],
  signingKeys: [13, 14, 15],
} as const;

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Whether something already listens on `port` of 127.0.0.1. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(true));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
  });
}

export interface LocalNode {
  rpcUrl: string;
  port: number;
  provider: JsonRpcProvider;
  /** Stops the node (the process this module started, by its pid). */
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Starts `hardhat node` on `port` (a free one by default) and resolves once it serves JSON-RPC. */
export async function startHardhatNode(port?: number): Promise<LocalNode> {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(chosen)], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timeout = setTimeout(() => fail("did not start within 120 s"), 120_000);
    function fail(why: string) {
      clearTimeout(timeout);
      child.kill("SIGKILL");
      reject(new Error(`hardhat node on port ${chosen} ${why}. Its output:\n${output.slice(-4_000)}`));
    }
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Started HTTP and WebSocket JSON-RPC server")) {
        clearTimeout(timeout);
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => fail(`exited (code ${code})`));
  });
  child.removeAllListeners("exit");
  child.stderr?.resume();
  const rpcUrl = `http://127.0.0.1:${chosen}`;
  const provider = new JsonRpcProvider(rpcUrl, 31337, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
  return {
    rpcUrl,
    port: chosen,
    provider,
    stop: async () => {
      provider.destroy();
      await stopChild(child);
    },
  };
}

/** Runs a Node CLI (Hardhat, Vite) in the repository; rejects with its output when it fails. */
function runCli(cli: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${path.basename(cli)} ${args.join(" ")} failed (code ${code}):\n${output}`)),
    );
  });
}

export interface Deployment {
  /** Ignition deployment id (a directory under deploy/deployments). */
  id: string;
  dir: string;
  addresses: StakingAddresses;
}

/**
 * Deploys the whole suite to the node at `rpcUrl` with Ignition, as `npm run deploy:local` does, into
 * deploy/deployments/<id> (wiped first: the node is fresh).
 */
export async function deploySuite(rpcUrl: string, id: string): Promise<Deployment> {
  await runCli(
    HARDHAT_CLI,
    [
      "ignition",
      "deploy",
      "deploy/modules/Suite.ts",
      "--network",
      "localhost",
      "--parameters",
      "deploy/parameters/local.json",
      "--deployment-id",
      id,
      "--reset",
    ],
    { ERA_LOCAL_RPC_URL: rpcUrl, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  );
  const dir = path.join(REPO_ROOT, "deploy", "deployments", id);
  const file = path.join(dir, "deployed_addresses.json");
  const addresses = stakingAddressesOf(JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>, file);
  return { id, dir, addresses };
}

/** What the page is built for: the Ignition deployment id and the chain's RPC URL (see app/build/deploymentSource.ts). */
function pageEnv(deploymentId: string, rpcUrl: string): Record<string, string> {
  // Vite warns that a future config loader will not take TypeScript configs with ESM syntax; this one loads fine.
  return { ERA_APP_DEPLOYMENT: deploymentId, ERA_APP_RPC_URL: rpcUrl, VITE_CONFIG_NATIVE_IGNORE_WARNING: "true" };
}

/** Builds the page for a deployment into `outDir` (vite build). */
export async function buildPage(deploymentId: string, rpcUrl: string, outDir: string): Promise<void> {
  await runCli(VITE_CLI, ["build", "--config", VITE_CONFIG, "--logLevel", "warn"], {
    ...pageEnv(deploymentId, rpcUrl),
    ERA_APP_OUT_DIR: outDir,
  });
}

/**
 * Starts the Vite dev server for a deployment (its output goes to this process's terminal). The caller stops it by
 * killing the returned process.
 */
export function startDevServer(deploymentId: string, rpcUrl: string): ChildProcess {
  return spawn(process.execPath, [VITE_CLI, "--config", VITE_CONFIG], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...pageEnv(deploymentId, rpcUrl) },
    stdio: "inherit",
  });
}

/** Stops a child process this module started (SIGTERM, then SIGKILL after 5 s). */
export { stopChild };

/** The sample nodes `seedSampleData` registers: metadata, bond and service score. */
export const SAMPLE_NODES = [
  {
    metadata: {
      name: "Aurora",
      description: "Financial and enterprise scenarios, three regions.",
      website: "https://aurora.example",
    },
    bond: 25_000n * ERA,
    scoreBps: 10_000n,
  },
  {
    metadata: { name: "Borealis", description: "Lightweight scenarios, high throughput." },
    bond: 15_000n * ERA,
    scoreBps: 4_000n,
  },
  {
    metadata: { name: "Cygnus", description: "New node, building its service record." },
    bond: 10_000n * ERA,
    scoreBps: 0n,
  },
] as const;

/** ERA the sample user holds after seeding. */
export const SAMPLE_USER_ERA = 50_000n * ERA;
/** ERA in the staking reserve after seeding. */
export const SAMPLE_RESERVE = 2_000_000n * ERA;

async function send(tx: Promise<{ wait(): Promise<unknown> }>) {
  await (await tx).wait();
}

/**
 * Registers the sample nodes (bond, inline metadata, service score), funds the staking reserve, gives the sample
 * user ERA, and delegates some ERA from other accounts so the nodes carry stake.
 */
export async function seedSampleData(provider: JsonRpcProvider, addresses: StakingAddresses): Promise<void> {
  const signer = (index: number): Signer => hardhatAccount(index, provider);
  const token = EraToken__factory.connect(addresses.token, provider);
  const registry = NodeRegistry__factory.connect(addresses.nodeRegistry, provider);
  const staking = DelegatedStaking__factory.connect(addresses.staking, provider);
  const treasury = signer(ACCOUNTS.treasury);

  for (const [i, node] of SAMPLE_NODES.entries()) {
    const operator = signer(ACCOUNTS.operators[i]);
    await send(token.connect(treasury).transfer(await operator.getAddress(), node.bond));
    await send(token.connect(operator).approve(addresses.nodeRegistry, node.bond));
    const key = hardhatAccount(ACCOUNTS.signingKeys[i]).address;
    await send(registry.connect(operator).register(key, nodeMetadataURI(node.metadata), node.bond));
    const nodeId = await registry.nodeOfOperator(await operator.getAddress());
    if (node.scoreBps > 0n) await send(staking.connect(signer(ACCOUNTS.scoreKeeper)).setScore(nodeId, node.scoreBps));
  }

  await send(token.connect(treasury).approve(addresses.staking, SAMPLE_RESERVE));
  await send(staking.connect(treasury).fundReserve(SAMPLE_RESERVE));
  await send(token.connect(treasury).transfer(hardhatAccount(ACCOUNTS.sampleUser).address, SAMPLE_USER_ERA));

  for (const [i, index] of ACCOUNTS.otherDelegators.entries()) {
    const delegator = signer(index);
    const amount = BigInt(40_000 + 25_000 * i) * ERA;
    await send(token.connect(treasury).transfer(await delegator.getAddress(), amount));
    await send(token.connect(delegator).approve(addresses.staking, amount));
    await send(staking.connect(delegator).delegate(BigInt(i + 1), amount));
  }
}

/** Moves the node's clock forward by `seconds` and mines a block. */
export async function advanceTime(provider: JsonRpcProvider, seconds: number | bigint): Promise<void> {
  await provider.send("evm_increaseTime", [Number(seconds)]);
  await provider.send("evm_mine", []);
}

/**
 * Publishes a user-reward epoch paying `entries` (the publisher proposes it, the treasury funds it), optionally waits
 * out its dispute window, and returns its proof file, as the activity indexer would write it.
 */
export async function publishRewardEpoch(
  provider: JsonRpcProvider,
  addresses: StakingAddresses,
  entries: { account: string; amount: bigint }[],
  options: { open?: boolean } = {},
): Promise<ProofFile> {
  const treasury = hardhatAccount(ACCOUNTS.treasury, provider);
  const publisher = hardhatAccount(ACCOUNTS.publisher, provider);
  const token = EraToken__factory.connect(addresses.token, treasury);
  const distributor = EpochDistributor__factory.connect(addresses.distributor, provider);
  const { chainId } = await provider.getNetwork();
  const epochId = await distributor.epochCount();
  const tree = new RewardTree({ chainId, distributor: addresses.distributor, epochId }, entries);
  await send(token.approve(addresses.distributor, tree.budget));
  await send(distributor.connect(treasury).fundUserRewards(tree.budget));
  await send(distributor.connect(publisher).proposeEpoch(1, tree.root, tree.budget, `sample://reward/${epochId}`));
  if (options.open !== false) {
    const epoch = await distributor.getEpoch(epochId);
    const latest = await provider.getBlock("latest");
    const wait = Number(epoch.opensAt) - (latest?.timestamp ?? 0);
    if (wait > 0) await advanceTime(provider, wait);
  }
  return toProofFile(tree, "reward");
}

/** Writes a proof file where the indexer would, and returns its path. */
export function writeProofFile(dir: string, file: ProofFile): string {
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${file.kind}-epoch-${file.epochId}.json`);
  writeFileSync(out, serializeProofFile(file));
  return out;
}

export { DAY, ERA };
