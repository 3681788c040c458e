import type { Command } from "commander";
import type { BaseContract, LogDescription, TransactionReceipt } from "ethers";
import { Context, type GlobalOptions } from "./context";
import { ChainError } from "./errors";
import type { CliIO, CommandResult } from "./io";

/** What every command's action shares within one `run`: the IO and the contexts it opened (closed at the end). */
export interface CommandEnv {
  io: CliIO;
  contexts: Context[];
}

/** A command's body: parsed positional arguments and options in, a result out. */
export type Handler<O> = (ctx: Context, args: string[], options: O) => Promise<CommandResult>;

/** Adapts a handler to commander's action signature: builds the context from the global options, prints the result. */
export function act<O>(env: CommandEnv, handler: Handler<O>): (...params: unknown[]) => Promise<void> {
  return async (...params: unknown[]) => {
    const command = params[params.length - 1] as Command;
    const globals = command.optsWithGlobals<GlobalOptions>();
    const ctx = new Context(env.io, globals);
    env.contexts.push(ctx);
    const args = command.processedArgs.filter((a): a is string => typeof a === "string");
    const result = await handler(ctx, args, command.opts<O & Record<string, unknown>>());
    ctx.out.result(result);
  };
}

/** Help text listing examples, shown after a command's options. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** The first event `name` that `contract` emitted in `receipt`. */
export function eventIn(receipt: TransactionReceipt, contract: BaseContract, name: string): LogDescription {
  const target = String(contract.target).toLowerCase();
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== target) continue;
    const parsed = contract.interface.parseLog(log);
    if (parsed?.name === name) return parsed;
  }
  throw new ChainError(
    `The transaction ${receipt.hash} emitted no ${name} event.`,
    "Check the deployment's addresses.",
  );
}
