import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ethers, network } from "hardhat";
import { JsonRpcProvider, Network, type Signer, type TransactionReceipt } from "ethers";
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

interface JsonRpcRequest {
  id: number | string | null;
  method: string;
  params?: unknown[];
}

/**
 * The in-process Hardhat network behind a real HTTP JSON-RPC endpoint (on a free port), with an ethers
 * `JsonRpcProvider` on it: what a node process sees of a `hardhat node` or any RPC URL, while tests keep fixtures.
 */
export async function jsonRpcBridge(): Promise<{ url: string; provider: JsonRpcProvider; close(): Promise<void> }> {
  const answer = async (req: JsonRpcRequest) => {
    try {
      return {
        jsonrpc: "2.0",
        id: req.id,
        result: await network.provider.request({ method: req.method, params: req.params }),
      };
    } catch (e) {
      const err = e as { code?: number; message?: string; data?: unknown };
      return {
        jsonrpc: "2.0",
        id: req.id,
        error: { code: err.code ?? -32603, message: err.message ?? String(e), data: err.data },
      };
    }
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const parsed = JSON.parse(body) as JsonRpcRequest | JsonRpcRequest[];
      const reply = Array.isArray(parsed) ? Promise.all(parsed.map(answer)) : answer(parsed);
      void reply.then((r) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(r)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { chainId } = await ethers.provider.getNetwork();
  const provider = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true });
  return {
    url,
    provider,
    close: async () => {
      provider.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
