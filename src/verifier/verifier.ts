import {
  getAddress,
  ZeroAddress,
  type Log,
  type Provider,
  type TransactionReceipt,
  type TypedDataDomain,
} from "ethers";
import type { Logger } from "pino";
import type {
  BatchCommitments,
  EraToken,
  ExecutionHub,
  ScenarioRegistry,
  SettlementEngine,
} from "../../typechain-types";
import { ExecutionMode, SettlementStatus, connectSuite, type SuiteAddresses } from "../sdk/economy";
import { decodeContractError, describeError } from "../sdk/errors";
import { LightweightBatchTree, domainOf, type PackedAction } from "../sdk/execution";
import { hubCallOfTransaction, isBatch, unpackActions } from "../sdk/calldata";
import { BlockTimes, logsInRange, nextRange, sleep } from "../node/blockScan";
import { ActionRecordReads } from "../sdk/actionRecords";
import type { TxRequest, TxSubmitter } from "../node/types";
import { fraudToProve, isSignatureFraud, oneRoundFrauds, signatureFrauds, useKey, type Fraud } from "./checks";
import type { VerifierMetrics } from "./metrics";
import type { SignatureSource } from "./signatures";
import { bigintJson, type BatchRow, type VerifierStore } from "./store";

/**
 * The verifier: watches lightweight batches, re-checks every action, proves frauds inside the challenge window,
 * resolves signature challenges the node left unanswered, and refunds expired settlement locks.
 *
 * One poll (`tick`) does, in order:
 * 1. reads every confirmed block not yet processed (hub, `BatchCommitments` and `SettlementEngine` events), rebuilding
 *    each committed batch's actions, each standard batch's actions and each lock's legs from the transaction
 *    calldata; the events of a block range
 *    and the new "last block" are stored in one SQLite transaction;
 * 2. judges every batch not judged yet, oldest first (see `checks.ts` for the fraud kinds), and sends the proof of
 *    the first fraud it finds (one fraud rejects a whole batch);
 * 3. resolves every watched challenge whose answer window is over;
 * 4. proves every standard-mode replay of an action of an earlier lightweight batch once that batch is final
 *    (`proveStandardReplay`: the standard node is slashed);
 * 5. refunds every live lock whose deadline has passed.
 *
 * Proofs go through an injected `TxSubmitter` (nonce, gas, retries are its job). A proof that fails is retried at
 * the next poll while the window is open; a proof someone else landed first is recorded, not repeated.
 */

/** `IBatchCommitments.BatchStatus`. */
const REJECTED = 2n;
/** Most scenario ids tried to tell a wrong-scenario signature from a forged one. */
const MAX_SCENARIOS_TRIED = 1_000n;

export interface VerifierOptions {
  provider: Provider;
  addresses: SuiteAddresses;
  /** Sends the verifier's transactions (from `account`). */
  submitter: TxSubmitter;
  /** The address `submitter` sends from: it bonds challenges and receives bounties. */
  account: string;
  store: VerifierStore;
  metrics: VerifierMetrics;
  logger: Logger;
  /** Where nodes' signatures come from; without one, signatures are not checked (one-round frauds still are). */
  signatures?: SignatureSource;
  /** First block to read when the state file is new (the suite's deployment block). */
  startBlock: number;
  /** Blocks a block must be buried under before it is read. */
  confirmations: number;
  /** Most blocks per `eth_getLogs`. */
  maxBlockRange: number;
  /**
   * Seconds before a batch's window closes from which a node that never served the batch's signatures is treated
   * as unable to produce them: with `challengeUnserved`, the first action is challenged then.
   */
  signatureGraceSeconds: number;
  challengeUnserved: boolean;
  /** Whether to refund expired settlement locks. */
  refundLocks: boolean;
}

export interface TickReport {
  /** Last block processed after the tick. */
  lastBlock: number | undefined;
  /** The chain's latest block and its timestamp. */
  head: number;
  now: number;
  batchesJudged: number;
  proofsLanded: number;
  challengesResolved: number;
  replaysProven: number;
  locksRefunded: number;
}

type Ingest = () => void;

export class Verifier {
  private readonly hub: ExecutionHub;
  private readonly records: ActionRecordReads;
  private readonly commitments: BatchCommitments;
  private readonly engine: SettlementEngine;
  private readonly scenarios: ScenarioRegistry;
  private readonly token: EraToken;
  private readonly times: BlockTimes;
  private readonly account: string;
  private hubDomain: TypedDataDomain | undefined;
  private lastTickAt = 0;
  private lastError: string | undefined;

  constructor(private readonly o: VerifierOptions) {
    const suite = connectSuite(o.addresses, o.provider);
    this.hub = suite.executionHub;
    this.records = new ActionRecordReads(o.provider, o.addresses.executionHub);
    this.commitments = suite.batchCommitments;
    this.engine = suite.settlementEngine;
    this.scenarios = suite.scenarioRegistry;
    this.token = suite.token;
    this.times = new BlockTimes(o.provider);
    this.account = getAddress(o.account);
  }

  /** One poll (see the class comment). Throws on an RPC failure; what was stored so far stays stored. */
  async tick(): Promise<TickReport> {
    const report: TickReport = {
      lastBlock: this.o.store.lastBlock(),
      head: 0,
      now: 0,
      batchesJudged: 0,
      proofsLanded: 0,
      challengesResolved: 0,
      replaysProven: 0,
      locksRefunded: 0,
    };
    const latest = await this.times.latest();
    report.head = latest.number;
    report.now = latest.timestamp;
    for (;;) {
      const range = nextRange({
        lastProcessed: this.o.store.lastBlock(),
        startBlock: this.o.startBlock,
        head: latest.number,
        confirmations: this.o.confirmations,
        maxRange: this.o.maxBlockRange,
      });
      if (range === undefined) break;
      const writes = await this.readRange(range.fromBlock, range.toBlock);
      this.o.store.atomically(() => {
        for (const write of writes) write();
        this.o.store.setLastBlock(range.toBlock);
      });
      this.o.metrics.lastBlock.set(range.toBlock);
      this.o.logger.debug({ fromBlock: range.fromBlock, toBlock: range.toBlock, events: writes.length }, "range read");
    }
    report.lastBlock = this.o.store.lastBlock();

    const challengeWindow = Number(await this.commitments.challengeWindow());
    for (const row of this.o.store.batchesToCheck()) {
      const landed = await this.judge(row, latest.timestamp, challengeWindow);
      if (landed !== undefined) report.batchesJudged += 1;
      if (landed === true) report.proofsLanded += 1;
    }
    report.challengesResolved = await this.resolveDueChallenges(latest.timestamp);
    report.replaysProven = await this.proveDueReplays();
    if (this.o.refundLocks) report.locksRefunded = await this.refundDueLocks(latest.timestamp);

    const open = this.o.store.countOpenChallenges();
    this.o.metrics.openChallenges.set(open.all);
    this.o.metrics.liveLocks.set(this.o.store.countLiveLocks());
    this.o.metrics.headLag.set(Math.max(0, latest.number - (report.lastBlock ?? this.o.startBlock - 1)));
    this.lastTickAt = Date.now();
    this.lastError = undefined;
    return report;
  }

  /**
   * Polls until `signal` aborts: a tick, then `pollIntervalMs` of sleep. A failed tick is logged and counted as an
   * RPC error and retried at the next poll. Returns once the current tick has finished after the abort.
   */
  async run(pollIntervalMs: number, signal: AbortSignal, onTick?: (r: TickReport) => void): Promise<void> {
    this.o.logger.info({ account: this.account, startBlock: this.o.startBlock }, "verifier started");
    while (!signal.aborted) {
      try {
        const r = await this.tick();
        onTick?.(r);
      } catch (e) {
        this.o.metrics.rpcErrors.inc();
        this.lastError = describeError(e);
        this.o.logger.error({ err: e }, `poll failed, retrying in ${pollIntervalMs} ms: ${this.lastError}`);
      }
      await sleep(pollIntervalMs, signal);
    }
    this.o.logger.info({ lastBlock: this.o.store.lastBlock() }, "verifier stopped");
  }

  /** What `/healthz` shows; unhealthy when no poll succeeded within `staleAfterMs`. */
  health(staleAfterMs: number): { ok: boolean; details: Record<string, unknown> } {
    const sinceTick = this.lastTickAt === 0 ? undefined : Date.now() - this.lastTickAt;
    return {
      ok: sinceTick !== undefined && sinceTick <= staleAfterMs,
      details: {
        lastBlock: this.o.store.lastBlock() ?? null,
        msSinceLastPoll: sinceTick ?? null,
        lastError: this.lastError ?? null,
        batches: this.o.store.countBatches(),
        openChallenges: this.o.store.countOpenChallenges(),
        liveLocks: this.o.store.countLiveLocks(),
        signatureChecks: this.o.signatures !== undefined,
      },
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 1. Reading the chain
  // ---------------------------------------------------------------------------------------------------------------

  private async readRange(fromBlock: number, toBlock: number): Promise<Ingest[]> {
    const bc = this.commitments.interface;
    const se = this.engine.interface;
    const topics = [
      this.hub.interface.getEvent("BatchApplied").topicHash,
      bc.getEvent("BatchCommitted").topicHash,
      bc.getEvent("FraudProven").topicHash,
      bc.getEvent("SignatureChallenged").topicHash,
      bc.getEvent("SignatureAnswered").topicHash,
      bc.getEvent("ChallengeBondReturned").topicHash,
      se.getEvent("Locked").topicHash,
      se.getEvent("Committed").topicHash,
      se.getEvent("Refunded").topicHash,
    ];
    const logs = await logsInRange(
      this.o.provider,
      [this.o.addresses.executionHub, this.o.addresses.batchCommitments, this.o.addresses.settlementEngine],
      topics,
      { fromBlock, toBlock },
    );
    const writes: Ingest[] = [];
    for (const log of logs) {
      const address = getAddress(log.address);
      const write =
        address === getAddress(this.o.addresses.executionHub)
          ? await this.readStandardBatch(log)
          : address === getAddress(this.o.addresses.batchCommitments)
            ? await this.readCommitmentsLog(log)
            : await this.readEngineLog(log);
      if (write !== undefined) writes.push(write);
    }
    return writes;
  }

  private async readCommitmentsLog(log: Log): Promise<Ingest | undefined> {
    const parsed = this.commitments.interface.parseLog(log);
    if (parsed === null) return undefined;
    const store = this.o.store;
    const a = parsed.args;
    switch (parsed.name) {
      case "BatchCommitted": {
        const [batchId, scenarioId, nodeId, root, count, seq] = [a[0], a[1], a[2], a[3], a[4], a[5]] as [
          string,
          bigint,
          bigint,
          string,
          bigint,
          bigint,
        ];
        const submittedAt = await this.times.of(log.blockNumber);
        const actions = await this.rebuildBatch(log.transactionHash, batchId, scenarioId, root);
        const row = {
          batchId,
          scenarioId,
          nodeId,
          seq,
          block: log.blockNumber,
          txHash: log.transactionHash,
          submittedAt,
          count: Number(count),
          root,
          data: actions?.data,
        };
        return () => store.addBatch(row, actions?.actions);
      }
      case "FraudProven": {
        const batchId = a[0] as string;
        return () => store.setBatchState(batchId, "rejected", { fraudProven: { kind: a[1], challenger: a[3] } });
      }
      case "SignatureChallenged": {
        const challenge = {
          batchId: a[0] as string,
          index: Number(a[1]),
          challenger: getAddress(a[2] as string),
          answerDeadline: Number(a[3]),
          ours: getAddress(a[2] as string) === this.account,
          state: "open" as const,
        };
        return () => store.addChallenge(challenge);
      }
      case "SignatureAnswered": {
        const [batchId, index] = [a[0] as string, Number(a[1])];
        return () => {
          const c = store.challenge(batchId, index);
          store.setChallengeState(batchId, index, "answered");
          if (c?.ours === true) {
            this.o.metrics.challengesAnswered.inc();
            this.o.logger.warn({ batchId, index }, "the node answered our challenge with a valid signature: bond lost");
          }
          // The answered action is proven good; judge the batch again for any other bad action.
          if (store.batch(batchId)?.state === "challenged") store.setBatchState(batchId, "new");
        };
      }
      case "ChallengeBondReturned": {
        const [batchId, index] = [a[0] as string, Number(a[1])];
        return () => store.setChallengeState(batchId, index, "resolved");
      }
      default:
        return undefined;
    }
  }

  /**
   * A standard batch: its actions that an earlier lightweight batch already holds are replays, provable against the
   * standard node once that batch is final (`proveStandardReplay`).
   */
  private async readStandardBatch(log: Log): Promise<Ingest | undefined> {
    const parsed = this.hub.interface.parseLog(log);
    if (parsed?.name !== "BatchApplied" || Number(parsed.args[2]) !== ExecutionMode.Standard) return undefined;
    const [batchId, scenarioId, , nodeId, seq] = parsed.args as unknown as [string, bigint, bigint, bigint, bigint];
    const found = await hubCallOfTransaction(
      this.o.provider,
      log.transactionHash,
      this.o.addresses.executionHub,
      isBatch(batchId),
    );
    if (!("call" in found) || found.call.fn !== "submitStandard") {
      this.o.logger.warn(
        { batchId, txHash: log.transactionHash },
        "cannot read this standard batch; its replays are not checked",
      );
      return undefined;
    }
    const keys = found.call.actions.map((a) => useKey(a.user, a.nonce));
    return () => {
      const replays = this.o.store.addReplays(scenarioId, seq, keys);
      if (replays === 0) return;
      this.o.metrics.fraudsFound.inc({ kind: "standard-replay" }, replays);
      this.o.logger.warn(
        { batchId, scenarioId: scenarioId.toString(), nodeId: nodeId.toString(), replays },
        "standard batch replays actions of an earlier lightweight batch; proving once that batch is final",
      );
    };
  }

  /** The batch's actions from its transaction, checked against the committed root; undefined if impossible. */
  private async rebuildBatch(
    txHash: string,
    batchId: string,
    scenarioId: bigint,
    root: string,
  ): Promise<{ data: string; actions: PackedAction[] } | undefined> {
    const found = await hubCallOfTransaction(this.o.provider, txHash, this.o.addresses.executionHub, isBatch(batchId));
    let reason: string;
    if ("call" in found && found.call.fn === "submitLightweight") {
      const { data, actions } = found.call;
      if (new LightweightBatchTree(scenarioId, batchId, actions).root === root) return { data, actions };
      reason = "the rebuilt actions do not give the committed root";
    } else {
      reason = "undecodable" in found ? found.undecodable : "not a lightweight submission";
    }
    this.o.metrics.undecodableBatches.inc();
    this.o.logger.error(
      { batchId, txHash, reason },
      "cannot rebuild this batch's actions from its transaction, so it cannot be verified",
    );
    return undefined;
  }

  private async readEngineLog(log: Log): Promise<Ingest | undefined> {
    const parsed = this.engine.interface.parseLog(log);
    if (parsed === null) return undefined;
    const store = this.o.store;
    const id = parsed.args[0] as string;
    switch (parsed.name) {
      case "Locked": {
        const found = await hubCallOfTransaction(
          this.o.provider,
          log.transactionHash,
          this.o.addresses.executionHub,
          (call) => call.fn === "submitLock" && call.settlement.id.toLowerCase() === id.toLowerCase(),
        );
        const legs = "call" in found && found.call.fn === "submitLock" ? found.call.settlement.legs : undefined;
        if (legs === undefined) {
          this.o.logger.error(
            { lockId: id, txHash: log.transactionHash },
            "cannot read this lock's legs: it will not be refunded by this verifier",
          );
        }
        const lock = {
          id,
          scenarioId: parsed.args[1] as bigint,
          deadline: Number(parsed.args[3]),
          legs,
          state: "locked" as const,
        };
        return () => store.addLock(lock);
      }
      case "Committed":
        return () => store.setLockState(id, "committed");
      case "Refunded":
        return () => store.setLockState(id, "refunded");
      default:
        return undefined;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 2. Judging batches
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Judges one batch and acts on the verdict. Returns undefined when the batch is left for a later poll (signatures
   * unavailable, proof to retry), else whether a proof landed.
   */
  private async judge(row: BatchRow, now: number, challengeWindow: number): Promise<boolean | undefined> {
    const store = this.o.store;
    const log = this.o.logger.child({
      batchId: row.batchId,
      scenarioId: row.scenarioId.toString(),
      seq: row.seq.toString(),
    });
    if (row.data === undefined) return false;
    const status = (await this.commitments.getBatch(row.batchId)).status;
    if (status === REJECTED) {
      store.setBatchState(row.batchId, "rejected");
      return false;
    }
    const actions = unpackActions(row.data);
    const windowEnd = row.submittedAt + challengeWindow;

    let verdict = await this.oneRound(row, actions);
    if (verdict.length === 0 && this.o.signatures !== undefined) {
      const signed = await this.signatureVerdict(this.o.signatures, row, actions, now, windowEnd, log);
      if (signed === "wait") return undefined;
      if (signed === "unverified") return false;
      verdict = signed;
    }

    if (row.state !== "proving") {
      this.o.metrics.batchesChecked.inc();
      this.o.metrics.actionsChecked.inc(row.count);
      for (const f of verdict) this.o.metrics.fraudsFound.inc({ kind: f.kind });
    }
    const target = fraudToProve(verdict);
    if (target === undefined) {
      store.setBatchState(row.batchId, "clean");
      log.debug({ actions: row.count }, "batch clean");
      return false;
    }
    const detail = { fraud: target, found: verdict.length };
    const fraud = JSON.parse(JSON.stringify(target, bigintJson)) as unknown;
    if (now >= windowEnd) {
      store.setBatchState(row.batchId, "too-late", detail);
      log.error({ fraud, windowEnd }, "fraud found after the challenge window closed");
      return false;
    }
    log.warn({ fraud, found: verdict.length }, "fraud found");
    store.setBatchState(row.batchId, "proving", detail);
    return isSignatureFraud(target)
      ? this.challenge(row, actions, target.index)
      : this.proveOneRound(row, actions, target);
  }

  /**
   * The batch's signature frauds, from the signatures its node serves; actions whose challenge the node answered on
   * chain are proven good and never judged again. `wait`: the node could not be asked, ask again next poll.
   * `unverified`: the window is (nearly) over and the node never served them; with `challengeUnserved`, the first
   * action is reported as missing its signature instead (once per batch: not after the node answered a challenge).
   */
  private async signatureVerdict(
    source: SignatureSource,
    row: BatchRow,
    actions: PackedAction[],
    now: number,
    windowEnd: number,
    log: Logger,
  ): Promise<Fraud[] | "wait" | "unverified"> {
    const store = this.o.store;
    const answered = new Set(
      Array.from({ length: row.count }, (_, i) => i).filter(
        (i) => store.challenge(row.batchId, i)?.state === "answered",
      ),
    );
    const answer = await source.signaturesOf({
      batchId: row.batchId,
      scenarioId: row.scenarioId,
      nodeId: row.nodeId,
      count: row.count,
    });
    if (answer.status === "served") {
      return signatureFrauds({
        hubDomain: await this.domain(),
        scenarioId: row.scenarioId,
        actions,
        signatures: answer.signatures,
        otherScenarios: await this.otherScenarios(row.scenarioId),
      }).filter((f) => !answered.has(f.index));
    }
    this.o.metrics.signaturesUnavailable.inc();
    const context = { reason: answer.reason, windowEnd };
    if (now < windowEnd - this.o.signatureGraceSeconds) {
      log.warn(context, "the node's signatures are unavailable; asking again next poll");
      store.setBatchState(row.batchId, "awaiting-signatures", { signatures: answer.reason });
      return "wait";
    }
    // A node that answered a challenge of this batch is alive and holds its signatures: one bond is enough.
    if (!this.o.challengeUnserved || now >= windowEnd || answered.size > 0) {
      log.error(context, "the node never served this batch's signatures; unverified");
      store.setBatchState(row.batchId, "unverified", { signatures: answer.reason });
      return "unverified";
    }
    log.warn(context, "the node never served this batch's signatures; challenging");
    return [{ kind: "missing-signature", index: 0 }];
  }

  /** One-round frauds of a batch, with earlier batches known to be rejected on chain left out. */
  private async oneRound(row: BatchRow, actions: PackedAction[]): Promise<Fraud[]> {
    // Every action's standard record, 256 to an `eth_call` (the deployless ActionRecordReader).
    const standardSeqs = await Promise.all(
      actions.map((a) => this.records.seqOf({ scenarioId: row.scenarioId, user: a.user, nonce: a.nonce })),
    );
    for (;;) {
      const earlier = this.o.store.earlierUses(
        row.scenarioId,
        row.seq,
        actions.map((a) => useKey(a.user, a.nonce)),
      );
      const frauds = oneRoundFrauds({ actions, seq: row.seq, earlier, standardSeqs });
      const across = frauds.find((f) => f.kind === "duplicate-across-batches");
      if (across === undefined || across.kind !== "duplicate-across-batches") return frauds;
      // The store may not have seen the earlier batch's rejection yet (confirmations): ask the chain.
      if ((await this.commitments.getBatch(across.earlier.batchId)).status !== REJECTED) return frauds;
      this.o.store.setBatchState(across.earlier.batchId, "rejected");
    }
  }

  private async proveOneRound(row: BatchRow, actions: PackedAction[], f: Fraud): Promise<boolean | undefined> {
    const tree = new LightweightBatchTree(row.scenarioId, row.batchId, actions);
    const bc = this.commitments.interface;
    let data: string;
    if (f.kind === "duplicate-in-batch") {
      data = bc.encodeFunctionData("proveDuplicateInBatch", [
        row.batchId,
        tree.ref(f.first),
        tree.proof(f.first),
        tree.ref(f.index),
        tree.proof(f.index),
      ]);
    } else if (f.kind === "duplicate-across-batches") {
      const earlierRow = this.o.store.batch(f.earlier.batchId);
      if (earlierRow?.data === undefined) throw new Error(`Earlier batch ${f.earlier.batchId} is not in the store.`);
      const earlierTree = new LightweightBatchTree(
        earlierRow.scenarioId,
        earlierRow.batchId,
        unpackActions(earlierRow.data),
      );
      data = bc.encodeFunctionData("proveDuplicateAcrossBatches", [
        row.batchId,
        tree.ref(f.index),
        tree.proof(f.index),
        earlierRow.batchId,
        earlierTree.ref(f.earlier.index),
        earlierTree.proof(f.earlier.index),
      ]);
    } else {
      data = bc.encodeFunctionData("proveNonceUsedInStandard", [row.batchId, tree.ref(f.index), tree.proof(f.index)]);
    }
    const receipt = await this.send(row, f.kind, f.index, {
      to: this.o.addresses.batchCommitments,
      data,
      label: `fraud-proof:${f.kind}`,
    });
    if (receipt === undefined) return undefined;
    const rejected = this.hasLog(receipt, "FraudProven");
    this.o.store.setBatchState(row.batchId, rejected ? "rejected" : "proving");
    return rejected ? true : undefined;
  }

  /** Challenges the signature of action `index` (or adopts a challenge already open on it). */
  private async challenge(row: BatchRow, actions: PackedAction[], index: number): Promise<boolean | undefined> {
    const store = this.o.store;
    const existing = await this.commitments.getChallenge(row.batchId, index);
    if (existing.challenger !== ZeroAddress) {
      store.addChallenge({
        batchId: row.batchId,
        index,
        challenger: getAddress(existing.challenger),
        answerDeadline: Number(existing.answerDeadline),
        ours: getAddress(existing.challenger) === this.account,
        state: "open",
      });
      store.setBatchState(row.batchId, "challenged");
      this.o.logger.info(
        { batchId: row.batchId, index, challenger: existing.challenger },
        "action already under challenge; watching it",
      );
      return false;
    }
    const bond = await this.commitments.challengeBond();
    if (bond > 0n) {
      const balance = await this.token.balanceOf(this.account);
      if (balance < bond) {
        this.o.metrics.proofsFailed.inc({ kind: "signature-challenge" });
        this.o.logger.error(
          { batchId: row.batchId, index, bond: bond.toString(), balance: balance.toString(), account: this.account },
          "cannot bond a signature challenge: fund the verifier's account with ERA; retrying next poll",
        );
        return undefined;
      }
      if ((await this.token.allowance(this.account, this.o.addresses.batchCommitments)) < bond) {
        const approve = this.token.interface.encodeFunctionData("approve", [this.o.addresses.batchCommitments, bond]);
        const ok = await this.send(row, "approve-bond", index, {
          to: this.o.addresses.token,
          data: approve,
          label: "approve-challenge-bond",
        });
        if (ok === undefined) return undefined;
      }
    }
    const tree = new LightweightBatchTree(row.scenarioId, row.batchId, actions);
    const data = this.commitments.interface.encodeFunctionData("challengeSignature", [
      row.batchId,
      tree.ref(index),
      tree.proof(index),
    ]);
    const receipt = await this.send(row, "signature-challenge", index, {
      to: this.o.addresses.batchCommitments,
      data,
      label: "signature-challenge",
    });
    if (receipt === undefined) return undefined;
    const event = this.findLog(receipt, "SignatureChallenged");
    store.addChallenge({
      batchId: row.batchId,
      index,
      challenger: this.account,
      answerDeadline: event === undefined ? 0 : Number(event.args[3]),
      ours: true,
      state: "open",
    });
    store.setBatchState(row.batchId, "challenged");
    return true;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 3. Challenges, 4. locks
  // ---------------------------------------------------------------------------------------------------------------

  private async resolveDueChallenges(now: number): Promise<number> {
    let resolved = 0;
    for (const c of this.o.store.challengesToWatch()) {
      if (now < c.answerDeadline) continue;
      const onChain = await this.commitments.getChallenge(c.batchId, c.index);
      if (onChain.challenger === ZeroAddress) {
        this.o.store.setChallengeState(c.batchId, c.index, "resolved");
        continue;
      }
      const data = this.commitments.interface.encodeFunctionData("resolveChallenge", [c.batchId, c.index]);
      const row = this.o.store.batch(c.batchId);
      const receipt = await this.send(row ?? { batchId: c.batchId }, "resolve-challenge", c.index, {
        to: this.o.addresses.batchCommitments,
        data,
        label: "resolve-challenge",
      });
      if (receipt === undefined) continue;
      this.o.store.atomically(() => {
        this.o.store.setChallengeState(c.batchId, c.index, "resolved");
        if (this.hasLog(receipt, "FraudProven")) this.o.store.setBatchState(c.batchId, "rejected");
      });
      resolved += 1;
    }
    return resolved;
  }

  /** Proves every recorded standard replay whose lightweight batch is now final; forgets those of rejected ones. */
  private async proveDueReplays(): Promise<number> {
    let proven = 0;
    for (const r of this.o.store.pendingReplays()) {
      const row = this.o.store.batch(r.batchId);
      if (row?.data === undefined) continue;
      if ((await this.commitments.getBatch(r.batchId)).status === REJECTED) {
        this.o.store.setReplayState(r.scenarioId, r.key, "void");
        continue;
      }
      if (!(await this.commitments.isFinal(r.batchId))) continue;
      const tree = new LightweightBatchTree(row.scenarioId, row.batchId, unpackActions(row.data));
      const data = this.commitments.interface.encodeFunctionData("proveStandardReplay", [
        row.batchId,
        tree.ref(r.index),
        tree.proof(r.index),
      ]);
      const receipt = await this.send(
        row,
        "standard-replay",
        r.index,
        { to: this.o.addresses.batchCommitments, data, label: "fraud-proof:standard-replay" },
        // Someone else proved this replay first.
        { CommitmentsNotReplayed: () => this.o.store.setReplayState(r.scenarioId, r.key, "void") },
      );
      if (receipt === undefined) continue;
      this.o.store.setReplayState(r.scenarioId, r.key, "proven");
      proven += 1;
    }
    return proven;
  }

  private async refundDueLocks(now: number): Promise<number> {
    let refunded = 0;
    for (const lock of this.o.store.dueLocks(now)) {
      if (lock.legs === undefined) continue;
      const status = Number(await this.engine.statusOf(lock.id));
      if (status !== SettlementStatus.Locked) {
        this.o.store.setLockState(lock.id, status === SettlementStatus.Committed ? "committed" : "refunded");
        continue;
      }
      const data = this.engine.interface.encodeFunctionData("refund", [lock.id, lock.legs]);
      try {
        await this.o.submitter.submit({ to: this.o.addresses.settlementEngine, data, label: "refund-lock" });
      } catch (e) {
        this.o.logger.error({ err: e, lockId: lock.id }, `refund failed, retrying next poll: ${describeError(e)}`);
        continue;
      }
      this.o.store.setLockState(lock.id, "refunded");
      this.o.metrics.locksRefunded.inc();
      this.o.logger.info(
        { lockId: lock.id, scenarioId: lock.scenarioId.toString(), deadline: lock.deadline },
        "expired lock refunded",
      );
      refunded += 1;
    }
    return refunded;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Sends a proof transaction; records and counts the outcome. Returns the receipt, or undefined when it failed.
   * When the contract says the batch is already rejected or its window closed, the batch's state says so.
   */
  private async send(
    row: Pick<BatchRow, "batchId">,
    kind: string,
    index: number,
    req: TxRequest,
    expected: Partial<Record<string, () => void>> = {},
  ): Promise<TransactionReceipt | undefined> {
    const store = this.o.store;
    this.o.metrics.proofsSubmitted.inc({ kind });
    try {
      const receipt = await this.o.submitter.submit(req);
      this.o.metrics.proofsLanded.inc({ kind });
      store.recordProof({
        batchId: row.batchId,
        action: kind,
        index,
        txHash: receipt.hash,
        outcome: "landed",
        note: undefined,
      });
      this.o.logger.info({ batchId: row.batchId, kind, index, txHash: receipt.hash }, "proof landed");
      return receipt;
    } catch (e) {
      this.o.metrics.proofsFailed.inc({ kind });
      const decoded = decodeContractError(e);
      const note = describeError(e);
      store.recordProof({ batchId: row.batchId, action: kind, index, txHash: undefined, outcome: "failed", note });
      const handle = decoded === undefined ? undefined : expected[decoded.errorName];
      if (handle !== undefined) {
        handle();
        this.o.logger.info({ batchId: row.batchId, kind, error: decoded?.signature }, "nothing left to prove");
      } else if (decoded?.errorName === "CommitmentsBatchRejected") {
        store.setBatchState(row.batchId, "rejected");
        this.o.logger.info({ batchId: row.batchId, kind }, "someone else proved this batch fraudulent first");
      } else if (decoded?.errorName === "CommitmentsWindowClosed") {
        store.setBatchState(row.batchId, "too-late");
        this.o.logger.error({ batchId: row.batchId, kind }, "the challenge window closed before the proof landed");
      } else {
        this.o.logger.error({ err: e, batchId: row.batchId, kind, index }, `proof failed, retrying next poll: ${note}`);
      }
      return undefined;
    }
  }

  private findLog(receipt: TransactionReceipt, name: string) {
    for (const l of receipt.logs) {
      if (getAddress(l.address) !== getAddress(this.o.addresses.batchCommitments)) continue;
      const parsed = this.commitments.interface.parseLog(l);
      if (parsed?.name === name) return parsed;
    }
    return undefined;
  }

  private hasLog(receipt: TransactionReceipt, name: string): boolean {
    return this.findLog(receipt, name) !== undefined;
  }

  private async domain(): Promise<TypedDataDomain> {
    if (this.hubDomain === undefined) {
      const { chainId } = await this.o.provider.getNetwork();
      this.hubDomain = domainOf("ERA ExecutionHub", chainId, this.o.addresses.executionHub);
    }
    return this.hubDomain;
  }

  private async otherScenarios(scenarioId: bigint): Promise<bigint[]> {
    const count = await this.scenarios.scenarioCount();
    const n = count < MAX_SCENARIOS_TRIED ? count : MAX_SCENARIOS_TRIED;
    return Array.from({ length: Number(n) }, (_, i) => BigInt(i + 1)).filter((s) => s !== scenarioId);
  }
}
