import type { Command } from "commander";
import { act, eventIn, examples, type CommandEnv } from "../command";
import { ChainError } from "../errors";
import { formatEra } from "../format";
import { parseAddress, parseAmount } from "../parse";
import { call, payEra } from "../spend";
import { scenarioOf } from "./scenario";

export function registerRevenue(program: Command, env: CommandEnv): void {
  const revenue = program
    .command("revenue")
    .description("scenario revenue: pay it (split by class), claim your share")
    .addHelpText("after", examples("era revenue pay 1 50000", "era revenue claim"));

  revenue
    .command("pay")
    .description("pay ERA of revenue to a scenario; it is split at once between node, user pool, protocol, developer")
    .argument("<scenario>", "scenario id")
    .argument("<amount>", "ERA to pay, e.g. 50000")
    .option("--no-permit", "approve in its own transaction instead of signing a permit")
    .addHelpText("after", examples("era revenue pay 1 50000", "era revenue pay 2 12.5 --json"))
    .action(
      act(env, async (ctx, [scenarioArg, amountArg], o: { permit: boolean }) => {
        const amount = parseAmount(amountArg);
        const { suite, wallet } = await ctx.signingSuite();
        const id = await scenarioOf(suite, scenarioArg);
        const router = suite.revenueRouter;
        const receipt = await payEra(ctx, suite.token, wallet, {
          what: `paying ${formatEra(amount)} of revenue to scenario ${id}`,
          spender: suite.addresses.revenueRouter,
          amount,
          permit: o.permit,
          withPermit: (d, v, r, s) => call(router.payWithPermit, id, amount, d, v, r, s),
          plain: call(router.pay, id, amount),
        });
        const e = eventIn(receipt, router, "RevenuePaid").args;
        const split = {
          node: e.nodeAmount as bigint,
          userPool: e.userPoolAmount as bigint,
          protocol: e.protocolAmount as bigint,
          developer: e.developerAmount as bigint,
        };
        return {
          data: {
            scenarioId: id,
            payer: wallet.address,
            amount,
            nodeOperator: e.nodeOperator,
            developer: e.developer,
            split,
            transactions: ctx.transactions,
          },
          text: [
            `Paid ${formatEra(amount)} to scenario ${id}, split as:`,
            `  node operator ${e.nodeOperator}  ${formatEra(split.node)}`,
            `  user-reward pool  ${formatEra(split.userPool)}`,
            `  protocol (staking reserve)  ${formatEra(split.protocol)}`,
            `  developer ${e.developer}  ${formatEra(split.developer)}`,
          ],
        };
      }),
    );

  revenue
    .command("claim")
    .description("claim your revenue balance (as a node operator or a developer)")
    .option("--to <address>", "where to send it (default: your account)")
    .addHelpText("after", examples("era revenue claim", "era revenue claim --to 0x…"))
    .action(
      act(env, async (ctx, _args, o: { to?: string }) => {
        const to = o.to === undefined ? undefined : parseAddress(o.to, "recipient");
        const { suite, wallet } = await ctx.signingSuite();
        const balance = await suite.revenueRouter.claimable(wallet.address);
        if (balance === 0n) {
          throw new ChainError(
            `${wallet.address} has no revenue to claim.`,
            "Revenue accrues when scenarios you own or serve are paid (era revenue pay).",
          );
        }
        const recipient = to ?? wallet.address;
        const receipt = await ctx.send(`claiming ${formatEra(balance)} of revenue`, () =>
          suite.revenueRouter.claim(recipient),
        );
        const amount = eventIn(receipt, suite.revenueRouter, "RevenueClaimed").args.amount as bigint;
        return {
          data: { account: wallet.address, to: recipient, claimed: amount, transactions: ctx.transactions },
          text: [`Claimed ${formatEra(amount)} of revenue to ${recipient}.`],
        };
      }),
    );
}
