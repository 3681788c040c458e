/**
 * Progress lines for long work (deploy, demo, indexer) on stderr, so stdout stays the report (or its JSON). On a
 * terminal a counter rewrites its own line; elsewhere (CI, a pipe) it prints a line only when the count moves a tenth.
 */
export class Progress {
  private readonly started = Date.now();
  private counting: { label: string; lastTenth: number } | undefined;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {}

  private stamp(): string {
    const s = Math.floor((Date.now() - this.started) / 1000);
    return `[${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}]`;
  }

  private endCount(): void {
    if (this.counting && this.out.isTTY) this.out.write("\n");
    this.counting = undefined;
  }

  /** A step starts. */
  step(text: string): void {
    if (this.quiet) return;
    this.endCount();
    this.out.write(`${this.stamp()} ${text}\n`);
  }

  /** A detail of the current step. */
  detail(text: string): void {
    if (this.quiet) return;
    this.endCount();
    this.out.write(`${" ".repeat(8)}${text}\n`);
  }

  /** `done` of `total` units of the current step are finished. */
  count(label: string, done: number, total: number): void {
    if (this.quiet) return;
    const tenth = total === 0 ? 10 : Math.floor((done * 10) / total);
    const line = `${this.stamp()} ${label}: ${done}/${total}`;
    if (this.out.isTTY) {
      this.out.write(`\r${line}`);
      this.counting = { label, lastTenth: tenth };
      if (done >= total) this.endCount();
      return;
    }
    if (this.counting?.label === label && this.counting.lastTenth === tenth) return;
    this.counting = { label, lastTenth: tenth };
    this.out.write(`${line}\n`);
    if (done >= total) this.counting = undefined;
  }
}
