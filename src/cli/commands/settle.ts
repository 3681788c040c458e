import type { Command } from "commander";
import { act, examples, type CommandEnv } from "../command";
import { ChainError } from "../errors";
import { formatDuration, formatEra, formatTime } from "../format";
import { parseAddress, parseAmount, parseAmountOrAll, parseBytes32 } from "../parse";
import { call, payEra } from "../spend";

/** Settlement statuses, in the contract's enum order. */
const STATUS = ["none", "settled", "locked", "committed", "refunded"] as const;

const STATUS_TEXT: Record<(typeof STATUS)[number], string> = {
  none: "unknown: no settlement with this id was applied or locked",
  settled: "settled atomically (terminal)",
  locked: "locked: payers' amounts are frozen until commit (before the deadline) or refund (from the deadline)",
  committed: "committed: the lock's net update was applied (terminal)",
  refunded: "refunded: the lock expired and the frozen amounts were released (terminal)",
};

export function registerSettle(program: Command, env: CommandEnv): void {
  const settle = program
    .command("settle")
    .description("financial scenarios' escrow: deposit and withdraw ERA, see balances and a settlement's status")
    .addHelpText("after", examples("era settle deposit 500", "era settle status 0x…"));

  settle
    .command("deposit")
    .description("deposit ERA into the settlement engine as free (settleable) balance")
    .argument("<amount>", "ERA to deposit, e.g. 500")
    .option("--no-permit", "approve in its own transaction instead of signing a permit")
    .addHelpText("after", examples("era settle deposit 500", "era settle deposit 0.25 --json"))
    .action(
      act(env, async (ctx, [amountArg], o: { permit: boolean }) => {
        const amount = parseAmount(amountArg);
        const { suite, wallet } = await ctx.signingSuite();
        const engine = suite.settlementEngine;
        const token = suite.addresses.token;
        await payEra(ctx, suite.token, wallet, {
          what: `depositing ${formatEra(amount)} into escrow`,
          spender: suite.addresses.settlementEngine,
          amount,
          permit: o.permit,
          withPermit: (d, v, r, s) => call(engine.depositWithPermit, token, amount, d, v, r, s),
          plain: call(engine.deposit, token, amount),
        });
        const free = await engine.freeBalance(wallet.address, token);
        return {
          data: { account: wallet.address, deposited: amount, free, transactions: ctx.transactions },
          text: [`Deposited ${formatEra(amount)}; your free escrow balance is ${formatEra(free)}.`],
        };
      }),
    );

  settle
    .command("withdraw")
    .description("withdraw free escrow balance (frozen amounts stay until their lock ends)")
    .argument("<amount>", 'ERA to withdraw, or "all" (of the free balance)')
    .option("--to <address>", "where to send it (default: your account)")
    .addHelpText("after", examples("era settle withdraw 100", "era settle withdraw all --to 0x…"))
    .action(
      act(env, async (ctx, [amountArg], o: { to?: string }) => {
        const requested = parseAmountOrAll(amountArg);
        const to = o.to === undefined ? undefined : parseAddress(o.to, "recipient");
        const { suite, wallet } = await ctx.signingSuite();
        const engine = suite.settlementEngine;
        const token = suite.addresses.token;
        const free = await engine.freeBalance(wallet.address, token);
        const amount = requested === "all" ? free : requested;
        if (amount === 0n)
          throw new ChainError(`${wallet.address} has no free escrow balance.`, "Nothing to withdraw.");
        const recipient = to ?? wallet.address;
        await ctx.send(`withdrawing ${formatEra(amount)} of escrow to ${recipient}`, () =>
          engine.withdraw(token, amount, recipient),
        );
        const left = await engine.freeBalance(wallet.address, token);
        return {
          data: {
            account: wallet.address,
            to: recipient,
            withdrawn: amount,
            free: left,
            transactions: ctx.transactions,
          },
          text: [`Withdrew ${formatEra(amount)} of escrow to ${recipient}; free balance left ${formatEra(left)}.`],
        };
      }),
    );

  settle
    .command("balance")
    .description("show an account's free and frozen escrow balance")
    .option("--account <address>", "whose balance (default: your key's account)")
    .addHelpText("after", examples("era settle balance", "era settle balance --account 0x… --json"))
    .action(
      act(env, async (ctx, _args, o: { account?: string }) => {
        const account = ctx.account(o.account);
        const suite = await ctx.suite();
        const token = suite.addresses.token;
        const [free, frozen] = await Promise.all([
          suite.settlementEngine.freeBalance(account, token),
          suite.settlementEngine.frozenBalance(account, token),
        ]);
        return {
          data: { account, free, frozen },
          text: [`Escrow of ${account}: ${formatEra(free)} free, ${formatEra(frozen)} frozen in locks.`],
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
