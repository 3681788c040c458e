import { ethers } from "hardhat";
import { setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, type ContractTransactionResponse, type Signer, type TypedDataDomain } from "ethers";
import { ERA, fundedEconomyFixture, type EconomyFixture } from "./fixtures";
import {
  domainOf,
  signAction,
  signAttestation,
  signBatchAttestation,
  sortBySigner,
  type AttestationFields,
  type BatchAttestationFields,
  type PackedAction,
} from "../../src/sdk/execution";

/**
 * What the tests of the execution layer (hub, settlement, lightweight, notary) share: node keys the tests hold, the
 * EIP-712 domains, signatures (and their malleated twins), and block time.
 */

// ---------------------------------------------------------------------------------------------------------------------
// Node keys and domains
// ---------------------------------------------------------------------------------------------------------------------

/** A wallet whose private key is derived from `label` (the same address every run), connected to the provider. */
export function deterministicWallet(label: string): Wallet {
  return new Wallet(ethers.id(`ERA execution test key: ${label}`), ethers.provider);
}

/** `deterministicWallet(label)` holding 100 ETH for gas. */
export async function fundedWallet(label: string): Promise<Wallet> {
  const wallet = deterministicWallet(label);
  await setBalance(wallet.address, 100n * ERA);
  return wallet;
}

export interface ExecutionFixture extends EconomyFixture {
  signingKeys: string[];
  /** Signing key of node 1 (operator1), which serves scenarios 1, 2 and 3. */
  node1Key: Wallet;
  /** Signing key of node 2 (operator2): active, serving no scenario. */
  node2Key: Wallet;
  chainId: bigint;
  /** The EIP-712 domains users, payers and nodes sign under. */
  hubDomain: TypedDataDomain;
  engineDomain: TypedDataDomain;
  notaryDomain: TypedDataDomain;
}

/**
 * `fundedEconomyFixture` with node keys the tests hold: nodes 1 and 2 rotate their signing keys to funded,
 * deterministic wallets.
 */
export async function executionFixture(): Promise<ExecutionFixture> {
  const f = await fundedEconomyFixture();
  const node1Key = await fundedWallet("node 1");
  const node2Key = await fundedWallet("node 2");
  await f.nodeRegistry.connect(f.operator1).setSigningKey(1, node1Key.address);
  await f.nodeRegistry.connect(f.operator2).setSigningKey(2, node2Key.address);
  const { chainId } = await ethers.provider.getNetwork();
  return {
    ...f,
    node1Key,
    node2Key,
    chainId,
    hubDomain: domainOf("ERA ExecutionHub", chainId, f.addresses.executionHub),
    engineDomain: domainOf("ERA SettlementEngine", chainId, f.addresses.settlementEngine),
    notaryDomain: domainOf("ERA NotaryRegistry", chainId, f.addresses.notaryRegistry),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------------------------------

/** Order of the secp256k1 group. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * The other valid ECDSA signature of the same message (s → n − s, v flipped): a high-s, malleated signature that
 * raw `ecrecover` accepts as the same signer and OpenZeppelin's ECDSA refuses.
 */
export function malleate(signature: string): string {
  const sig = ethers.Signature.from(signature);
  const highS = SECP256K1_N - BigInt(sig.s);
  return ethers.concat([sig.r, ethers.toBeHex(highS, 32), ethers.toBeHex(sig.v === 27 ? 28 : 27, 1)]);
}

/** What the raw `ecrecover` precompile returns for (digest, 65-byte signature), with none of ECDSA.sol's checks. */
export async function rawEcrecover(digest: string, signature: string): Promise<string> {
  const bytes = ethers.getBytes(signature);
  const input = ethers.concat([digest, ethers.toBeHex(bytes[64], 32), bytes.slice(0, 32), bytes.slice(32, 64)]);
  const out = await ethers.provider.call({ to: "0x0000000000000000000000000000000000000001", data: input });
  return out === "0x" ? ethers.ZeroAddress : ethers.getAddress(ethers.dataSlice(out, 12));
}

/** A user's standard-mode action with its EIP-712 signature for `scenarioId` under the hub's `domain`. */
export async function signedAction(
  user: Signer & { address: string },
  domain: TypedDataDomain,
  scenarioId: bigint,
  nonce: number,
  payload: bigint,
): Promise<{ action: PackedAction; signature: string }> {
  const signature = await signAction(user, domain, { scenarioId, user: user.address, nonce, payload });
  return { action: { user: user.address, nonce, payload }, signature };
}

/** A signature and the address that made it. */
export interface Signed {
  signer: string;
  signature: string;
}

/** Every wallet signs the attestation `a`; returned ordered by signer address, ascending (as the notary wants). */
export async function signAll(wallets: readonly Wallet[], domain: TypedDataDomain, a: AttestationFields) {
  const signed: Signed[] = [];
  for (const w of wallets) signed.push({ signer: w.address, signature: await signAttestation(w, domain, a) });
  return sortBySigner(signed);
}

/** Every wallet signs the batch attestation `a`; returned ordered by signer address, ascending. */
export async function signAllBatch(wallets: readonly Wallet[], domain: TypedDataDomain, a: BatchAttestationFields) {
  const signed: Signed[] = [];
  for (const w of wallets) signed.push({ signer: w.address, signature: await signBatchAttestation(w, domain, a) });
  return sortBySigner(signed);
}

export const signaturesOf = (signed: readonly Signed[]): string[] => signed.map((s) => s.signature);
export const signersOf = (signed: readonly Signed[]): string[] => signed.map((s) => s.signer);

// ---------------------------------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------------------------------

/** Timestamp of the latest block. */
export const now = async (): Promise<bigint> => BigInt(await time.latest());

/** Timestamp of the block that mined `tx`. */
export async function blockTimestampOf(tx: ContractTransactionResponse): Promise<bigint> {
  const block = await tx.getBlock();
  if (block === null) throw new Error("transaction not mined");
  return BigInt(block.timestamp);
}
