import { AbiCoder, type Provider } from "ethers";
import { ActionRecordReader__factory } from "../../typechain-types";

/** One action to look up in `ExecutionHub.actionRecord`. */
export interface ActionQuery {
  scenarioId: bigint;
  user: string;
  nonce: number;
}

/** Most queries in one `eth_call` (about 6,500 gas each: 256 stay far below any node's call gas limit). */
export const MAX_QUERIES_PER_CALL = 256;

const readerInterface = ActionRecordReader__factory.createInterface();

/**
 * The standard-batch sequence number of each query's nonce (0: never applied in standard mode), read in one
 * `eth_call` of the deployless `ActionRecordReader` (contracts/lens): its creation code and arguments are the call's
 * data, and its constructor returns the answers. No contract needs to be deployed and no transaction is sent.
 */
export async function readActionRecords(
  provider: Pick<Provider, "call">,
  hub: string,
  queries: readonly ActionQuery[],
): Promise<bigint[]> {
  if (queries.length === 0) return [];
  if (queries.length > MAX_QUERIES_PER_CALL) {
    throw new RangeError(`At most ${MAX_QUERIES_PER_CALL} action records per call, got ${queries.length}.`);
  }
  const args = readerInterface.encodeDeploy([hub, queries.map((q) => [q.scenarioId, q.user, q.nonce])]);
  const answer = await provider.call({ data: ActionRecordReader__factory.bytecode + args.slice(2) });
  const [seqs] = AbiCoder.defaultAbiCoder().decode(["uint256[]"], answer) as unknown as [bigint[]];
  if (seqs.length !== queries.length) {
    throw new Error(`The action record reader answered ${seqs.length} records for ${queries.length} queries.`);
  }
  return [...seqs];
}

/**
 * Coalesces action-record reads: every `seqOf` asked in the same turn of the event loop goes out in one
 * `readActionRecords` call (more than `MAX_QUERIES_PER_CALL` in several). Intake checks each action's nonce before
 * acknowledging it; a request of 500 actions then costs two calls instead of 500. A failed call rejects each of its
 * reads with the call's error (the caller retries as it would a single read).
 */
export class ActionRecordReads {
  private queue: { query: ActionQuery; resolve: (seq: bigint) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  /** `eth_call`s made so far (for tests and metrics). */
  calls = 0;

  constructor(
    private readonly provider: Pick<Provider, "call">,
    private readonly hub: string,
  ) {}

  /** The sequence number of the standard batch that applied this nonce; 0 if none did. */
  seqOf(query: ActionQuery): Promise<bigint> {
    return new Promise<bigint>((resolve, reject) => {
      this.queue.push({ query, resolve, reject });
      if (this.queue.length >= MAX_QUERIES_PER_CALL) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const reads = this.queue.splice(0, MAX_QUERIES_PER_CALL);
      this.calls++;
      readActionRecords(
        this.provider,
        this.hub,
        reads.map((r) => r.query),
      ).then(
        (seqs) => reads.forEach((r, i) => r.resolve(seqs[i])),
        (error: unknown) => reads.forEach((r) => r.reject(error)),
      );
    }
  }
}
