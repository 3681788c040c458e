import type { Command } from "commander";
import type { Suite } from "../../sdk/economy";
import { act, eventIn, examples, type CommandEnv } from "../command";
import type { Context } from "../context";
import { ChainError, UsageError } from "../errors";
import { formatBps, formatDuration, formatEra, formatTime } from "../format";
import { parseAddress, parseAmount, parseAmountOrAll, parseId } from "../parse";
import { call, payEra } from "../spend";

const STATUS = ["none", "active", "exiting"] as const;

/** The node a command is about: the one given (checked to exist), else the one the key's account operates. */
export async function nodeOf(
  ctx: Context,
  suite: Suite,
  given: string | undefined,
  operator?: string,
): Promise<bigint> {
  if (given !== undefined) {
    const id = parseId(given, "node id");
    const count = await suite.nodeRegistry.nodeCount();
    if (id > count) {
      const known =
        count === 0n ? "no node exists yet" : count === 1n ? "only node 1 exists" : `nodes 1 to ${count} exist`;
      throw new UsageError(`There is no node ${id}; ${known}.`, "Check the node id (era report).");
    }
    return id;
  }
  const account = operator ?? ctx.account();
  const id = await suite.nodeRegistry.nodeOfOperator(account);
  if (id === 0n) {
    throw new UsageError(`${account} operates no node.`, "Pass the node id, or register one with `era node register`.");
  }
  return id;
}

/** Everything about one node that `node status` and `report` show. */
export async function readNode(suite: Suite, id: bigint) {
  const [node, pool, apr, unbondings, active] = await Promise.all([
    suite.nodeRegistry.getNode(id),
    suite.staking.nodePool(id),
    suite.staking.aprOf(id),
    suite.nodeRegistry.getBondUnbondings(id),
    suite.nodeRegistry.isActive(id),
  ]);
  return {
    nodeId: id,
    operator: node.operator,
    signingKey: node.signingKey,
    status: STATUS[Number(node.status)] ?? String(node.status),
    active,
    bond: node.bond,
    unbondingBond: node.unbondingBond,
    totalSlashed: node.totalSlashed,
    metadataURI: node.metadataURI,
    delegated: pool.stake,
    delegatedUnbonding: pool.unbondingStake,
    scoreBps: pool.scoreBps,
    aprBps: apr,
    bondUnbondings: unbondings.map((u) => ({ amount: u.amount, releaseAt: u.releaseAt })),
  };
}

export function registerNode(program: Command, env: CommandEnv): void {
  const node = program
    .command("node")
    .description("node operators: register a node, top up its bond, exit, status")
    .addHelpText("after", examples("era node register --signing-key 0xKEY --bond 10000", "era node status 1"));

  node
    .command("register")
    .description("register a node operated by your account, with its signing key and an ERA bond")
    .requiredOption("--signing-key <address>", "address of the key the node's executor signs batches with")
    .requiredOption("--bond <amount>", "ERA to bond (at least the minimum bond), e.g. 10000")
    .option("--metadata <uri>", "where the node describes itself", "")
    .option("--no-permit", "approve the bond in its own transaction instead of signing a permit")
    .addHelpText(
      "after",
      examples(
        "ERA_PRIVATE_KEY=0x… era node register --signing-key 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --bond 10000",
        "era node register --keystore operator.json --signing-key 0x… --bond 12500.5 --metadata https://node.example",
      ),
    )
    .action(
      act(env, async (ctx, _args, o: { signingKey: string; bond: string; metadata: string; permit: boolean }) => {
        const signingKey = parseAddress(o.signingKey, "signing key");
        const bond = parseAmount(o.bond, "bond");
        const { suite, wallet } = await ctx.signingSuite();
        const [minBond, existing, keyOwner] = await Promise.all([
          suite.nodeRegistry.minBond(),
          suite.nodeRegistry.nodeOfOperator(wallet.address),
          suite.nodeRegistry.nodeOfSigningKey(signingKey),
        ]);
        if (existing !== 0n) {
          throw new ChainError(`${wallet.address} already operates node ${existing}.`, "Manage it with `era node`.");
        }
        if (keyOwner !== 0n) {
          throw new UsageError(`The signing key ${signingKey} is node ${keyOwner}'s already.`, "Use a fresh key.");
        }
        if (bond < minBond) {
          throw new UsageError(
            `A bond of ${formatEra(bond)} is below the minimum of ${formatEra(minBond)}.`,
            "Bond more.",
          );
        }
        const registry = suite.nodeRegistry;
        const receipt = await payEra(ctx, suite.token, wallet, {
          what: `registering a node with a bond of ${formatEra(bond)}`,
          spender: suite.addresses.nodeRegistry,
          amount: bond,
          permit: o.permit,
          withPermit: (d, v, r, s) => call(registry.registerWithPermit, signingKey, o.metadata, bond, d, v, r, s),
          plain: call(registry.register, signingKey, o.metadata, bond),
        });
        const nodeId = eventIn(receipt, registry, "NodeRegistered").args.nodeId as bigint;
        return {
          data: { nodeId, operator: wallet.address, signingKey, bond, transactions: ctx.transactions },
          text: [
            `Registered node ${nodeId}: operator ${wallet.address}, signing key ${signingKey}, bond ${formatEra(bond)}.`,
          ],
        };
      }),
    );

  node
    .command("bond")
    .description("add ERA to your node's bond (reactivates an exiting node once the bond reaches the minimum)")
    .argument("<amount>", "ERA to add, e.g. 2500")
    .option("--node <id>", "the node (default: the one your account operates)")
    .addHelpText("after", examples("era node bond 2500", "era node bond 100.25 --node 3"))
    .action(
      act(env, async (ctx, [amountArg], o: { node?: string }) => {
        const amount = parseAmount(amountArg);
        const { suite, wallet } = await ctx.signingSuite();
        const id = await nodeOf(ctx, suite, o.node, wallet.address);
        const registry = suite.nodeRegistry;
        const operator = await registry.operatorOf(id);
        if (operator !== wallet.address) {
          throw new ChainError(`${wallet.address} is not the operator of node ${id}.`, "Use the operator's key.");
        }
        // The registry has no permit variant of topUp: approve, then top up (simulated first, see payEra).
        await payEra(ctx, suite.token, wallet, {
          what: `adding ${formatEra(amount)} to node ${id}'s bond`,
          spender: suite.addresses.nodeRegistry,
          amount,
          permit: false,
          plain: call(registry.topUp, id, amount),
        });
        const view = await registry.getNode(id);
        return {
          data: { nodeId: id, added: amount, bond: view.bond, transactions: ctx.transactions },
          text: [`Node ${id}'s bond is now ${formatEra(view.bond)} (added ${formatEra(amount)}).`],
        };
      }),
    );

  node
    .command("exit")
    .description("start unbonding your node's bond (all of it by default: the node stops being active)")
    .option("--amount <amount>", 'ERA to unbond, or "all"', "all")
    .option("--node <id>", "the node (default: the one your account operates)")
    .addHelpText("after", examples("era node exit", "era node exit --amount 500   # keep the node active"))
    .action(
      act(env, async (ctx, _args, o: { amount: string; node?: string }) => {
        const requested = parseAmountOrAll(o.amount);
        const { suite, wallet } = await ctx.signingSuite();
        const id = await nodeOf(ctx, suite, o.node, wallet.address);
        const before = await suite.nodeRegistry.getNode(id);
        const amount = requested === "all" ? before.bond : requested;
        if (amount === 0n) {
          throw new ChainError(
            `Node ${id} has no bond left to unbond.`,
            "Withdraw what finished unbonding with `era node withdraw`.",
          );
        }
        const receipt = await ctx.send(`unbonding ${formatEra(amount)} of node ${id}`, () =>
          suite.nodeRegistry.unbond(id, amount),
        );
        const started = eventIn(receipt, suite.nodeRegistry, "BondUnbondingStarted").args;
        const releaseAt = started.releaseAt as bigint;
        return {
          data: {
            nodeId: id,
            unbonding: amount,
            releaseAt,
            remainingBond: started.remainingBond,
            transactions: ctx.transactions,
          },
          text: [
            `Unbonding ${formatEra(amount)} of node ${id}; withdraw it from ${formatTime(releaseAt)} with \`era node withdraw\`.`,
            `Remaining bond: ${formatEra(started.remainingBond as bigint)}.`,
          ],
        };
      }),
    );

  node
    .command("withdraw")
    .description("withdraw the part of your node's bond that finished unbonding")
    .option("--node <id>", "the node (default: the one your account operates)")
    .addHelpText("after", examples("era node withdraw"))
    .action(
      act(env, async (ctx, _args, o: { node?: string }) => {
        const { suite, wallet } = await ctx.signingSuite();
        const id = await nodeOf(ctx, suite, o.node, wallet.address);
        const receipt = await ctx.send(`withdrawing node ${id}'s unbonded bond`, () =>
          suite.nodeRegistry.withdrawBond(id),
        );
        const amount = eventIn(receipt, suite.nodeRegistry, "BondWithdrawn").args.amount as bigint;
        return {
          data: { nodeId: id, withdrawn: amount, transactions: ctx.transactions },
          text: [`Withdrew ${formatEra(amount)} of node ${id}'s bond to ${wallet.address}.`],
        };
      }),
    );

  node
    .command("sync-activity")
    .description(
      "push nodes' activity from the registry to staking (needed after a minimum-bond change; anyone may send it)",
    )
    .argument("[id]", "the node to push")
    .option("--all", "every node whose activity in staking differs from the registry's")
    .addHelpText("after", examples("era node sync-activity 3", "era node sync-activity --all"))
    .action(
      act(env, async (ctx, [idArg], o: { all?: boolean }) => {
        if ((idArg === undefined) === (o.all !== true)) {
          throw new UsageError("Give either a node id or --all.", "era node sync-activity <id> | --all");
        }
        const { suite } = await ctx.signingSuite();
        let ids: bigint[];
        if (idArg !== undefined) {
          ids = [await nodeOf(ctx, suite, idArg)];
        } else {
          const count = await suite.nodeRegistry.nodeCount();
          const all = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
          const differs = await Promise.all(
            all.map(async (id) => (await suite.nodeRegistry.isActive(id)) !== (await suite.staking.nodeActive(id))),
          );
          ids = all.filter((_, i) => differs[i]);
        }
        const synced: { nodeId: bigint; active: boolean }[] = [];
        for (const id of ids) {
          const receipt = await ctx.send(`pushing node ${id}'s activity to staking`, () =>
            suite.nodeRegistry.syncActivity(id),
          );
          synced.push({
            nodeId: id,
            active: eventIn(receipt, suite.staking, "NodeActivitySet").args.active as boolean,
          });
        }
        const text =
          synced.length === 0
            ? ["Every node's activity in staking already matches the registry; nothing sent."]
            : synced.map((n) => `Node ${n.nodeId}: ${n.active ? "active" : "not active"} in staking.`);
        return { data: { synced, transactions: ctx.transactions }, text };
      }),
    );

  node
    .command("status")
    .description("show a node: operator, key, status, bond, delegations, score and APR, pending unbondings")
    .argument("[id]", "node id (default: the node your account operates)")
    .addHelpText("after", examples("era node status 1", "era node status --json"))
    .action(
      act(env, async (ctx, [idArg]) => {
        const suite = await ctx.suite();
        const id = await nodeOf(ctx, suite, idArg);
        const [n, now] = await Promise.all([readNode(suite, id), ctx.now()]);
        const text = [
          `Node ${id} (${n.status}${n.active ? "" : ", not taking delegations"})`,
          `  operator        ${n.operator}`,
          `  signing key     ${n.signingKey}`,
          `  bond            ${formatEra(n.bond)}`,
          `  delegated       ${formatEra(n.delegated)} (${formatEra(n.delegatedUnbonding)} unbonding)`,
          `  service score   ${formatBps(n.scoreBps)}`,
          `  APR             ${formatBps(n.aprBps)}`,
          `  slashed so far  ${formatEra(n.totalSlashed)}`,
        ];
        if (n.metadataURI) text.push(`  metadata        ${n.metadataURI}`);
        for (const u of n.bondUnbondings) {
          const wait = u.releaseAt > now ? `in ${formatDuration(u.releaseAt - now)}` : "withdrawable now";
          text.push(`  unbonding       ${formatEra(u.amount)} at ${formatTime(u.releaseAt)} (${wait})`);
        }
        return { data: n, text };
      }),
    );
}
