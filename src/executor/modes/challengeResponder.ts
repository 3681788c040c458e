import { getAddress, type TypedDataDomain } from "ethers";
import { domainOf } from "../../sdk/execution";
import type { TxSubmitter } from "../../node/types";
import { decodeContractError, describeError } from "../../sdk/errors";
import { LogPoller, Ticker } from "../../node/blockScan";
import type { ActionJob } from "../types";
import { recoverStrict } from "../../sdk/signatures";
import { ChainReader, chainNow, type ModeContext } from "./common";
import { actionDigestOf } from "./lightweight";

/** Where the responder finds the users' signatures: the actions of a batch as the executor journaled them. */
export interface BatchActionsSource {
  /** The action jobs of `batchId`, or undefined when this executor does not know the batch. */
  actionsOf(batchId: string): Promise<readonly ActionJob[] | undefined>;
}

export interface ChallengeResponderOptions extends ModeContext {
  /** Sends the answers with the node's key (anyone may answer; the bond goes to the node's operator either way). */
  submitter: TxSubmitter;
  actions: BatchActionsSource;
  /** First block to watch: at most one answer window before the executor's start (or the deployment block). */
  fromBlock: number;
  /** How often to poll for challenges (default 15 s; the answer window is hours). */
  pollIntervalMs?: number;
  confirmations?: number;
  maxBlockRange?: number;
}

/** What became of one challenge. */
export type ChallengeOutcome =
  | { kind: "answered"; batchId: string; index: bigint; txHash: string }
  /** The batch is another node's. */
  | { kind: "not-ours"; batchId: string; index: bigint }
  /** Nothing to answer any more: answered or resolved by someone else. */
  | { kind: "closed"; batchId: string; index: bigint }
  /** The answer window ended before an answer could land. */
  | { kind: "missed"; batchId: string; index: bigint; answerDeadline: bigint }
  /** This executor has no valid signature for the action: the batch will be rejected and the node slashed. */
  | { kind: "unanswerable"; batchId: string; index: bigint; reason: string }
  /** Answering failed for now; it is tried again on the next poll until the window ends. */
  | { kind: "retry"; batchId: string; index: bigint; reason: string };

interface OpenChallenge {
  batchId: string;
  index: bigint;
}

/**
 * Answers signature challenges against this node's lightweight batches. A challenger bonds ERA and names an action of
 * a batch; unless the node posts the user's signature for it (`BatchCommitments.answerChallenge`) before the answer
 * window ends, the batch is rejected and the node slashed. The executor keeps every signature it batched, so each
 * honest challenge is answered and the challenger's bond goes to the node's operator.
 *
 * Follows `SignatureChallenged` events by polling (`poll` once, or `start` a loop); a challenge whose answer fails is
 * retried on later polls while its window is open.
 */
export class ChallengeResponder extends ChainReader {
  private readonly poller: LogPoller;
  private readonly ticker: Ticker;
  private readonly retries = new Map<string, OpenChallenge>();
  private readonly hubDomain: TypedDataDomain;

  constructor(private readonly options: ChallengeResponderOptions) {
    super(options);
    const commitments = this.suite.batchCommitments;
    this.poller = new LogPoller({
      provider: options.provider,
      address: options.addresses.batchCommitments,
      iface: commitments.interface,
      event: "SignatureChallenged",
      fromBlock: options.fromBlock,
      confirmations: options.confirmations,
      maxBlockRange: options.maxBlockRange,
    });
    this.hubDomain = domainOf("ERA ExecutionHub", options.chainId, options.addresses.executionHub);
    this.ticker = new Ticker(
      options.pollIntervalMs ?? 15_000,
      () => this.poll(),
      this.log,
      "polling signature challenges",
    );
  }

  start(): void {
    this.ticker.start();
  }

  async stop(): Promise<void> {
    await this.ticker.stop();
  }

  /** Reads new challenges (and retries failed answers) once; returns what became of each. */
  async poll(): Promise<ChallengeOutcome[]> {
    const fresh = (await this.poller.poll()).map(({ event }) => ({
      batchId: event.args.batchId as string,
      index: event.args.index as bigint,
    }));
    const todo = [...this.retries.values(), ...fresh];
    this.retries.clear();
    const outcomes: ChallengeOutcome[] = [];
    for (const c of todo) {
      const outcome = await this.handle(c).catch((err: unknown): ChallengeOutcome => ({
        kind: "retry",
        ...c,
        reason: describeError(err),
      }));
      if (outcome.kind === "retry") this.retries.set(`${c.batchId}:${c.index}`, c);
      this.report(outcome);
      outcomes.push(outcome);
    }
    return outcomes;
  }

  private async handle(c: OpenChallenge): Promise<ChallengeOutcome> {
    const { batchCommitments } = this.suite;
    const batch = await batchCommitments.getBatch(c.batchId);
    if (batch.nodeId !== this.options.nodeId) return { kind: "not-ours", ...c };
    const open = await batchCommitments.getChallenge(c.batchId, c.index);
    if (BigInt(open.challenger) === 0n) return { kind: "closed", ...c };
    if ((await chainNow(this.options.provider)) >= open.answerDeadline) {
      return { kind: "missed", ...c, answerDeadline: open.answerDeadline };
    }

    const actions = await this.options.actions.actionsOf(c.batchId);
    if (actions === undefined) {
      return { kind: "unanswerable", ...c, reason: "this executor's journal does not know the batch" };
    }
    const user = getAddress(open.user);
    const job = actions.find(
      (a) =>
        getAddress(a.user) === user &&
        BigInt(a.nonce) === open.nonce &&
        a.payload === open.payload &&
        a.scenarioId === batch.scenarioId,
    );
    if (job === undefined) {
      return {
        kind: "unanswerable",
        ...c,
        reason: `the journal holds no action of ${user} with nonce ${open.nonce} and payload ${open.payload} in the batch`,
      };
    }
    if (recoverStrict(actionDigestOf(this.hubDomain, job), job.signature) !== user) {
      return { kind: "unanswerable", ...c, reason: `the journaled signature of ${user}'s action does not verify` };
    }

    try {
      const receipt = await this.options.submitter.submit({
        to: this.options.addresses.batchCommitments,
        data: batchCommitments.interface.encodeFunctionData("answerChallenge", [c.batchId, c.index, job.signature]),
        label: "challenge-answer",
      });
      return { kind: "answered", ...c, txHash: receipt.hash };
    } catch (err) {
      const decoded = decodeContractError(err);
      if (decoded?.errorName === "CommitmentsNoChallenge") return { kind: "closed", ...c };
      if (decoded?.errorName === "CommitmentsAnswerWindow") {
        return { kind: "missed", ...c, answerDeadline: open.answerDeadline };
      }
      return { kind: "retry", ...c, reason: describeError(err) };
    }
  }

  private report(o: ChallengeOutcome): void {
    const at = { batchId: o.batchId, index: o.index.toString() };
    switch (o.kind) {
      case "answered":
        this.log.info(
          { ...at, txHash: o.txHash },
          "signature challenge answered; the challenger's bond goes to the operator",
        );
        break;
      case "not-ours":
      case "closed":
        this.log.debug({ ...at, outcome: o.kind }, "signature challenge needs no answer from this node");
        break;
      case "missed":
        this.log.error(
          { ...at, answerDeadline: o.answerDeadline.toString() },
          "signature challenge NOT answered in time: the batch will be rejected and the node slashed once anyone resolves it",
        );
        break;
      case "unanswerable":
        this.log.error(
          { ...at, reason: o.reason },
          "signature challenge cannot be answered: the batch will be rejected and the node slashed at the answer deadline; check the journal",
        );
        break;
      case "retry":
        this.log.warn({ ...at, reason: o.reason }, "answering a signature challenge failed; retrying at the next poll");
        break;
    }
  }
}
