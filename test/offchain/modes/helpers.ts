import { ethers } from "hardhat";
import type { Signer, TransactionReceipt, TypedDataDomain } from "ethers";
import type { Wallet } from "ethers";
import { ERA } from "../../helpers/fixtures";
import { notaryFixture, type NotaryFixture } from "../../execution/notary/helpers";
import { connectSuite, ExecutionMode, type Suite } from "../../../src/sdk/economy";
import { domainOf, randomId, signAction } from "../../../src/sdk/execution";
import type { TxRequest, TxSubmitter } from "../../../src/node/types";
import type { ModeContext } from "../../../src/executor/modes/common";
import type { ActionJob, BatchPlan, Job, JobRecord, ModeHandler } from "../../../src/executor/types";
import { runExecutor, type ExecutorHandle } from "../../../src/executor/run";
import { ModeWatcher, type ModeWatcherOptions } from "../../../src/executor/modeWatcher";
import { LightweightHandler } from "../../../src/executor/modes/lightweight";
import { SettlementHandler } from "../../../src/executor/modes/settlement";
import { silent, testConfig } from "../executor/helpers";

export { ERA, ExecutionMode };

/** Scenarios of `fundedEconomyFixture`, all owned by `developer` and served by node 1. */
export const FINANCIAL = 1n;
export const ENTERPRISE = 2n;
export const LIGHT = 3n;

export interface ModesFixture extends NotaryFixture {
  /** The suite connected to the provider only: what the handlers read through. */
  reader: Suite;
  hubDomain: TypedDataDomain;
  engineDomain: TypedDataDomain;
  notaryDomain: TypedDataDomain;
}

/**
 * The notary tests' fixture (node keys in our hands: nodes 1 and 2 rotated to our wallets, node 3 registered by alice,
 * node 4 by bob; scenarios 1 financial, 2 enterprise, 3 lightweight served by node 1) with the handlers' view of it.
 */
export async function modesFixture(): Promise<ModesFixture> {
  const f = await notaryFixture();
  return {
    ...f,
    reader: connectSuite(f.addresses, ethers.provider),
    hubDomain: domainOf("ERA ExecutionHub", f.chainId, f.addresses.executionHub),
    engineDomain: domainOf("ERA SettlementEngine", f.chainId, f.addresses.settlementEngine),
    notaryDomain: f.notaryDomain,
  };
}

/** What a handler of node `nodeId` (1 by default) gets from the executor's core. */
export function contextOf(f: ModesFixture, nodeId = 1n): ModeContext {
  const a = f.addresses;
  return {
    provider: ethers.provider,
    chainId: f.chainId,
    nodeId,
    addresses: {
      executionHub: a.executionHub,
      nodeRegistry: a.nodeRegistry,
      scenarioRegistry: a.scenarioRegistry,
      staking: a.staking,
      settlementEngine: a.settlementEngine,
      notaryRegistry: a.notaryRegistry,
      batchCommitments: a.batchCommitments,
    },
  };
}

/** Sends transactions with `wallet`, as the executor's TxSender does with the node key. */
export function walletSubmitter(wallet: Wallet): TxSubmitter & { sent: TxRequest[] } {
  const sent: TxRequest[] = [];
  return {
    sent,
    async submit(req: TxRequest): Promise<TransactionReceipt> {
      sent.push(req);
      const tx = await wallet.sendTransaction({ to: req.to, data: req.data, value: req.value });
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new Error(`${req.label} failed`);
      return receipt;
    },
  };
}

let counter = 0;

/** A journal record of `job`, as the core keeps it once queued. */
export function recordOf(job: Job, id = `job-${++counter}`): JobRecord {
  const now = Date.now();
  return { id, job, status: "queued", createdAt: now, updatedAt: now };
}

/** A plan of `jobs` for `mode` under a fresh batch id. */
export function planOf(mode: ExecutionMode, scenarioId: bigint, jobs: readonly Job[]): BatchPlan {
  return { batchId: randomId(), scenarioId, mode, jobs: jobs.map((j) => recordOf(j)) };
}

/** Builds the plan's transaction with `handler` and sends it with `submitter`, as the core does. */
export async function land(handler: ModeHandler, plan: BatchPlan, submitter: TxSubmitter): Promise<TransactionReceipt> {
  return submitter.submit(await handler.build(plan));
}

/** A user's signed action job for `scenarioId`. */
export async function actionJob(
  f: ModesFixture,
  user: Signer & { address: string },
  nonce: number,
  payload: bigint,
  scenarioId = LIGHT,
): Promise<ActionJob> {
  const fields = { scenarioId, user: user.address, nonce, payload };
  return { kind: "action", ...fields, signature: await signAction(user, f.hubDomain, fields) };
}

/** The error `promise` rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection, but the promise resolved");
}

/**
 * Starts the executor's core with the lightweight and settlement handlers and a mode watcher as its mode source, on
 * the in-process network, as node 1 runs it. The caller closes `exec` and stops `watcher`.
 */
export async function startWithModes(
  f: ModesFixture,
  overrides: Parameters<typeof testConfig>[0] = {},
  /** Replaces the watcher's defaults here (its registry, a 20 ms poll). */
  watcherOptions: Partial<ModeWatcherOptions> = {},
): Promise<{ exec: ExecutorHandle; watcher: ModeWatcher }> {
  let watcher: ModeWatcher | undefined;
  const exec = await runExecutor(testConfig({ executionHub: f.addresses.executionHub, ...overrides }), {
    provider: ethers.provider,
    signer: f.keys[0],
    logger: silent,
    handlers: (ctx) => [new LightweightHandler(ctx), new SettlementHandler(ctx)],
    modeSource: (ctx) => {
      watcher = new ModeWatcher({
        scenarioRegistry: f.reader.scenarioRegistry.connect(ctx.provider),
        provider: ctx.provider,
        pollIntervalMs: 20,
        ...watcherOptions,
      });
      void watcher.start();
      return watcher;
    },
  });
  if (watcher === undefined) throw new Error("the executor did not ask for its mode source");
  return { exec, watcher };
}
