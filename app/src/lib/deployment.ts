import { getAddress, isAddress } from "ethers";

/**
 * The deployment the page talks to. `vite.config.ts` reads it at build time from the Ignition deployment of the chosen
 * network (`deploy/deployments/<id>/deployed_addresses.json` and the chain id in its journal) and embeds it, so the
 * page makes no request beyond the chain's RPC.
 */

/** The contracts the staking page uses, by the contract name Ignition records them under. */
const CONTRACTS = {
  token: "EraToken",
  nodeRegistry: "NodeRegistry",
  staking: "DelegatedStaking",
  distributor: "EpochDistributor",
} as const;

export type StakingAddresses = { -readonly [K in keyof typeof CONTRACTS]: string };

/** What the build embeds (see vite.config.ts). */
export interface EmbeddedDeployment {
  /** The Ignition deployment id, e.g. `chain-31337`. */
  id: string;
  chainId: number;
  /** A JSON-RPC URL the page reads from before a wallet is connected, and offers to the wallet to add the chain. */
  rpcUrl?: string;
  chainName?: string;
  /** `deployed_addresses.json` as Ignition wrote it: `{ "EconomyCore#EraToken": "0x…", … }`. */
  addresses: Record<string, unknown>;
}

export interface AppDeployment {
  id: string;
  chainId: number;
  chainName: string;
  rpcUrl?: string;
  addresses: StakingAddresses;
}

const KNOWN_CHAINS: Record<number, string> = {
  1: "Ethereum",
  10: "OP Mainnet",
  8453: "Base",
  42161: "Arbitrum One",
  11155111: "Sepolia",
  84532: "Base Sepolia",
  421614: "Arbitrum Sepolia",
  31337: "Hardhat (local)",
};

/** A human name for a chain id: `31337` → `"Hardhat (local)"`, unknown ids → `"chain 12345"`. */
export function chainLabel(chainId: number | bigint): string {
  return KNOWN_CHAINS[Number(chainId)] ?? `chain ${chainId.toString()}`;
}

/** A chain's name with its id: `"Hardhat (local) (chain 31337)"`, unknown ids → `"chain 12345"`. */
export function describeChain(chainId: number | bigint): string {
  const name = KNOWN_CHAINS[Number(chainId)];
  return name ? `${name} (chain ${chainId.toString()})` : `chain ${chainId.toString()}`;
}

/**
 * Picks the staking page's contracts out of Ignition's `deployed_addresses.json` (keys `<Module>#<Contract>`, any
 * module). Throws naming what is missing or malformed.
 */
export function stakingAddressesOf(
  deployed: Record<string, unknown>,
  source = "deployed_addresses.json",
): StakingAddresses {
  const byName = new Map<string, unknown>();
  for (const [key, value] of Object.entries(deployed)) byName.set(key.slice(key.indexOf("#") + 1), value);
  const missing: string[] = [];
  const out: Partial<StakingAddresses> = {};
  for (const [field, name] of Object.entries(CONTRACTS) as [keyof StakingAddresses, string][]) {
    const value = byName.get(name);
    if (value === undefined) {
      missing.push(name);
    } else if (typeof value !== "string" || !isAddress(value)) {
      throw new Error(`${source}: the address of ${name} is not an address (${String(value)}).`);
    } else {
      out[field] = getAddress(value);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `${source} has no ${missing.join(", ")}: it is not a deployment of the suite. Deploy deploy/modules/Suite.ts.`,
    );
  }
  return out as StakingAddresses;
}

/** Checks what the build embedded and resolves the addresses and the chain's name. */
export function appDeploymentOf(embedded: EmbeddedDeployment): AppDeployment {
  if (!Number.isSafeInteger(embedded.chainId) || embedded.chainId <= 0) {
    throw new Error(`Deployment ${embedded.id}: chain id ${String(embedded.chainId)} is not a positive integer.`);
  }
  return {
    id: embedded.id,
    chainId: embedded.chainId,
    chainName: embedded.chainName || chainLabel(embedded.chainId),
    rpcUrl: embedded.rpcUrl || undefined,
    addresses: stakingAddressesOf(embedded.addresses, `Deployment ${embedded.id}`),
  };
}
