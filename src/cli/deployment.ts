import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { isAddress, getAddress } from "ethers";
import type { SuiteAddresses } from "../sdk/economy";
import { UsageError } from "./errors";
import { readJsonObject } from "./files";

/** The repository's root: where `deploy/`, `artifacts/` and the default deployment folders live. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Ignition's file of deployed addresses inside a deployment folder. */
export const ADDRESSES_FILE = "deployed_addresses.json";

/** The deployment folder `era deploy` writes and every other command reads by default. */
export function defaultDeploymentDir(chainId: bigint): string {
  return path.join(PROJECT_ROOT, "deploy", "deployments", `chain-${chainId}`);
}

/** Suite address keys by the contract name Ignition records (`EconomyCore#EraToken` → `token`). */
const BY_CONTRACT: Record<string, keyof SuiteAddresses> = {
  EraTimelock: "timelock",
  EraToken: "token",
  NodeRegistry: "nodeRegistry",
  DelegatedStaking: "staking",
  ScenarioRegistry: "scenarioRegistry",
  EpochDistributor: "distributor",
  RevenueRouter: "revenueRouter",
  SettlementEngine: "settlementEngine",
  NotaryRegistry: "notaryRegistry",
  ExecutionHub: "executionHub",
  BatchCommitments: "batchCommitments",
};
const KEYS = Object.values(BY_CONTRACT);

/** Where the addresses of a deployment are read from, and what was read. */
export interface LoadedDeployment {
  file: string;
  addresses: SuiteAddresses;
}

/**
 * Reads the suite's addresses from an Ignition deployment folder (its `deployed_addresses.json`), from that file
 * itself, or from a JSON file of `SuiteAddresses` (flat, or under `addresses` as `era deploy --json` prints it).
 */
export function readDeployment(location: string, how: string): LoadedDeployment {
  const isDir = existsSync(location) && statSync(location).isDirectory();
  const file = isDir ? path.join(location, ADDRESSES_FILE) : location;
  const fix =
    `It is ${how}. Deploy the suite with "era deploy", or point --deployment at an Ignition deployment folder ` +
    `or its ${ADDRESSES_FILE}.`;
  let record = readJsonObject(file, "The deployment file", fix);
  if (record.addresses && typeof record.addresses === "object") record = record.addresses as Record<string, unknown>;
  return { file, addresses: suiteAddressesOf(record, `The deployment file ${file}`) };
}

/**
 * The suite's addresses from a record keyed by Ignition future id (`EconomyCore#EraToken`) or by `SuiteAddresses`
 * name (`token`). `where` names the record in errors.
 */
export function suiteAddressesOf(record: Record<string, unknown>, where: string): SuiteAddresses {
  const found: Partial<Record<keyof SuiteAddresses, string>> = {};
  for (const [key, value] of Object.entries(record)) {
    const contract = key.includes("#") ? key.slice(key.lastIndexOf("#") + 1) : undefined;
    const name = contract !== undefined ? BY_CONTRACT[contract] : (KEYS as string[]).includes(key) ? key : undefined;
    if (name === undefined) continue;
    if (typeof value !== "string" || !isAddress(value)) {
      throw new UsageError(`${where} gives "${key}" no valid address.`, "Check --deployment.");
    }
    found[name as keyof SuiteAddresses] = getAddress(value);
  }
  const missing = KEYS.filter((k) => found[k] === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      `${where} lacks the address of: ${missing.join(", ")}.`,
      `It is not a complete deployment of the suite; finish it with "era deploy" (it resumes), or point --deployment at the right one.`,
    );
  }
  return found as SuiteAddresses;
}
