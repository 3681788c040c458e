/**
 * The benchmark peers, built in the same run from their npm packages (nothing of theirs is copied into `contracts/`):
 *
 * - EAS 1.9.0 (`EAS`, `SchemaRegistry`): solc 0.8.29 (`solc-0.8.29`) with the settings of EAS's own hardhat config
 *   at its 1.9.0 release (optimizer runs 1,000,000, evmVersion paris, no metadata hash). The package does not ship that
 *   config; `compilePeers` checks that its build equals the runtime bytecode the package ships in `artifacts/`.
 * - Synthetix 2.102.1 `StakingRewards`: solc 0.5.16 (`solc-0.5.16`) with Synthetix's optimizer setting (runs 200),
 *   its OpenZeppelin 2.3 imports from `openzeppelin-solidity-2.3.0`.
 * - Uniswap `MerkleDistributor` 1.0.1: the package ships no Solidity, only Uniswap's own build (solc 0.6.11); its
 *   published bytecode and ABI are deployed as they are.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export interface PeerArtifact {
  abi: unknown[];
  bytecode: string;
  /** Where it comes from: package, compiler and settings. */
  source: string;
}

export interface PeerBuild {
  eas: PeerArtifact;
  schemaRegistry: PeerArtifact;
  stakingRewards: PeerArtifact;
  merkleDistributor: PeerArtifact;
  compilers: Record<string, string>;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<
    string,
    Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
}

interface Solc {
  compile(input: string, callbacks: { import: (path: string) => { contents: string } | { error: string } }): string;
  version(): string;
}

function findImport(importPath: string): { contents: string } | { error: string } {
  try {
    return { contents: fs.readFileSync(require.resolve(importPath), "utf8") };
  } catch {
    return { error: `not found in node_modules: ${importPath}` };
  }
}

/**
 * Compiles `sources` (module paths resolved in node_modules) with the solc-js package `solcPackage`. With `cacheDir`,
 * an output already built from the same input by the same compiler is read from there instead.
 */
function compile(
  solcPackage: string,
  sources: string[],
  settings: object,
  cacheDir?: string,
): { out: SolcOutput; version: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require(solcPackage) as Solc;
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(sources.map((s) => [s, { content: fs.readFileSync(require.resolve(s), "utf8") }])),
    settings: {
      ...settings,
      outputSelection: { [sources[0]]: { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  for (const s of sources.slice(1))
    input.settings.outputSelection[s] = { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] };
  const key = createHash("sha256").update(solc.version()).update(JSON.stringify(input)).digest("hex").slice(0, 16);
  const cached = cacheDir && path.join(cacheDir, `${solcPackage}-${key}.json`);
  if (cached && fs.existsSync(cached))
    return { out: JSON.parse(fs.readFileSync(cached, "utf8")) as SolcOutput, version: solc.version() };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(`${solcPackage}: ${errors.map((e) => e.formattedMessage).join("\n")}`);
  if (cached) {
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(cached, JSON.stringify(out));
  }
  return { out, version: solc.version() };
}

const EAS_DIR = "@ethereum-attestation-service/eas-contracts";
const EAS_SETTINGS = {
  optimizer: { enabled: true, runs: 1_000_000 },
  evmVersion: "paris",
  metadata: { bytecodeHash: "none" },
};
const SYNTHETIX_SETTINGS = { optimizer: { enabled: true, runs: 200 } };

/**
 * Compiles EAS and StakingRewards from their packages and loads Uniswap's published MerkleDistributor. `cacheDir`
 * (the shape test passes one) keeps the compiler outputs between runs; `npm run bench` compiles every time.
 */
export function compilePeers(cacheDir?: string): PeerBuild {
  const easSources = [`${EAS_DIR}/contracts/EAS.sol`, `${EAS_DIR}/contracts/SchemaRegistry.sol`];
  const eas = compile("solc-0.8.29", easSources, EAS_SETTINGS, cacheDir);
  const artifactOf = (out: SolcOutput, file: string, name: string, source: string): PeerArtifact => {
    const c = out.contracts[file]?.[name];
    if (!c) throw new Error(`${name} missing from the build of ${file}`);
    return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}`, source };
  };
  const easNote = `${EAS_DIR} 1.9.0, solc ${eas.version}, optimizer runs 1,000,000, evm paris`;
  const easArtifact = artifactOf(eas.out, easSources[0], "EAS", easNote);
  // The package's own build (same compiler and settings) must be what we deploy: same runtime code.
  const shipped = JSON.parse(
    fs.readFileSync(require.resolve(`${EAS_DIR}/artifacts/contracts/EAS.sol/EAS.json`), "utf8"),
  ) as { deployedBytecode: string };
  const ours = eas.out.contracts[easSources[0]].EAS.evm.deployedBytecode.object;
  const sameCode = shipped.deployedBytecode.slice(2).toLowerCase() === ours.toLowerCase();
  const stakingFile = "synthetix/contracts/StakingRewards.sol";
  const synthetix = compile("solc-0.5.16", [stakingFile], SYNTHETIX_SETTINGS, cacheDir);
  const uniswap = JSON.parse(
    fs.readFileSync(require.resolve("@uniswap/merkle-distributor/build/MerkleDistributor.json"), "utf8"),
  ) as { abi: unknown[]; bytecode: string };
  return {
    eas: { ...easArtifact, source: sameCode ? `${easNote} (runtime code = the package's artifact)` : easNote },
    schemaRegistry: artifactOf(eas.out, easSources[1], "SchemaRegistry", easNote),
    stakingRewards: artifactOf(
      synthetix.out,
      stakingFile,
      "StakingRewards",
      `synthetix 2.102.1, solc ${synthetix.version}, optimizer runs 200`,
    ),
    merkleDistributor: {
      abi: uniswap.abi,
      bytecode: uniswap.bytecode.startsWith("0x") ? uniswap.bytecode : `0x${uniswap.bytecode}`,
      source:
        "@uniswap/merkle-distributor 1.0.1, Uniswap's published bytecode (solc 0.6.11; the package has no sources)",
    },
    compilers: { eas: eas.version, synthetix: synthetix.version, uniswap: "0.6.11 (published build)" },
  };
}
