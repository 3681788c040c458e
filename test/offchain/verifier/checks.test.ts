import { expect } from "chai";
import { ethers } from "ethers";
import { domainOf, packActions, signAction, type PackedAction } from "../../../src/sdk/execution";
import { decodeHubCall, PackedDataError, unpackActions } from "../../../src/sdk/calldata";
import { recoverStrict } from "../../../src/sdk/signatures";
import { ExecutionHub__factory } from "../../../typechain-types";
import {
  actionDigest,
  fraudToProve,
  oneRoundFrauds,
  signatureFrauds,
  useKey,
  type EarlierUse,
} from "../../../src/verifier/checks";
import { parseNodeUrls, servedSignatures } from "../../../src/verifier/signatures";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const user = (i: number) => ethers.getAddress(ethers.dataSlice(ethers.id(`user-${i}`), 12));
const act = (u: number, nonce: number, payload = 0n): PackedAction => ({ user: user(u), nonce, payload });

describe("Lightweight batch data", function () {
  it("unpacks exactly what packActions packed, extreme values included", function () {
    const actions: PackedAction[] = [
      act(1, 0, 0n),
      {
        user: ethers.getAddress("0xffffffffffffffffffffffffffffffffffffffff"),
        nonce: 0xffffffff,
        payload: 2n ** 64n - 1n,
      },
      act(2, 7, 123_456_789n),
    ];
    expect(unpackActions(packActions(actions))).to.deep.equal(actions);
  });

  it("refuses empty data and data that is not whole 32-byte actions", function () {
    expect(() => unpackActions("0x")).to.throw(PackedDataError, /not a positive multiple/);
    expect(() => unpackActions(`0x${"ab".repeat(33)}`)).to.throw(PackedDataError, /got 33 bytes/);
    expect(() => unpackActions("0xzz")).to.throw(PackedDataError, /hex/);
  });

  it("decodes the hub's lightweight, standard and settlement calls, and nothing else", function () {
    const hub = ExecutionHub__factory.createInterface();
    const batchId = ethers.id("batch");
    const actions = [act(1, 1, 5n), act(2, 2, 6n)];
    const light = decodeHubCall(hub.encodeFunctionData("submitLightweight", [3n, batchId, packActions(actions)]));
    expect(light).to.deep.include({ fn: "submitLightweight", scenarioId: 3n, batchId, actions });

    const standard = decodeHubCall(
      hub.encodeFunctionData("submitStandard", [3n, batchId, [{ ...actions[0], signature: "0x1234" }]]),
    );
    expect(standard).to.deep.equal({
      fn: "submitStandard",
      scenarioId: 3n,
      batchId,
      actions: [{ ...actions[0], signature: "0x1234" }],
    });

    const leg = { payer: user(1), payee: user(2), token: user(3), amount: 10n };
    const settlement = { id: ethers.id("s"), scenarioId: 1n, legs: [leg], deadline: 99n, hashlock: ethers.ZeroHash };
    const settled = decodeHubCall(hub.encodeFunctionData("submitSettlements", [1n, batchId, [settlement], [["0x"]]]));
    expect(settled).to.deep.equal({ fn: "submitSettlements", scenarioId: 1n, batchId, settlements: [settlement] });
    const locked = decodeHubCall(hub.encodeFunctionData("submitLock", [1n, batchId, settlement, ["0x"]]));
    expect(locked).to.deep.equal({ fn: "submitLock", scenarioId: 1n, batchId, settlement });

    expect(decodeHubCall(hub.encodeFunctionData("syncScore", [1n]))).to.equal(undefined);
    expect(decodeHubCall("0x12345678")).to.equal(undefined);
    expect(decodeHubCall(hub.encodeFunctionData("submitLightweight", [3n, batchId, "0x1234"]))).to.equal(undefined);
  });
});

describe("Verifier checks: one-round frauds", function () {
  const none = new Map<string, EarlierUse>();

  it("finds nothing in a batch of distinct, unused nonces", function () {
    const actions = [act(1, 1), act(1, 2), act(2, 1)];
    expect(oneRoundFrauds({ actions, seq: 5n, earlier: none, standardSeqs: [0n, 0n, 0n] })).to.deep.equal([]);
  });

  it("names the second use of a (user, nonce) within the batch and the first it repeats", function () {
    const actions = [act(1, 1), act(2, 1), act(1, 1, 9n), act(1, 1, 10n)];
    expect(oneRoundFrauds({ actions, seq: 5n, earlier: none, standardSeqs: [0n, 0n, 0n, 0n] })).to.deep.equal([
      { kind: "duplicate-in-batch", index: 2, first: 0 },
      { kind: "duplicate-in-batch", index: 3, first: 0 },
    ]);
  });

  it("flags a reuse of an earlier batch's (user, nonce), never of a later one", function () {
    const actions = [act(1, 1), act(2, 2)];
    const earlier = new Map([[useKey(user(2), 2), { batchId: ethers.id("a"), index: 4, seq: 3n }]]);
    expect(oneRoundFrauds({ actions, seq: 5n, earlier, standardSeqs: [0n, 0n] })).to.deep.equal([
      { kind: "duplicate-across-batches", index: 1, earlier: { batchId: ethers.id("a"), index: 4, seq: 3n } },
    ]);
    const later = new Map([[useKey(user(2), 2), { batchId: ethers.id("b"), index: 0, seq: 6n }]]);
    expect(oneRoundFrauds({ actions, seq: 5n, earlier: later, standardSeqs: [0n, 0n] })).to.deep.equal([]);
  });

  it("flags a nonce applied in standard mode before the batch, not one applied after it (a replay)", function () {
    const actions = [act(1, 1), act(2, 2)];
    expect(oneRoundFrauds({ actions, seq: 5n, earlier: none, standardSeqs: [4n, 6n] })).to.deep.equal([
      { kind: "nonce-used-in-standard", index: 0, standardSeq: 4n },
    ]);
  });

  it("prefers one-round proofs over signature challenges, and the first of a kind", function () {
    expect(
      fraudToProve([
        { kind: "missing-signature", index: 0 },
        { kind: "nonce-used-in-standard", index: 3, standardSeq: 1n },
        { kind: "duplicate-in-batch", index: 5, first: 1 },
        { kind: "duplicate-in-batch", index: 6, first: 2 },
      ]),
    ).to.deep.equal({ kind: "duplicate-in-batch", index: 5, first: 1 });
    expect(fraudToProve([])).to.equal(undefined);
  });
});

describe("Verifier checks: signatures", function () {
  const hub = "0x00000000000000000000000000000000000000aa";
  const domain = domainOf("ERA ExecutionHub", 31337n, hub);
  const wallet = ethers.Wallet.createRandom();
  const other = ethers.Wallet.createRandom();
  const a: PackedAction = { user: wallet.address, nonce: 3, payload: 44n };
  const sign = (s: ethers.Wallet | ethers.HDNodeWallet, scenarioId = 3n, x = a) =>
    signAction(s, domain, { scenarioId, user: x.user, nonce: x.nonce, payload: x.payload });
  const input = (signatures: (string | undefined)[]) => ({
    hubDomain: domain,
    scenarioId: 3n,
    actions: [a],
    signatures,
    otherScenarios: [1n, 2n, 4n],
  });

  it("accepts the user's signature for this scenario", async function () {
    expect(signatureFrauds(input([await sign(wallet)]))).to.deep.equal([]);
  });

  it("tells a missing, a forged and another scenario's signature apart", async function () {
    expect(signatureFrauds(input([undefined]))).to.deep.equal([{ kind: "missing-signature", index: 0 }]);
    expect(signatureFrauds(input([await sign(other)]))).to.deep.equal([{ kind: "bad-signature", index: 0 }]);
    expect(signatureFrauds(input([await sign(wallet, 4n)]))).to.deep.equal([
      { kind: "wrong-scenario", index: 0, signedFor: 4n },
    ]);
    expect(signatureFrauds(input(["0x1234"]))).to.deep.equal([{ kind: "bad-signature", index: 0 }]);
  });

  it("refuses a malleated (high-s) signature as the contract does", async function () {
    const sig = ethers.Signature.from(await sign(wallet));
    const digest = actionDigest(domain, 3n, a);
    expect(recoverStrict(digest, sig.serialized)).to.equal(wallet.address);
    const high = ethers.concat([sig.r, ethers.toBeHex(N - BigInt(sig.s), 32), sig.v === 27 ? "0x1c" : "0x1b"]);
    expect(recoverStrict(digest, high)).to.equal(undefined);
    expect(signatureFrauds(input([high]))).to.deep.equal([{ kind: "bad-signature", index: 0 }]);
  });

  it("reads a node's answer only when it has one entry per action", function () {
    const sig = `0x${"11".repeat(65)}`;
    expect(servedSignatures({ signatures: [sig, null] }, 2)).to.deep.equal({
      status: "served",
      signatures: [sig, undefined],
    });
    expect(servedSignatures({ signatures: [sig] }, 2)).to.equal(undefined);
    expect(servedSignatures({ signatures: [42, null] }, 2)).to.equal(undefined);
    expect(servedSignatures("nope", 1)).to.equal(undefined);
  });

  it("parses node URLs from a flag and from a file, and names a bad entry", function () {
    expect(parseNodeUrls("1=http://a:8080/, 2=https://b")).to.deep.equal(
      new Map([
        [1n, "http://a:8080"],
        [2n, "https://b"],
      ]),
    );
    expect(parseNodeUrls({ "7": "http://c" })).to.deep.equal(new Map([[7n, "http://c"]]));
    expect(parseNodeUrls("")).to.deep.equal(new Map());
    expect(() => parseNodeUrls("node1=http://a")).to.throw(/"node1=http:\/\/a" is not "<node id>=<http\(s\) URL>"/);
  });
});
