import type { TransactionReceipt } from "ethers";

/** A transaction a node process wants on chain: target, calldata, and a label for logs and metrics. */
export interface TxRequest {
  to: string;
  data: string;
  value?: bigint;
  /** What this transaction does, e.g. `standard-batch`, `fraud-proof`, `refund-lock` (logs and metrics). */
  label: string;
}

/**
 * Gets transactions mined. Implementations own the signing key's nonce, gas estimation and resubmission; `submit`
 * resolves with the receipt of a mined transaction (status 1) or throws (a decoded contract error when it reverts).
 */
export interface TxSubmitter {
  submit(req: TxRequest): Promise<TransactionReceipt>;
}
