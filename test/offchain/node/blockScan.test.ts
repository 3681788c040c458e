import { expect } from "chai";
import { Interface, zeroPadValue, toBeHex, type Filter, type Log } from "ethers";
import { BlockTimes, LogPoller, logsInRange, nextRange, Ticker } from "../../../src/node/blockScan";
import pino from "pino";
import { rejection, silentLogger } from "../helpers";

const iface = new Interface([
  "event Ping(uint256 indexed scenarioId, bytes32 indexed subjectId, uint256 value)",
  "event Other(uint256 value)",
]);
const ADDRESS = "0x00000000000000000000000000000000000000aa";

/** A chain of `head` blocks holding `logs`, answering `eth_getLogs` by range, address and topics as a node does. */
class FakeChain {
  readonly calls: Filter[] = [];
  constructor(
    public head: number,
    public logs: Log[] = [],
  ) {}

  async getBlockNumber(): Promise<number> {
    return this.head;
  }

  async getLogs(filter: Filter): Promise<Log[]> {
    this.calls.push(filter);
    const from = Number(filter.fromBlock);
    const to = Number(filter.toBlock);
    if (to > this.head) throw new Error(`block range ${from}–${to} reaches past the head ${this.head}`);
    const addresses = ([] as string[]).concat(filter.address as string | string[]);
    const topics = filter.topics ?? [];
    const matches = (log: Log) =>
      topics.every((t, i) => t === null || ([] as string[]).concat(t).includes(log.topics[i]));
    // Answer in reverse order: callers must sort.
    return this.logs
      .filter((l) => l.blockNumber >= from && l.blockNumber <= to && addresses.includes(l.address) && matches(l))
      .reverse();
  }
}

function ping(blockNumber: number, index: number, scenarioId: bigint, value: bigint): Log {
  const subjectId = zeroPadValue(toBeHex(value), 32);
  const { data, topics } = iface.encodeEventLog("Ping", [scenarioId, subjectId, value]);
  return { blockNumber, index, address: ADDRESS, data, topics } as unknown as Log;
}

describe("Block scanning (src/node/blockScan)", function () {
  describe("nextRange", function () {
    it("starts at the start block, stops `confirmations` below the head, and caps the range", function () {
      const base = { startBlock: 10, confirmations: 2, maxRange: 100 };
      expect(nextRange({ ...base, lastProcessed: undefined, head: 500 })).to.deep.equal({
        fromBlock: 10,
        toBlock: 109,
      });
      expect(nextRange({ ...base, lastProcessed: 450, head: 500 })).to.deep.equal({ fromBlock: 451, toBlock: 498 });
      expect(nextRange({ ...base, lastProcessed: 498, head: 500 })).to.equal(undefined);
      expect(nextRange({ ...base, lastProcessed: undefined, head: 11 })).to.equal(undefined);
      expect(nextRange({ ...base, confirmations: 0, lastProcessed: undefined, head: 10 })).to.deep.equal({
        fromBlock: 10,
        toBlock: 10,
      });
    });

    it("never goes back below the start block, and treats a zero range cap as one block", function () {
      expect(nextRange({ startBlock: 10, confirmations: 0, maxRange: 5, lastProcessed: 3, head: 50 })).to.deep.equal({
        fromBlock: 10,
        toBlock: 14,
      });
      expect(nextRange({ startBlock: 0, confirmations: 0, maxRange: 0, lastProcessed: 7, head: 50 })).to.deep.equal({
        fromBlock: 8,
        toBlock: 8,
      });
    });
  });

  describe("logsInRange", function () {
    it("returns the logs in chain order and matches indexed arguments", async function () {
      const chain = new FakeChain(10, [ping(3, 1, 1n, 7n), ping(3, 0, 2n, 8n), ping(1, 4, 1n, 9n)]);
      const topic = iface.getEvent("Ping")!.topicHash;
      const all = await logsInRange(chain, [ADDRESS], [topic], { fromBlock: 0, toBlock: 10 });
      expect(all.map((l) => [l.blockNumber, l.index])).to.deep.equal([
        [1, 4],
        [3, 0],
        [3, 1],
      ]);
      const ofOne = await logsInRange(chain, [ADDRESS], [topic], { fromBlock: 0, toBlock: 10 }, [toBeHex(1n, 32)]);
      expect(ofOne.map((l) => l.blockNumber)).to.deep.equal([1, 3]);
      expect(chain.calls[1].topics).to.deep.equal([[topic], toBeHex(1n, 32)]);
    });
  });

  describe("LogPoller", function () {
    const poller = (chain: FakeChain, extra: Partial<ConstructorParameters<typeof LogPoller>[0]> = {}) =>
      new LogPoller({ provider: chain, address: ADDRESS, iface, event: "Ping", fromBlock: 2, ...extra });

    it("reads from its first block to the head in capped ranges, then only what is new, decoded", async function () {
      const chain = new FakeChain(9, [ping(1, 0, 1n, 1n), ping(2, 0, 1n, 2n), ping(9, 0, 1n, 3n)]);
      const p = poller(chain, { maxBlockRange: 3 });
      const first = await p.poll();
      expect(first.map((e) => e.event.args.value)).to.deep.equal([2n, 3n]);
      expect(chain.calls.map((c) => [c.fromBlock, c.toBlock])).to.deep.equal([
        [2, 4],
        [5, 7],
        [8, 9],
      ]);
      expect(p.cursor).to.equal(9);
      expect(await p.poll()).to.deep.equal([]);
      chain.head = 12;
      chain.logs.push(ping(11, 0, 1n, 4n));
      expect((await p.poll()).map((e) => e.event.args.value)).to.deep.equal([4n]);
      expect(p.cursor).to.equal(12);
    });

    it("stays `confirmations` blocks behind the head and filters by indexed arguments", async function () {
      const chain = new FakeChain(10, [ping(5, 0, 1n, 1n), ping(6, 0, 2n, 2n), ping(9, 0, 2n, 3n)]);
      const p = poller(chain, { confirmations: 2, indexed: [toBeHex(2n, 32)] });
      expect((await p.poll()).map((e) => e.event.args.value)).to.deep.equal([2n]);
      expect(p.cursor).to.equal(8);
    });

    it("runs concurrent polls one after the other, so no event is returned twice", async function () {
      const chain = new FakeChain(5, [ping(3, 0, 1n, 1n)]);
      const p = poller(chain);
      const [a, b] = await Promise.all([p.poll(), p.poll()]);
      expect(a.length + b.length).to.equal(1);
    });

    it("keeps its cursor when a read fails, and reads the range again at the next poll", async function () {
      const chain = new FakeChain(5, [ping(3, 0, 1n, 1n)]);
      const p = poller(chain);
      const getLogs = chain.getLogs.bind(chain);
      chain.getLogs = async () => {
        throw new Error("RPC down");
      };
      expect((await rejection(p.poll())).message).to.equal("RPC down");
      expect(p.cursor).to.equal(1);
      chain.getLogs = getLogs;
      expect(await p.poll()).to.have.length(1);
    });

    it("refuses a negative first block and an event the ABI does not have", function () {
      const chain = new FakeChain(1);
      expect(() => poller(chain, { fromBlock: -1 })).to.throw(RangeError, /fromBlock must be a block number ≥ 0/);
      expect(() => poller(chain, { event: "Missing" })).to.throw();
    });
  });

  describe("Ticker", function () {
    it("runs ticks one at a time, logs a failed tick and goes on, and stop waits for the tick in progress", async function () {
      let runs = 0;
      let inFlight = 0;
      let overlapped = false;
      const logged: string[] = [];
      const logger = pino({ level: "error" }, { write: (line: string) => logged.push(JSON.parse(line).msg as string) });
      const ticker = new Ticker(
        5,
        async () => {
          inFlight += 1;
          overlapped ||= inFlight > 1;
          runs += 1;
          await new Promise((r) => setTimeout(r, 10));
          inFlight -= 1;
          if (runs === 1) throw new Error("first tick fails");
        },
        logger,
        "testing",
      );
      ticker.start();
      ticker.start(); // a second start does not start a second loop
      while (runs < 3) await new Promise((r) => setTimeout(r, 5));
      await ticker.stop();
      const after = runs;
      expect(inFlight).to.equal(0);
      await new Promise((r) => setTimeout(r, 30));
      expect(runs).to.equal(after);
      expect(overlapped).to.equal(false);
      expect(logged).to.deep.equal(["testing failed; trying again at the next interval"]);
    });

    it("refuses an interval that is not positive", function () {
      expect(() => new Ticker(0, async () => undefined, silentLogger, "x")).to.throw(RangeError, /must be positive/);
    });
  });

  describe("helpers", function () {
    it("BlockTimes reads each block once and says when the node does not know a block", async function () {
      let reads = 0;
      const times = new BlockTimes({
        getBlock: async (n: unknown) => {
          reads += 1;
          return n === 404 ? null : ({ number: 7, timestamp: 1_000 + Number(n === "latest" ? 7 : n) } as never);
        },
      });
      expect(await times.of(3)).to.equal(1_003);
      expect(await times.of(3)).to.equal(1_003);
      expect(reads).to.equal(1);
      expect(await times.latest()).to.deep.equal({ number: 7, timestamp: 1_007 });
      expect((await rejection(times.of(404))).message).to.match(/does not know block 404/);
    });
  });
});
