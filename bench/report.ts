/** The benchmark's environment description, console table and Markdown table. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import type { GasResults } from "./gas";
import type { PeerBuild } from "./peers";

export interface Environment {
  machine: { cpu: string; cores: number; memoryGiB: number; platform: string; node: string };
  versions: Record<string, string>;
  settings: Record<string, string | number | boolean>;
}

/** An installed package's version (read from its package.json: not every package exports that file). */
const versionOf = (pkg: string): string =>
  (
    JSON.parse(fs.readFileSync(path.join(__dirname, "..", "node_modules", pkg, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;

export function environmentOf(peers: PeerBuild, small: boolean): Environment {
  const cpus = os.cpus();
  const solidity = hre.config.solidity.compilers[0];
  return {
    machine: {
      cpu: cpus[0]?.model.trim() ?? "unknown",
      cores: cpus.length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
    },
    versions: {
      hardhat: versionOf("hardhat"),
      ethers: versionOf("ethers"),
      "solc (ERA suite)": solidity.version,
      "solc (EAS)": peers.compilers.eas,
      "solc (StakingRewards)": peers.compilers.synthetix,
      "solc (MerkleDistributor)": peers.compilers.uniswap,
      "@ethereum-attestation-service/eas-contracts": versionOf("@ethereum-attestation-service/eas-contracts"),
      synthetix: versionOf("synthetix"),
      "@uniswap/merkle-distributor": versionOf("@uniswap/merkle-distributor"),
      "@openzeppelin/contracts": versionOf("@openzeppelin/contracts"),
    },
    settings: {
      network: "hardhat (in-process)",
      hardfork: hre.config.networks.hardhat.hardfork,
      "gas cap per transaction (EIP-7825)": 16_777_216,
      "ERA suite optimizer runs": solidity.settings?.optimizer?.runs ?? 0,
      "ERA suite evmVersion": solidity.settings?.evmVersion ?? "default",
      EAS: peers.eas.source,
      StakingRewards: peers.stakingRewards.source,
      MerkleDistributor: peers.merkleDistributor.source,
      "gas figure": "receipt gasUsed",
      sizes: small ? "small (shape test)" : "full",
    },
  };
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** The rows and targets as aligned text for the console. */
export function consoleTable(g: GasResults): string {
  const w = [Math.max(...g.rows.map((r) => r.ours.length)), Math.max(...g.rows.map((r) => r.peer.length))];
  const lines = [
    `${"ERA suite".padEnd(w[0])} ${"gas".padStart(9)}   ${"peer / reference".padEnd(w[1])} ${"gas".padStart(9)}   ratio`,
  ];
  let group = "";
  for (const r of g.rows) {
    if (r.group !== group) lines.push(`-- ${(group = r.group)}`);
    lines.push(
      `${r.ours.padEnd(w[0])} ${fmt(r.oursGas).padStart(9)}   ${r.peer.padEnd(w[1])} ${fmt(r.peerGas).padStart(9)}   ${r.ratio.toFixed(4)}${r.note ? `   (${r.note})` : ""}`,
    );
  }
  lines.push("", "targets:");
  for (const t of g.targets)
    lines.push(`  ${t.met ? "met   " : "MISSED"} ${t.name}: ${t.ratio.toFixed(4)} (≤ ${t.max})`);
  return lines.join("\n");
}

/** The rows and targets as Markdown (the README's benchmark section). */
export function markdownTables(g: GasResults): string {
  const lines = ["| ERA suite | gas | peer / reference | gas | ratio |", "| --- | ---: | --- | ---: | ---: |"];
  for (const r of g.rows)
    lines.push(
      `| ${r.ours} | ${fmt(r.oursGas)} | ${r.peer}${r.note ? ` (${r.note})` : ""} | ${fmt(r.peerGas)} | ${r.ratio.toFixed(4)} |`,
    );
  lines.push("", "| target | ratio | ≤ | |", "| --- | ---: | ---: | --- |");
  for (const t of g.targets)
    lines.push(`| ${t.name} | ${t.ratio.toFixed(4)} | ${t.max} | ${t.met ? "met" : "**missed**"} |`);
  return lines.join("\n");
}
