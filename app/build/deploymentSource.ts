import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { stakingAddressesOf, type EmbeddedDeployment } from "../src/lib/deployment";

/**
 * Reads the Ignition deployment the page is built for (Node only; used by vite.config.ts):
 * - `ERA_APP_DEPLOYMENT`: a deployment id under `deploy/deployments/` (default `chain-31337`, what
 *   `npm run deploy:local` writes) or a path to a deployment directory;
 * - `ERA_APP_RPC_URL`: the chain's JSON-RPC URL the page reads from (default `http://127.0.0.1:8545` on chain
 *   31337; elsewhere none, and the page reads through the connected wallet);
 * - `ERA_APP_CHAIN_NAME`: the chain's name as the page shows it (optional).
 */
export function loadDeployment(repoRoot: string, env: Record<string, string | undefined>): EmbeddedDeployment {
  const chosen = env.ERA_APP_DEPLOYMENT?.trim() || "chain-31337";
  const dir = /[\\/]/.test(chosen)
    ? path.resolve(repoRoot, chosen)
    : path.join(repoRoot, "deploy", "deployments", chosen);
  const addressesFile = path.join(dir, "deployed_addresses.json");
  if (!existsSync(addressesFile)) {
    throw new Error(
      `No Ignition deployment at ${path.relative(repoRoot, dir) || dir} (no deployed_addresses.json). Deploy the ` +
        "suite first (npx hardhat node, then npm run deploy:local), or run npm run app, which does both; for " +
        "another network set ERA_APP_DEPLOYMENT to its deployment id (e.g. chain-11155111).",
    );
  }
  const addresses = JSON.parse(readFileSync(addressesFile, "utf8")) as Record<string, unknown>;
  stakingAddressesOf(addresses, addressesFile);
  const chainId = chainIdOf(dir, path.basename(dir));
  const rpcUrl = env.ERA_APP_RPC_URL?.trim() || (chainId === 31337 ? "http://127.0.0.1:8545" : undefined);
  if (rpcUrl !== undefined && !/^https?:\/\/\S+$/.test(rpcUrl)) {
    throw new Error(`ERA_APP_RPC_URL must be an http(s):// URL, not "${rpcUrl}".`);
  }
  return { id: path.basename(dir), chainId, rpcUrl, chainName: env.ERA_APP_CHAIN_NAME?.trim() || undefined, addresses };
}

/** The chain id Ignition recorded in the journal's first entry, else the one in a `chain-<id>` directory name. */
export function chainIdOf(dir: string, id: string): number {
  const journal = path.join(dir, "journal.jsonl");
  if (existsSync(journal)) {
    // Ignition writes one JSON record per line (the first line may be empty); the deployment starts with its chain.
    const first = readFileSync(journal, "utf8")
      .split("\n")
      .find((line) => line.trim() !== "");
    try {
      const entry = JSON.parse(first ?? "") as { type?: unknown; chainId?: unknown };
      if (entry.type === "DEPLOYMENT_INITIALIZE" && typeof entry.chainId === "number") return entry.chainId;
    } catch {
      // Fall through to the directory name.
    }
  }
  const match = /^chain-(\d+)$/.exec(id);
  if (match) return Number(match[1]);
  throw new Error(`Cannot tell the chain of deployment ${id}: its journal.jsonl has no DEPLOYMENT_INITIALIZE entry.`);
}

/** A Content-Security-Policy that lets the page reach its own files and the chain's RPC, nothing else. */
export function contentSecurityPolicy(rpcUrl: string | undefined): string {
  const connect = ["'self'", rpcUrl ? new URL(rpcUrl).origin : ""].filter(Boolean).join(" ");
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}
