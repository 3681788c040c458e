import { createInterface } from "node:readline";
import { Writable } from "node:stream";

/**
 * Everything the CLI touches outside itself, so that `run(argv, io)` can be driven in-process by tests exactly as
 * the `era` binary drives it from a terminal.
 */
export interface CliIO {
  /** Writes to standard output (results). */
  stdout(text: string): void;
  /** Writes to standard error (messages, progress). */
  stderr(text: string): void;
  /** The environment variables the CLI reads (ERA_RPC_URL, ERA_PRIVATE_KEY, …). */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** Whether standard error is a terminal: the progress display is shown only then. */
  stderrIsTTY: boolean;
  /** Asks a question without echoing the answer (a keystore password); undefined when no one can answer. */
  promptSecret?: (question: string) => Promise<string>;
  /** Asks a yes/no question; undefined when no one can answer. */
  confirm?: (question: string) => Promise<boolean>;
  /** Stops a long-running command (`… run`) when aborted, besides SIGINT and SIGTERM. */
  signal?: AbortSignal;
}

/** What a command hands back: data for `--json`, lines for people. */
export interface CommandResult {
  data: Record<string, unknown>;
  text: string[];
}

/** JSON with bigints as decimal strings (wei amounts, ids), two-space indent. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** Where a command writes: results to stdout (JSON or text), progress to stderr when a person watches. */
export class Output {
  constructor(
    private readonly io: CliIO,
    readonly json: boolean,
  ) {}

  /** Whether progress lines are shown: on a terminal, and never with --json. */
  get showsProgress(): boolean {
    return !this.json && this.io.stderrIsTTY;
  }

  /** One progress line on stderr (only when `showsProgress`). */
  progress(line: string): void {
    if (this.showsProgress) this.io.stderr(`${line}\n`);
  }

  /** A warning on stderr, whatever the mode (it never pollutes JSON on stdout). */
  warn(line: string): void {
    this.io.stderr(`${line}\n`);
  }

  /** Prints a command's result: its data as JSON, or its lines. */
  result(result: CommandResult): void {
    if (this.json) this.io.stdout(`${toJson(result.data)}\n`);
    else if (result.text.length > 0) this.io.stdout(`${result.text.join("\n")}\n`);
  }
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let muted = false;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (!muted) process.stderr.write(chunk);
        done();
      },
    });
    const rl = createInterface({ input: process.stdin, output: sink, terminal: true });
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    });
    rl.on("SIGINT", () => {
      rl.close();
      reject(new Error("Cancelled."));
    });
    muted = true;
  });
}

function promptYesNo(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    rl.question(`${question} [y/N] `, (answer) => {
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
}

/** The IO of the running process. Prompts exist only when stdin is a terminal. */
export function processIO(): CliIO {
  const interactive = Boolean(process.stdin.isTTY);
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    promptSecret: interactive ? promptHidden : undefined,
    confirm: interactive ? promptYesNo : undefined,
  };
}
