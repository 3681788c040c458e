import type { Command } from "commander";
import { ExecutionMode, ScenarioClass, type Suite } from "../../sdk/economy";
import { act, eventIn, examples, type CommandEnv } from "../command";
import { UsageError } from "../errors";
import { className, modeName } from "../format";
import { parseChoice, parseId } from "../parse";
import { nodeOf } from "./node";

const CLASSES: Record<string, ScenarioClass> = {
  financial: ScenarioClass.Financial,
  enterprise: ScenarioClass.Enterprise,
  lightweight: ScenarioClass.Lightweight,
};

const MODES: Record<string, ExecutionMode> = {
  standard: ExecutionMode.Standard,
  atomic: ExecutionMode.AtomicSettlement,
  "atomic-settlement": ExecutionMode.AtomicSettlement,
  notarized: ExecutionMode.Notarized,
  lightweight: ExecutionMode.Lightweight,
};

const ALL_MODES = [
  ExecutionMode.Standard,
  ExecutionMode.AtomicSettlement,
  ExecutionMode.Notarized,
  ExecutionMode.Lightweight,
];

/** A scenario id given on the command line, checked to exist. */
export async function scenarioOf(suite: Suite, given: string): Promise<bigint> {
  const id = parseId(given, "scenario id");
  const count = await suite.scenarioRegistry.scenarioCount();
  if (id > count) {
    const known =
      count === 0n
        ? "no scenario exists yet"
        : count === 1n
          ? "only scenario 1 exists"
          : `scenarios 1 to ${count} exist`;
    throw new UsageError(`There is no scenario ${id}; ${known}.`, "Check the scenario id (era report).");
  }
  return id;
}

/** Everything about one scenario that `scenario show` and `report` print. */
export async function readScenario(suite: Suite, id: bigint) {
  const [s, serving] = await Promise.all([
    suite.scenarioRegistry.getScenario(id),
    suite.scenarioRegistry.servingNodes(id),
  ]);
  const allowed = await Promise.all(ALL_MODES.map((m) => suite.scenarioRegistry.isModeAllowed(s.scenarioClass, m)));
  return {
    scenarioId: id,
    owner: s.owner,
    class: className(s.scenarioClass),
    mode: modeName(s.mode),
    nodeId: s.nodeId,
    servingNodes: serving,
    quorum: s.quorum,
    allowedModes: ALL_MODES.filter((_, i) => allowed[i]).map(modeName),
    metadataURI: s.metadataURI,
  };
}

export function registerScenario(program: Command, env: CommandEnv): void {
  const scenario = program
    .command("scenario")
    .description("developers: register a scenario, switch its execution mode, show it")
    .addHelpText(
      "after",
      examples("era scenario register --class financial --node 1", "era scenario mode set 3 standard"),
    );

  scenario
    .command("register")
    .description("register a scenario owned by your account, of a class, earning for a node")
    .requiredOption("--class <class>", `scenario class: ${Object.keys(CLASSES).join(", ")}`)
    .requiredOption("--node <id>", "the active node that serves the scenario and earns its node share")
    .option("--metadata <uri>", "where the scenario describes itself", "")
    .addHelpText(
      "after",
      examples("era scenario register --class lightweight --node 2 --metadata https://likes.example"),
    )
    .action(
      act(env, async (ctx, _args, o: { class: string; node: string; metadata: string }) => {
        const cls = parseChoice(o.class, CLASSES, "scenario class");
        const { suite, wallet } = await ctx.signingSuite();
        const nodeId = await nodeOf(ctx, suite, o.node);
        const receipt = await ctx.send(`registering a ${className(cls)} scenario served by node ${nodeId}`, () =>
          suite.scenarioRegistry.registerScenario(cls, nodeId, o.metadata),
        );
        const id = eventIn(receipt, suite.scenarioRegistry, "ScenarioRegistered").args.scenarioId as bigint;
        const view = await readScenario(suite, id);
        return {
          data: { ...view, transactions: ctx.transactions },
          text: [
            `Registered scenario ${id}: ${view.class}, mode ${view.mode}, node ${nodeId}, owner ${wallet.address}.`,
          ],
        };
      }),
    );

  const mode = scenario
    .command("mode")
    .description("show or switch a scenario's execution mode (a switch applies from the next batch)")
    .addHelpText("after", examples("era scenario mode show 3", "era scenario mode set 3 lightweight"));

  mode
    .command("show")
    .description("show a scenario's current mode and the modes its class allows")
    .argument("<scenario>", "scenario id")
    .addHelpText("after", examples("era scenario mode show 3 --json"))
    .action(
      act(env, async (ctx, [idArg]) => {
        const suite = await ctx.suite();
        const id = await scenarioOf(suite, idArg);
        const view = await readScenario(suite, id);
        return {
          data: { scenarioId: id, class: view.class, mode: view.mode, allowedModes: view.allowedModes },
          text: [`Scenario ${id} (${view.class}) runs in ${view.mode} mode; allowed: ${view.allowedModes.join(", ")}.`],
        };
      }),
    );

  mode
    .command("set")
    .description("switch a scenario's execution mode (owner or authorised mode operator)")
    .argument("<scenario>", "scenario id")
    .argument("<mode>", `new mode: ${Object.keys(MODES).join(", ")}`)
    .addHelpText("after", examples("era scenario mode set 3 standard", "era scenario mode set 1 atomic"))
    .action(
      act(env, async (ctx, [idArg, modeArg]) => {
        const target = parseChoice(modeArg, MODES, "execution mode");
        const { suite } = await ctx.signingSuite();
        const id = await scenarioOf(suite, idArg);
        const before = await readScenario(suite, id);
        if (!before.allowedModes.includes(modeName(target))) {
          throw new UsageError(
            `A ${before.class} scenario cannot run in ${modeName(target)} mode.`,
            `Allowed for scenario ${id}: ${before.allowedModes.join(", ")}.`,
          );
        }
        if (before.mode === modeName(target)) {
          throw new UsageError(`Scenario ${id} already runs in ${before.mode} mode.`, "Nothing to do.");
        }
        await ctx.send(`switching scenario ${id} from ${before.mode} to ${modeName(target)}`, () =>
          suite.scenarioRegistry.setMode(id, target),
        );
        return {
          data: { scenarioId: id, from: before.mode, to: modeName(target), transactions: ctx.transactions },
          text: [
            `Scenario ${id} switched from ${before.mode} to ${modeName(target)}; batches built from now on use it.`,
          ],
        };
      }),
    );

  scenario
    .command("show")
    .description("show a scenario: owner, class, mode, revenue node, serving nodes, quorum")
    .argument("<scenario>", "scenario id")
    .addHelpText("after", examples("era scenario show 1", "era scenario show 1 --json"))
    .action(
      act(env, async (ctx, [idArg]) => {
        const suite = await ctx.suite();
        const id = await scenarioOf(suite, idArg);
        const s = await readScenario(suite, id);
        const text = [
          `Scenario ${id}`,
          `  owner          ${s.owner}`,
          `  class          ${s.class}`,
          `  mode           ${s.mode} (allowed: ${s.allowedModes.join(", ")})`,
          `  revenue node   ${s.nodeId}`,
          `  serving nodes  ${s.servingNodes.join(", ")} (notary quorum ${s.quorum})`,
        ];
        if (s.metadataURI) text.push(`  metadata       ${s.metadataURI}`);
        return { data: s, text };
      }),
    );
}
