import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  deploy,
  DeploymentResultType,
  ExecutionEventResultType,
  type Artifact,
  type ArtifactResolver,
  type BuildInfo,
  type DeploymentParameters,
  type DeploymentResult,
  type EIP1193Provider,
  type ExecutionEventListener,
  type ExecutionEventResult,
  type RequestArguments,
} from "@nomicfoundation/ignition-core";
import { Transaction, type Wallet } from "ethers";
import SuiteModule from "../../deploy/modules/Suite";
import type { SuiteAddresses } from "../sdk/economy";
import { PROJECT_ROOT, suiteAddressesOf } from "./deployment";
import { ChainError, UsageError } from "./errors";

/**
 * Deployment of the whole suite with Hardhat Ignition's programmatic API, without a Hardhat runtime: the compiled
 * artifacts are read from `artifacts/`, and transactions are signed in this process by the CLI's wallet and sent as
 * raw transactions to the RPC endpoint. Ignition journals every step in the deployment folder, so an interrupted
 * deployment resumes where it stopped when run again.
 */

/** Reads compiled contracts from Hardhat's `artifacts/` folder. */
export class FileArtifactResolver implements ArtifactResolver {
  private index?: Map<string, string>;

  constructor(private readonly artifactsDir: string = path.join(PROJECT_ROOT, "artifacts")) {}

  private paths(): Map<string, string> {
    if (this.index) return this.index;
    const root = path.join(this.artifactsDir, "contracts");
    if (!existsSync(root)) {
      throw new UsageError(`No compiled contracts in ${this.artifactsDir}.`, "Run `npx hardhat compile` first.");
    }
    const index = new Map<string, string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json")) {
          index.set(entry.name.slice(0, -".json".length), full);
        }
      }
    };
    walk(root);
    this.index = index;
    return index;
  }

  private pathOf(contractName: string): string {
    const name = contractName.includes(":") ? contractName.slice(contractName.lastIndexOf(":") + 1) : contractName;
    const file = this.paths().get(name);
    if (file === undefined) {
      throw new UsageError(`No compiled artifact for ${contractName}.`, "Run `npx hardhat compile` and try again.");
    }
    return file;
  }

  async loadArtifact(contractName: string): Promise<Artifact> {
    return JSON.parse(readFileSync(this.pathOf(contractName), "utf8")) as Artifact;
  }

  async getBuildInfo(contractName: string): Promise<BuildInfo | undefined> {
    const debugFile = this.pathOf(contractName).replace(/\.json$/, ".dbg.json");
    if (!existsSync(debugFile)) return undefined;
    const { buildInfo } = JSON.parse(readFileSync(debugFile, "utf8")) as { buildInfo: string };
    return JSON.parse(readFileSync(path.join(path.dirname(debugFile), buildInfo), "utf8")) as BuildInfo;
  }
}

/** A JSON-RPC error as an EIP-1193 provider reports it (Ignition reads `code` and `data`). */
class RpcError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/**
 * An EIP-1193 provider over HTTP JSON-RPC whose only account is `wallet`: `eth_sendTransaction` is signed here and
 * sent with `eth_sendRawTransaction`, so the endpoint never needs to hold a key.
 */
export class WalletProvider implements EIP1193Provider {
  private id = 0;

  constructor(
    private readonly url: string,
    private readonly wallet: Wallet,
    private readonly chainId: bigint,
  ) {}

  async request({ method, params }: RequestArguments): Promise<unknown> {
    const list = Array.isArray(params) ? (params as unknown[]) : params === undefined ? [] : [params];
    switch (method) {
      case "eth_accounts":
      case "eth_requestAccounts":
        return [this.wallet.address.toLowerCase()];
      case "eth_sendTransaction":
        return this.forward("eth_sendRawTransaction", [await this.sign(list[0] as Record<string, string>)]);
      default:
        return this.forward(method, list);
    }
  }

  private async sign(tx: Record<string, string | undefined>): Promise<string> {
    if (tx.from !== undefined && tx.from.toLowerCase() !== this.wallet.address.toLowerCase()) {
      throw new RpcError(`Unknown account ${tx.from}`, 4100);
    }
    // Ignition fills in every field; a request without them would be signed wrong, so it is refused instead.
    if (tx.nonce === undefined || tx.gas === undefined || (tx.gasPrice ?? tx.maxFeePerGas) === undefined) {
      throw new RpcError("eth_sendTransaction needs nonce, gas and fees to be signed locally", -32602);
    }
    const q = (v: string | undefined) => (v === undefined ? undefined : BigInt(v));
    const legacy = tx.gasPrice !== undefined;
    const unsigned = Transaction.from({
      type: legacy ? 0 : 2,
      chainId: this.chainId,
      nonce: Number(tx.nonce),
      gasLimit: BigInt(tx.gas),
      to: tx.to ?? null,
      value: q(tx.value) ?? 0n,
      data: tx.data ?? "0x",
      ...(legacy
        ? { gasPrice: q(tx.gasPrice) }
        : { maxFeePerGas: q(tx.maxFeePerGas), maxPriorityFeePerGas: q(tx.maxPriorityFeePerGas) }),
    });
    return this.wallet.signTransaction(unsigned);
  }

  private async forward(method: string, params: unknown[]): Promise<unknown> {
    let body: { result?: unknown; error?: { code: number; message: string; data?: unknown } };
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++this.id, method, params }),
      });
      body = (await response.json()) as typeof body;
    } catch (e) {
      throw new ChainError(
        `The RPC endpoint ${this.url} stopped answering (${(e as Error).message}).`,
        "Check the node, then run `era deploy` again: the deployment resumes where it stopped.",
      );
    }
    if (body.error) throw new RpcError(body.error.message, body.error.code, body.error.data);
    return body.result;
  }
}

/** What the deployment reports as it goes. */
export interface DeployProgress {
  /** Called once the plan is known: how many steps (contracts and calls) remain. */
  planned(steps: number, resumed: boolean): void;
  /** Called as each step completes. */
  stepDone(futureId: string, ok: boolean, error?: string): void;
  /** Warnings Ignition raises (e.g. a changed module against a journal). */
  warning(text: string): void;
}

function listenerFor(progress: DeployProgress): ExecutionEventListener {
  let resumed = false;
  const done = (e: { futureId: string; result: ExecutionEventResult }) =>
    progress.stepDone(
      e.futureId,
      e.result.type === ExecutionEventResultType.SUCCESS,
      e.result.type === ExecutionEventResultType.ERROR ? e.result.error : undefined,
    );
  const handlers: Partial<ExecutionEventListener> = {
    deploymentStart: (e) => {
      resumed = e.isResumed;
    },
    batchInitialize: (e) => progress.planned(e.batches.flat().length, resumed),
    deploymentExecutionStateComplete: done,
    callExecutionStateComplete: done,
    staticCallExecutionStateComplete: done,
    sendDataExecutionStateComplete: done,
    reconciliationWarnings: (e) => e.warnings.forEach((w) => progress.warning(w)),
  };
  // Ignition calls one method per event type; the ones not handled above are no-ops.
  return new Proxy(handlers, {
    get: (target, key: string) => target[key as keyof ExecutionEventListener] ?? (() => undefined),
  }) as ExecutionEventListener;
}

/** Where a Hardhat node's instance id is remembered next to a deployment, to detect a restarted node. */
const INSTANCE_FILE = "hardhat-node-instance.json";

/**
 * A deployment folder made on an earlier run of a Hardhat node describes contracts that no longer exist. Ignition's
 * own CLI wipes such a folder; so does this, for chains that answer `hardhat_metadata` only.
 */
async function forgetEarlierNodeInstance(provider: WalletProvider, dir: string): Promise<boolean> {
  let instanceId: string;
  try {
    ({ instanceId } = (await provider.request({ method: "hardhat_metadata" })) as { instanceId: string });
  } catch {
    return false; // not a Hardhat node: its state is not ephemeral
  }
  const file = path.join(dir, INSTANCE_FILE);
  const earlier = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as { instanceId?: string }).instanceId
    : undefined;
  const stale = existsSync(dir) && earlier !== instanceId;
  if (stale) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${JSON.stringify({ instanceId }, undefined, 2)}\n`);
  return stale;
}

async function isAutomined(provider: WalletProvider): Promise<boolean> {
  try {
    return Boolean(await provider.request({ method: "hardhat_getAutomine" }));
  } catch {
    return false;
  }
}

export interface DeploySuiteOptions {
  url: string;
  chainId: bigint;
  wallet: Wallet;
  deploymentDir: string;
  parameters: DeploymentParameters;
  /** Start over: delete the deployment folder first. */
  reset: boolean;
  progress: DeployProgress;
}

export interface DeploySuiteResult {
  addresses: SuiteAddresses;
  /** Whether an earlier deployment folder of a restarted Hardhat node was discarded. */
  discardedStale: boolean;
}

/** Turns an unsuccessful Ignition result into an error naming the steps that failed. */
function failureOf(result: Exclude<DeploymentResult, { type: DeploymentResultType.SUCCESSFUL_DEPLOYMENT }>): Error {
  const hint = "Fix the cause, then run `era deploy` again: finished steps are not repeated.";
  switch (result.type) {
    case DeploymentResultType.VALIDATION_ERROR:
      return new UsageError(
        `The deployment's parameters are not valid: ${Object.values(result.errors).flat().join("; ")}.`,
        "Fix the parameters file (see deploy/parameters/local.json).",
      );
    case DeploymentResultType.RECONCILIATION_ERROR:
    case DeploymentResultType.PREVIOUS_RUN_ERROR: {
      const errors = Object.entries(result.errors).map(([id, list]) => `${id}: ${list.join(", ")}`);
      return new UsageError(
        `The deployment folder holds an earlier deployment that does not match this one (${errors.join("; ")}).`,
        "Deploy with --reset to start over, or with another --deployment folder.",
      );
    }
    case DeploymentResultType.EXECUTION_ERROR: {
      const failed = result.failed.map((f) => `${f.futureId}: ${f.error}`);
      const timedOut = result.timedOut.map((f) => `${f.futureId} timed out`);
      const held = result.held.map((f) => `${f.futureId} held: ${f.reason}`);
      return new ChainError(`The deployment stopped: ${[...failed, ...timedOut, ...held].join("; ")}.`, hint);
    }
  }
}

/** Deploys (or resumes deploying) the whole suite and returns its addresses. */
export async function deploySuite(options: DeploySuiteOptions): Promise<DeploySuiteResult> {
  const provider = new WalletProvider(options.url, options.wallet, options.chainId);
  if (options.reset) rmSync(options.deploymentDir, { recursive: true, force: true });
  const discardedStale = await forgetEarlierNodeInstance(provider, options.deploymentDir);
  const result = await deploy({
    config: (await isAutomined(provider)) ? { blockPollingInterval: 50 } : {},
    artifactResolver: new FileArtifactResolver(),
    provider,
    executionEventListener: listenerFor(options.progress),
    deploymentDir: options.deploymentDir,
    ignitionModule: SuiteModule,
    deploymentParameters: options.parameters,
    accounts: [options.wallet.address.toLowerCase()],
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) throw failureOf(result);
  const record = Object.fromEntries(Object.values(result.contracts).map((c) => [c.id, c.address]));
  return { addresses: suiteAddressesOf(record, "The deployment's result"), discardedStale };
}
