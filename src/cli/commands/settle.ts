import { getAddress, type Wallet } from "ethers";
import type { Command } from "commander";
import { IERC20Metadata__factory } from "../../../typechain-types";
import type { Suite } from "../../sdk/economy";
import { act, examples, type CommandEnv } from "../command";
import type { Context } from "../context";
import { ChainError, UsageError } from "../errors";
import { formatDuration, formatTime, formatToken } from "../format";
import { parseAddress, parseBytes32, parseTokenAmount, parseTokenAmountOrAll } from "../parse";
import { call, ERA_UNIT, payEra, payToken, type TokenUnit } from "../spend";

/** Settlement statuses, in the contract's enum order. */
const STATUS = ["none", "settled", "locked", "committed", "refunded"] as const;

const STATUS_TEXT: Record<(typeof STATUS)[number], string> = {
  none: "unknown: no settlement with this id was applied or locked",
  settled: "settled atomically (terminal)",
  locked: "locked: payers' amounts are frozen until commit (before the deadline) or refund (from the deadline)",
  committed: "committed: the lock's net update was applied (terminal)",
  refunded: "refunded: the lock expired and the frozen amounts were released (terminal)",
};

/** A token the settlement engine escrows, as the CLI writes its amounts. */
interface EscrowToken extends TokenUnit {
  address: string;
  /** Whether it is the suite's ERA (paid with a permit). */
  era: boolean;
  /** Whether the settlement engine allow-lists it now. */
  allowed: boolean;
}

const TOKEN_OPTION = ["--token <address>", "an allow-listed ERC-20 of the settlement engine (default: ERA)"] as const;

/**
 * The token of `--token` (ERA when not given), with its symbol and decimals read from the chain. Refuses, before
 * anything is sent, an address that is not an ERC-20; `allowed` says whether the engine takes it now.
 */
async function escrowToken(suite: Suite, given: string | undefined): Promise<EscrowToken> {
  const era = getAddress(suite.addresses.token);
  const address = given === undefined ? era : parseAddress(given, "token");
  if (address === era) return { address, era: true, allowed: true, ...ERA_UNIT };
  const runner = suite.settlementEngine.runner;
  const meta = IERC20Metadata__factory.connect(address, runner);
  let symbol: string;
  let decimals: number;
  try {
    [symbol, decimals] = await Promise.all([meta.symbol(), meta.decimals().then(Number)]);
  } catch {
    throw new UsageError(
      `The token ${address} is not an ERC-20 with a symbol and decimals on this chain.`,
      "Check the address: `--token` takes a token the settlement engine allow-lists.",
    );
  }
  const allowed = await suite.settlementEngine.tokenAllowed(address);
  return { address, era: false, allowed, symbol, decimals };
}

/** A refusal of a token the settlement engine does not take (nothing is sent). */
function notAllowed(token: EscrowToken): UsageError {
  return new UsageError(
    `The settlement engine does not take ${token.symbol} (${token.address}): the token is not on its allow-list.`,
    "Use ERA (the default) or a token governance has allowed (SettlementEngine.setTokenAllowed); nothing was sent.",
  );
}

/** What `deposit` and `withdraw` act on: the signing account's suite, the token of `--token` and the amount given. */
interface EscrowMove<A> {
  suite: Suite;
  wallet: Wallet;
  token: EscrowToken;
  amount: A;
}

/**
 * The token and amount of `deposit` and `withdraw`: `--token` checked as an address before anything connects, the
 * signing suite, the token read from the chain (ERA when not given), then `amountArg` read in that token's unit by
 * `readAmount` (which may refuse the token first).
 */
async function escrowMove<A>(
  ctx: Context,
  tokenArg: string | undefined,
  amountArg: string,
  readAmount: (value: string, token: EscrowToken) => A,
): Promise<EscrowMove<A>> {
  if (tokenArg !== undefined) parseAddress(tokenArg, "token");
  const { suite, wallet } = await ctx.signingSuite();
  const token = await escrowToken(suite, tokenArg);
  return { suite, wallet, token, amount: readAmount(amountArg, token) };
}

/** How the JSON output names a token. */
function tokenData(token: EscrowToken): { token: string; symbol: string; decimals: number } {
  return { token: token.address, symbol: token.symbol, decimals: token.decimals };
}

export function registerSettle(program: Command, env: CommandEnv): void {
  const settle = program
    .command("settle")
    .description(
      "financial scenarios' escrow: deposit and withdraw ERA or an allow-listed token, see balances and a settlement's status",
    )
    .addHelpText(
      "after",
      examples("era settle deposit 500", "era settle deposit 250 --token 0x…", "era settle status 0x…"),
    );

  settle
    .command("deposit")
    .description("deposit ERA (or an allow-listed token) into the settlement engine as free (settleable) balance")
    .argument("<amount>", "amount in the token's unit, e.g. 500 (ERA) or 12.5 (a 6-decimal token)")
    .option(...TOKEN_OPTION)
    .option("--no-permit", "approve in its own transaction instead of signing a permit (ERA)")
    .addHelpText(
      "after",
      examples("era settle deposit 500", "era settle deposit 0.25 --json", "era settle deposit 12.5 --token 0x…"),
    )
    .action(
      act(env, async (ctx, [amountArg], o: { permit: boolean; token?: string }) => {
        const { suite, wallet, token, amount } = await escrowMove(ctx, o.token, amountArg, (value, t) => {
          if (!t.allowed) throw notAllowed(t);
          return parseTokenAmount(value, t);
        });
        const engine = suite.settlementEngine;
        const what = `depositing ${formatToken(amount, token)} into escrow`;
        const spender = suite.addresses.settlementEngine;
        const plain = call(engine.deposit, token.address, amount);
        if (token.era) {
          await payEra(ctx, suite.token, wallet, {
            what,
            spender,
            amount,
            permit: o.permit,
            withPermit: (d, v, r, s) => call(engine.depositWithPermit, token.address, amount, d, v, r, s),
            plain,
          });
        } else {
          await payToken(ctx, token.address, token, wallet, { what, spender, amount, plain });
        }
        const free = await engine.freeBalance(wallet.address, token.address);
        return {
          data: {
            account: wallet.address,
            ...tokenData(token),
            deposited: amount,
            free,
            transactions: ctx.transactions,
          },
          text: [`Deposited ${formatToken(amount, token)}; your free escrow balance is ${formatToken(free, token)}.`],
        };
      }),
    );

  settle
    .command("withdraw")
    .description("withdraw free escrow balance (frozen amounts stay until their lock ends)")
    .argument("<amount>", 'amount in the token\'s unit, or "all" (of the free balance)')
    .option(...TOKEN_OPTION)
    .option("--to <address>", "where to send it (default: your account)")
    .addHelpText(
      "after",
      examples("era settle withdraw 100", "era settle withdraw all --to 0x…", "era settle withdraw all --token 0x…"),
    )
    .action(
      act(env, async (ctx, [amountArg], o: { to?: string; token?: string }) => {
        const to = o.to === undefined ? undefined : parseAddress(o.to, "recipient");
        const {
          suite,
          wallet,
          token,
          amount: requested,
        } = await escrowMove(ctx, o.token, amountArg, parseTokenAmountOrAll);
        const engine = suite.settlementEngine;
        const free = await engine.freeBalance(wallet.address, token.address);
        // A token removed from the allow-list can still be withdrawn; one never allowed has nothing to withdraw.
        if (!token.allowed && free === 0n) throw notAllowed(token);
        const amount = requested === "all" ? free : requested;
        if (amount === 0n)
          throw new ChainError(
            `${wallet.address} has no free escrow balance of ${token.symbol}.`,
            "Nothing to withdraw.",
          );
        const recipient = to ?? wallet.address;
        await ctx.send(`withdrawing ${formatToken(amount, token)} of escrow to ${recipient}`, () =>
          engine.withdraw(token.address, amount, recipient),
        );
        const left = await engine.freeBalance(wallet.address, token.address);
        return {
          data: {
            account: wallet.address,
            ...tokenData(token),
            to: recipient,
            withdrawn: amount,
            free: left,
            transactions: ctx.transactions,
          },
          text: [
            `Withdrew ${formatToken(amount, token)} of escrow to ${recipient}; free balance left ${formatToken(left, token)}.`,
          ],
        };
      }),
    );

  settle
    .command("balance")
    .description("show an account's free and frozen escrow balance of ERA (or of --token)")
    .option("--account <address>", "whose balance (default: your key's account)")
    .option(...TOKEN_OPTION)
    .addHelpText(
      "after",
      examples("era settle balance", "era settle balance --account 0x… --json", "era settle balance --token 0x…"),
    )
    .action(
      act(env, async (ctx, _args, o: { account?: string; token?: string }) => {
        const account = ctx.account(o.account);
        if (o.token !== undefined) parseAddress(o.token, "token");
        const suite = await ctx.suite();
        const token = await escrowToken(suite, o.token);
        const [free, frozen] = await Promise.all([
          suite.settlementEngine.freeBalance(account, token.address),
          suite.settlementEngine.frozenBalance(account, token.address),
        ]);
        return {
          data: { account, ...tokenData(token), free, frozen },
          text: [
            `Escrow of ${account}: ${formatToken(free, token)} free, ${formatToken(frozen, token)} frozen in locks.`,
          ],
        };
      }),
    );

  settle
    .command("status")
    .description("show the status of a settlement id (and a lock's deadline)")
    .argument("<id>", "settlement id (0x + 64 hex digits)")
    .addHelpText("after", examples("era settle status 0x5f1c…e2 --json"))
    .action(
      act(env, async (ctx, [idArg]) => {
        const id = parseBytes32(idArg, "settlement id");
        const suite = await ctx.suite();
        const [raw, deadline, now] = await Promise.all([
          suite.settlementEngine.statusOf(id),
          suite.settlementEngine.lockDeadline(id),
          ctx.now(),
        ]);
        const status = STATUS[Number(raw)] ?? "none";
        const text = [`Settlement ${id}: ${STATUS_TEXT[status]}.`];
        const lock = deadline === 0n ? null : { deadline, expired: now >= deadline };
        if (lock && status === "locked") {
          text.push(
            lock.expired
              ? `Its deadline ${formatTime(deadline)} has passed: anyone can refund it now.`
              : `Deadline ${formatTime(deadline)} (in ${formatDuration(deadline - now)}): commit before, refund from then.`,
          );
        }
        return { data: { id, status, lockDeadline: lock?.deadline ?? null, expired: lock?.expired ?? null }, text };
      }),
    );
}
