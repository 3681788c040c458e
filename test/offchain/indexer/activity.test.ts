import { expect } from "chai";
import { ethers } from "ethers";
import {
  DEFAULT_MONTH_SECONDS,
  actionKey,
  actionsPerUser,
  mauOf,
  monthBounds,
  monthOf,
  rewardEntries,
  splitProRata,
  subsidyEntries,
  usesOfCall,
} from "../../../src/indexer/activity";
import { IndexerStore, type BatchRecord } from "../../../src/indexer/store";
import { SubsidyTree, subsidyFor } from "../../../src/sdk/merkle";

const user = (i: number) => ethers.getAddress(ethers.dataSlice(ethers.id(`indexer-user-${i}`), 12));
const ERA = 10n ** 18n;

describe("Indexer rules: months", function () {
  const calendar = { start: 1_000_000, length: DEFAULT_MONTH_SECONDS };

  it("uses 365/12 days per month by default", function () {
    expect(DEFAULT_MONTH_SECONDS).to.equal(2_628_000);
  });

  it("puts the last second of a month in it and its end in the next", function () {
    const { start, end } = monthBounds(calendar, 3);
    expect(start).to.equal(1_000_000 + 3 * 2_628_000);
    expect(monthOf(calendar, start)).to.equal(3);
    expect(monthOf(calendar, end - 1)).to.equal(3);
    expect(monthOf(calendar, end)).to.equal(4);
    expect(monthOf(calendar, calendar.start - 1)).to.equal(-1);
  });
});

describe("Indexer rules: who counts as a user", function () {
  const batchId = ethers.id("b");
  const leg = (payer: number, payee: number) => ({
    payer: user(payer),
    payee: user(payee),
    token: user(9),
    amount: 1n,
  });

  it("counts each standard or lightweight action's user, keyed by (user, nonce)", function () {
    const actions = [
      { user: user(1), nonce: 1, payload: 0n },
      { user: user(1), nonce: 2, payload: 0n },
    ];
    const uses = [
      { user: user(1), key: actionKey(user(1), 1) },
      { user: user(1), key: actionKey(user(1), 2) },
    ];
    expect(usesOfCall({ fn: "submitLightweight", scenarioId: 3n, batchId, data: "0x", actions })).to.deep.equal(uses);
    expect(
      usesOfCall({
        fn: "submitStandard",
        scenarioId: 3n,
        batchId,
        actions: actions.map((a) => ({ ...a, signature: "0x" })),
      }),
    ).to.deep.equal(uses);
  });

  it("counts every payer and payee of an atomic settlement once, and nothing for a lock or a notarization", function () {
    const settlement = {
      id: ethers.id("s"),
      scenarioId: 1n,
      legs: [leg(1, 2), leg(2, 3), leg(1, 3)],
      deadline: 0n,
      hashlock: ethers.ZeroHash,
    };
    const uses = usesOfCall({ fn: "submitSettlements", scenarioId: 1n, batchId, settlements: [settlement] });
    expect(uses.map((u) => u.user)).to.deep.equal([user(1), user(2), user(3)]);
    expect(new Set(uses.map((u) => u.key)).size).to.equal(3);
    expect(usesOfCall({ fn: "submitLock", scenarioId: 1n, batchId, settlement })).to.deep.equal([]);
    expect(usesOfCall({ fn: "submitNotarization" })).to.deep.equal([]);
    expect(usesOfCall({ fn: "submitNotarizationBatch" })).to.deep.equal([]);
  });
});

describe("Indexer rules: MAU from stored records", function () {
  let store: IndexerStore;
  beforeEach(() => (store = new IndexerStore(":memory:", { chainId: "1" })));
  afterEach(() => store.close());

  let block = 0;
  function batch(
    scenarioId: bigint,
    month: number,
    users: [number, number][],
    status: BatchRecord["status"] = "applied",
  ) {
    block += 1;
    const batchId = ethers.id(`batch-${block}`);
    store.addBatch(
      {
        batchId,
        scenarioId,
        mode: 0,
        block,
        logIndex: 0,
        timestamp: block,
        month,
        size: users.length,
        status,
        decoded: true,
      },
      users.map(([u, nonce]) => ({ user: user(u), key: actionKey(user(u), nonce) })),
    );
    return batchId;
  }

  it("counts distinct users per scenario per month", function () {
    batch(1n, 0, [
      [1, 1],
      [1, 2],
      [2, 1],
    ]);
    batch(2n, 0, [[1, 1]]);
    batch(1n, 1, [[3, 1]]);
    expect(mauOf(store.activity(0))).to.deep.equal(
      new Map([
        [1n, 2n],
        [2n, 1n],
      ]),
    );
    expect(mauOf(store.activity(1))).to.deep.equal(new Map([[1n, 1n]]));
    expect(actionsPerUser(store.activity(0))).to.deep.equal(
      new Map([
        [user(1), 3n],
        [user(2), 1n],
      ]),
    );
  });

  it("counts a (user, nonce) once, where it first took effect, across batches and months", function () {
    batch(1n, 0, [[1, 1]]);
    batch(1n, 0, [[1, 1]]);
    batch(1n, 1, [
      [1, 1],
      [2, 1],
    ]);
    expect(store.activity(0).get(1n)).to.deep.equal(new Map([[user(1), 1]]));
    expect(store.activity(1).get(1n)).to.deep.equal(new Map([[user(2), 1]]));
  });

  it("reports a month's notarized results per scenario without counting anyone as a user", function () {
    block += 1;
    const notarized = {
      scenarioId: 2n,
      mode: 2,
      block,
      logIndex: 0,
      timestamp: block,
      month: 0,
      status: "applied" as const,
    };
    store.addBatch({ ...notarized, batchId: ethers.id("n1"), size: 3, decoded: true }, []);
    store.addBatch({ ...notarized, batchId: ethers.id("n2"), size: 1, decoded: true }, []);
    expect(mauOf(store.activity(0))).to.deep.equal(new Map());
    expect(store.batchStats(0).get(2n)).to.deep.equal({ batches: 2, results: 4, undecodable: 0, rejected: 0 });
  });

  it("leaves out a rejected batch, and then counts the next use of its actions", function () {
    const rejected = batch(1n, 0, [[1, 1]], "pending");
    batch(1n, 1, [[1, 1]]);
    expect(mauOf(store.activity(1))).to.deep.equal(new Map());
    store.setBatchStatus(rejected, "rejected");
    expect(mauOf(store.activity(0))).to.deep.equal(new Map());
    expect(mauOf(store.activity(1))).to.deep.equal(new Map([[1n, 1n]]));
  });
});

describe("Indexer rules: splits", function () {
  it("rounds every share down: never pays more than the total, and the dust stays", function () {
    const { shares, dust } = splitProRata(
      100n,
      new Map([
        ["a", 1n],
        ["b", 1n],
        ["c", 1n],
      ]),
    );
    expect([...shares.values()]).to.deep.equal([33n, 33n, 33n]);
    expect(dust).to.equal(1n);
    const uneven = splitProRata(
      1_000n,
      new Map([
        ["a", 7n],
        ["b", 0n],
        ["c", 13n],
      ]),
    );
    expect(uneven.shares).to.deep.equal(
      new Map([
        ["a", 350n],
        ["b", 0n],
        ["c", 650n],
      ]),
    );
    expect(uneven.dust).to.equal(0n);
    expect(splitProRata(5n, new Map([["a", 0n]])).dust).to.equal(5n);
    expect(() => splitProRata(5n, new Map([["a", -1n]]))).to.throw(RangeError);
  });

  it("splits the base subsidy by MAU; the contract's bonus goes to 100,001 MAU and not to 100,000", function () {
    const mau = new Map([
      [7n, 100_001n],
      [8n, 100_000n],
      [9n, 0n],
    ]);
    const owners = new Map([
      [7n, user(7)],
      [8n, user(8)],
      [9n, user(9)],
    ]);
    const base = 200_001n * ERA;
    const { entries, dust } = subsidyEntries(mau, owners, base);
    expect(entries).to.deep.equal([
      { account: user(7), scenarioId: 7n, baseAmount: 100_001n * ERA, mau: 100_001n },
      { account: user(8), scenarioId: 8n, baseAmount: 100_000n * ERA, mau: 100_000n },
    ]);
    expect(dust).to.equal(0n);
    expect(subsidyFor(entries[0].baseAmount, entries[0].mau)).to.equal(ethers.parseEther("110001.1"));
    expect(subsidyFor(entries[1].baseAmount, entries[1].mau)).to.equal(100_000n * ERA);
    const tree = new SubsidyTree({ chainId: 1n, distributor: user(0), epochId: 0n }, entries);
    expect(tree.budget).to.equal(ethers.parseEther("110001.1") + 100_000n * ERA);
  });

  it("splits rewards by actions, in address order, with no zero leaf", function () {
    const perUser = new Map([
      [user(3), 1n],
      [user(1), 2n],
      [user(2), 0n],
    ]);
    const { entries, dust } = rewardEntries(perUser, 10n);
    const expected = [
      { account: user(1), amount: 6n },
      { account: user(3), amount: 3n },
    ].sort((a, b) => (BigInt(a.account) < BigInt(b.account) ? -1 : 1));
    expect(entries).to.deep.equal(expected);
    expect(dust).to.equal(1n);
  });
});
