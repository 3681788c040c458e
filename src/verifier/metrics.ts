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
    const r = [registry];
    this.batchesChecked = new Counter({
      name: "era_verifier_batches_checked_total",
      help: "Lightweight batches fully re-checked",
      registers: r,
    });
    this.actionsChecked = new Counter({
      name: "era_verifier_actions_checked_total",
      help: "Actions of lightweight batches re-checked",
      registers: r,
    });
    this.fraudsFound = new Counter({
      name: "era_verifier_frauds_found_total",
      help: "Bad actions found, by fraud kind",
      labelNames: ["kind"],
      registers: r,
    });
    this.proofsSubmitted = new Counter({
      name: "era_verifier_proofs_submitted_total",
      help: "Fraud proofs, challenges and resolutions sent, by kind",
      labelNames: ["kind"],
      registers: r,
    });
    this.proofsLanded = new Counter({
      name: "era_verifier_proofs_landed_total",
      help: "Fraud proofs, challenges and resolutions mined successfully, by kind",
      labelNames: ["kind"],
      registers: r,
    });
    this.proofsFailed = new Counter({
      name: "era_verifier_proofs_failed_total",
      help: "Fraud proofs, challenges and resolutions that failed (retried while the window is open), by kind",
      labelNames: ["kind"],
      registers: r,
    });
    this.challengesAnswered = new Counter({
      name: "era_verifier_challenges_answered_total",
      help: "Challenges of ours the node answered with a valid signature (bond lost)",
      registers: r,
    });
    this.locksRefunded = new Counter({
      name: "era_verifier_locks_refunded_total",
      help: "Expired settlement locks refunded by this verifier",
      registers: r,
    });
    this.rpcErrors = new Counter({
      name: "era_verifier_rpc_errors_total",
      help: "JSON-RPC failures (the poll is retried)",
      registers: r,
    });
    this.undecodableBatches = new Counter({
      name: "era_verifier_undecodable_batches_total",
      help: "Batches whose actions could not be rebuilt from their transaction (not a direct hub call)",
      registers: r,
    });
    this.signaturesUnavailable = new Counter({
      name: "era_verifier_signatures_unavailable_total",
      help: "Times a node could not be asked for a batch's signatures",
      registers: r,
    });
    this.lastBlock = new Gauge({
      name: "era_verifier_last_block",
      help: "Last block fully processed",
      registers: r,
    });
    this.headLag = new Gauge({
      name: "era_verifier_head_lag_blocks",
      help: "Blocks between the chain head and the last block processed",
      registers: r,
    });
    this.openChallenges = new Gauge({
      name: "era_verifier_open_challenges",
      help: "Signature challenges open on batches the verifier watches",
      registers: r,
    });
    this.liveLocks = new Gauge({
      name: "era_verifier_live_locks",
      help: "Settlement locks seen and not yet committed or refunded",
      registers: r,
    });
  }
}
