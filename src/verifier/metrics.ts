import { Counter, Gauge, Registry } from "prom-client";

/** What the verifier reports on `/metrics` (Prometheus). All names start with `era_verifier_`. */
export class VerifierMetrics {
  readonly registry: Registry;
  readonly batchesChecked: Counter;
  readonly actionsChecked: Counter;
  readonly fraudsFound: Counter<"kind">;
  readonly proofsSubmitted: Counter<"kind">;
  readonly proofsLanded: Counter<"kind">;
  readonly proofsFailed: Counter<"kind">;
  readonly challengesAnswered: Counter;
  readonly locksRefunded: Counter;
  readonly rpcErrors: Counter;
  readonly undecodableBatches: Counter;
  readonly signaturesUnavailable: Counter;
  readonly lastBlock: Gauge;
  readonly headLag: Gauge;
  readonly openChallenges: Gauge;
  readonly liveLocks: Gauge;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name: `era_verifier_${name}`, help, labelNames, registers: [registry] });
    const gauge = (name: string, help: string) =>
      new Gauge({ name: `era_verifier_${name}`, help, registers: [registry] });
    this.batchesChecked = counter("batches_checked_total", "Lightweight batches fully re-checked");
    this.actionsChecked = counter("actions_checked_total", "Actions of lightweight batches re-checked");
    this.fraudsFound = counter("frauds_found_total", "Bad actions found (and standard replays), by kind", ["kind"]);
    this.proofsSubmitted = counter("proofs_submitted_total", "Fraud proofs, challenges and resolutions sent, by kind", [
      "kind",
    ]);
    this.proofsLanded = counter(
      "proofs_landed_total",
      "Fraud proofs, challenges and resolutions mined successfully, by kind",
      ["kind"],
    );
    this.proofsFailed = counter(
      "proofs_failed_total",
      "Fraud proofs, challenges and resolutions that failed (retried while the window is open), by kind",
      ["kind"],
    );
    this.challengesAnswered = counter(
      "challenges_answered_total",
      "Challenges of ours the node answered with a valid signature (bond lost)",
    );
    this.locksRefunded = counter("locks_refunded_total", "Expired settlement locks refunded by this verifier");
    this.rpcErrors = counter("rpc_errors_total", "Failed polls (JSON-RPC failures; the poll is retried)");
    this.undecodableBatches = counter(
      "undecodable_batches_total",
      "Batches whose actions could not be rebuilt from their transaction (not a direct hub call)",
    );
    this.signaturesUnavailable = counter(
      "signatures_unavailable_total",
      "Times a node could not be asked for a batch's signatures",
    );
    this.lastBlock = gauge("last_block", "Last block fully processed");
    this.headLag = gauge("head_lag_blocks", "Blocks between the chain head and the last block processed");
    this.openChallenges = gauge("open_challenges", "Signature challenges open on batches the verifier watches");
    this.liveLocks = gauge("live_locks", "Settlement locks seen and not yet committed or refunded");
  }
}
