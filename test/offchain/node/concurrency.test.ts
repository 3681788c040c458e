import { expect } from "chai";
import { mapLimit } from "../../../src/node/concurrency";
import { rejection } from "../helpers";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("mapLimit", function () {
  it("keeps input order and never runs more than the limit at once", async function () {
    let running = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 3, 2], 2, async (x, i) => {
      running += 1;
      most = Math.max(most, running);
      await pause(x);
      running -= 1;
      return `${i}:${x * 10}`;
    });
    expect(out).to.deep.equal(["0:50", "1:10", "2:30", "3:20"]);
    expect(most).to.equal(2);
  });

  it("runs one call at a time for a limit below one, and nothing for no items", async function () {
    let running = 0;
    let most = 0;
    const out = await mapLimit([1, 2, 3], 0, async (x) => {
      running += 1;
      most = Math.max(most, running);
      await pause(1);
      running -= 1;
      return x;
    });
    expect(out).to.deep.equal([1, 2, 3]);
    expect(most).to.equal(1);
    expect(await mapLimit([], 4, async () => 1)).to.deep.equal([]);
  });

  it("refuses a limit that is not a number", async function () {
    expect((await rejection(mapLimit([1], NaN, async (x) => x))).name).to.equal("RangeError");
  });

  it("rejects with the first failure and starts no item after it", async function () {
    const started: number[] = [];
    const error = await rejection(
      mapLimit([0, 1, 2, 3, 4, 5], 2, async (x) => {
        started.push(x);
        await pause(x === 1 ? 1 : 20);
        if (x === 1) throw new Error("item 1 failed");
        return x;
      }),
    );
    expect(error.message).to.equal("item 1 failed");
    await pause(50);
    expect(started).to.deep.equal([0, 1]);
  });
});
