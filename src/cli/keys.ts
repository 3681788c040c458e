import { existsSync, readFileSync } from "node:fs";
import { getAddress, isAddress, isHexString, Wallet } from "ethers";
import type { CliIO } from "./io";
import { UsageError } from "./errors";

/**
 * Where the CLI gets the key it signs with. Never from a command-line flag (flags end up in shell history and in
 * `ps` output for every user of the machine): from the environment variable ERA_PRIVATE_KEY, or from an encrypted
 * JSON keystore whose password comes from ERA_KEYSTORE_PASSWORD or, on a terminal, from a prompt.
 */
export type KeySource = { kind: "env" } | { kind: "keystore"; file: string } | { kind: "none" };

export const PRIVATE_KEY_ENV = "ERA_PRIVATE_KEY";
export const KEYSTORE_PASSWORD_ENV = "ERA_KEYSTORE_PASSWORD";

/** What to tell someone who ran a command that signs without a key. */
export const KEY_HINT =
  `Set ${PRIVATE_KEY_ENV} in the environment (never on the command line), or pass --keystore <file> with an ` +
  `encrypted JSON keystore (its password from ${KEYSTORE_PASSWORD_ENV} or typed at the prompt).`;

/** The message for anyone who tries `--private-key`. */
export function privateKeyFlagRefused(): UsageError {
  return new UsageError(
    "--private-key is refused: a key given as a flag is saved in your shell history and visible to every user of " +
      "this machine in the process list.",
    KEY_HINT,
  );
}

function envKey(io: CliIO): string | undefined {
  const v = io.env[PRIVATE_KEY_ENV];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

/**
 * Decides the key source: a keystore given as a flag wins, then ERA_PRIVATE_KEY, then a keystore from ERA_KEYSTORE
 * or the config file (flags > environment > file).
 */
export function keySource(io: CliIO, keystoreFlag: string | undefined, keystoreSetting: string | undefined): KeySource {
  if (keystoreFlag !== undefined) return { kind: "keystore", file: keystoreFlag };
  if (envKey(io) !== undefined) return { kind: "env" };
  if (keystoreSetting !== undefined) return { kind: "keystore", file: keystoreSetting };
  return { kind: "none" };
}

function walletFromEnv(io: CliIO): Wallet {
  const raw = envKey(io)!;
  const hex = raw.startsWith("0x") ? raw : `0x${raw}`;
  if (!isHexString(hex, 32)) {
    throw new UsageError(
      `${PRIVATE_KEY_ENV} is not a private key (it must be 64 hex digits, with or without 0x).`,
      "Set it to the account's private key, or unset it and use --keystore.",
    );
  }
  try {
    return new Wallet(hex);
  } catch {
    throw new UsageError(`${PRIVATE_KEY_ENV} is not a valid secp256k1 private key.`, "Check the value you exported.");
  }
}

function readKeystore(file: string): { text: string; address: string } {
  if (!existsSync(file)) {
    throw new UsageError(`The keystore file ${file} does not exist.`, "Check the path given to --keystore.");
  }
  const text = readFileSync(file, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`The keystore file ${file} is not JSON.`, "Give an encrypted JSON keystore (EIP-2335/V3).");
  }
  const address = (json as { address?: unknown }).address;
  if (typeof address !== "string" || !isAddress(address.startsWith("0x") ? address : `0x${address}`)) {
    throw new UsageError(
      `The keystore file ${file} has no account address.`,
      "Give an encrypted JSON keystore (V3) as wallets and `cast wallet` write them.",
    );
  }
  return { text, address: getAddress(address.startsWith("0x") ? address : `0x${address}`) };
}

/** The account of the key source, without decrypting anything (a keystore names its address in clear). */
export function addressOfSource(io: CliIO, source: KeySource): string | undefined {
  if (source.kind === "env") return walletFromEnv(io).address;
  if (source.kind === "keystore") return readKeystore(source.file).address;
  return undefined;
}

/** The wallet of the key source; asks for the keystore password when it must and can. */
export async function walletOfSource(io: CliIO, source: KeySource): Promise<Wallet> {
  if (source.kind === "none") {
    throw new UsageError("This command signs a transaction, and no key is configured.", KEY_HINT);
  }
  if (source.kind === "env") return walletFromEnv(io);
  const { text, address } = readKeystore(source.file);
  let password = io.env[KEYSTORE_PASSWORD_ENV];
  if (password === undefined) {
    if (!io.promptSecret) {
      throw new UsageError(
        `The keystore ${source.file} needs its password, and there is no terminal to ask it on.`,
        `Set ${KEYSTORE_PASSWORD_ENV}, or run the command in a terminal.`,
      );
    }
    password = await io.promptSecret(`Password of keystore ${source.file} (${address}): `);
  }
  try {
    const wallet = await Wallet.fromEncryptedJson(text, password);
    return new Wallet(wallet.privateKey);
  } catch (e) {
    const message = (e as Error).message ?? "";
    if (/password/i.test(message)) {
      throw new UsageError(`Wrong password for the keystore ${source.file}.`, `Check ${KEYSTORE_PASSWORD_ENV}.`);
    }
    throw new UsageError(`The keystore ${source.file} cannot be decrypted (${message}).`, "Check the file.");
  }
}
