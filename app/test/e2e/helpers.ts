import type { BrowserContext, Locator, Page } from "playwright-core";
import { EraToken__factory } from "../../../typechain-types";
import { ACCOUNTS, hardhatAccount } from "../../../scripts/app/localChain";
import { env } from "./environment";
import { TestWallet, type TestWalletOptions } from "./testWallet";

/** A page of the app in a fresh browser context (no stored wallet choice), with the wallet installed. */
export interface AppPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught errors in the page. */
  errors: Error[];
  close(): Promise<void>;
}

export async function openApp(
  wallet: TestWallet | undefined,
  viewport = { width: 1280, height: 900 },
): Promise<AppPage> {
  const e = env();
  const context = await e.browser.newContext({ viewport });
  if (wallet) await wallet.install(context);
  const page = await context.newPage();
  const errors: Error[] = [];
  page.on("pageerror", (error) => errors.push(error));
  page.on("request", (request) => e.requests.push(request.url()));
  wallet?.attach(page);
  await page.goto(e.appUrl);
  return { page, context, errors, close: () => context.close() };
}

/**
 * Polls `read` until `accept` takes its value, and returns it; fails after `timeoutMs` with the last value seen.
 * For state that arrives asynchronously (the page polls the chain); never used to measure time.
 */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const seen =
    last === undefined
      ? `nothing (${String(lastError)})`
      : JSON.stringify(last, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  throw new Error(`Timed out waiting for ${what}; last seen: ${seen}`);
}

/** The text of `locator` as rendered (`innerText`), whitespace collapsed, once it is attached. */
export async function textOf(locator: Locator): Promise<string> {
  return (await locator.innerText({ timeout: 30_000 })).replace(/\s+/g, " ").trim();
}

/** Waits until `locator`'s text matches. Returns the text. */
export function waitForText(locator: Locator, expected: string | RegExp, timeoutMs = 30_000): Promise<string> {
  const matches = (t: string) => (typeof expected === "string" ? t === expected : expected.test(t));
  return eventually(`text ${String(expected)}`, () => textOf(locator), matches, timeoutMs);
}

export interface ActivityResult {
  status: string;
  text: string;
  hashes: string[];
}

/** Waits until the newest activity entry is titled `title` and confirmed or failed; returns it. */
export async function settledActivity(page: Page, title: string | RegExp): Promise<ActivityResult> {
  const entry = page.getByTestId("activity").first();
  await eventually(
    `activity "${String(title)}" to settle`,
    async () => ({ status: await entry.getAttribute("data-status"), text: await textOf(entry) }),
    (v) =>
      (typeof title === "string" ? v.text.includes(title) : title.test(v.text)) &&
      /confirmed|failed/.test(v.status ?? ""),
    60_000,
  );
  const hashes = await entry.getByTestId("tx-hash").allTextContents();
  return { status: (await entry.getAttribute("data-status")) ?? "", text: await textOf(entry), hashes };
}

/** Connects the page to the test wallet through its EIP-6963 announcement. */
export async function connect(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Connect ERA Test Wallet" }).click();
  await page.getByTestId("account").waitFor();
}

/** A test wallet for Hardhat account `index`, holding `era` wei of ERA (sent by the treasury when short). */
export async function walletFor(index: number, era: bigint, options: TestWalletOptions = {}): Promise<TestWallet> {
  const e = env();
  const account = hardhatAccount(index, e.provider);
  const token = EraToken__factory.connect(e.deployment.addresses.token, hardhatAccount(ACCOUNTS.treasury, e.provider));
  const balance = await token.balanceOf(account.address);
  if (balance < era) await (await token.transfer(account.address, era - balance)).wait();
  return new TestWallet(account, e.node.rpcUrl, 31337, options);
}

/** `"12,345.6789 ERA"` → wei (the page's format). */
export function parseShownEra(text: string): bigint {
  const match = /^([\d,]+)(?:\.(\d+))? ERA$/.exec(text.trim());
  if (!match) throw new Error(`Not an ERA amount as the page shows it: "${text}"`);
  const whole = BigInt(match[1].replace(/,/g, ""));
  const fraction = (match[2] ?? "").padEnd(18, "0");
  return whole * 10n ** 18n + BigInt(fraction);
}
