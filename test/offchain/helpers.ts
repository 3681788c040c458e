import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Signer, TransactionReceipt } from "ethers";
import { createLogger } from "../../src/node/logger";
import type { TxRequest, TxSubmitter } from "../../src/node/types";

/** A `TxSubmitter` over a Hardhat signer: sends, waits for the receipt, throws on a revert (as the executor's does). */
export function signerSubmitter(signer: Signer): TxSubmitter & { sent: TxRequest[] } {
  const sent: TxRequest[] = [];
  return {
    sent,
    async submit(req: TxRequest): Promise<TransactionReceipt> {
      sent.push(req);
      const tx = await signer.sendTransaction({ to: req.to, data: req.data, value: req.value });
      const receipt = await tx.wait();
      if (receipt === null) throw new Error(`No receipt for ${req.label}`);
      return receipt;
    },
  };
}

/** A fresh temporary folder for state files, removed by `cleanup`. */
export function tempDir(): { path: string; file(name: string): string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), "era-offchain-"));
  return { path, file: (name) => join(path, name), cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A logger that writes nothing (tests). */
export const silentLogger = createLogger("test", "silent");

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error("Expected a rejection, but the promise resolved.");
}
