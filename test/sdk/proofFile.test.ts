import { expect } from "chai";
import { Wallet } from "ethers";
import { RewardTree, SubsidyTree, subsidyFor } from "../../src/sdk/merkle";
import {
  claimsOf,
  parseProofFile,
  parseProofFileText,
  ProofFileError,
  serializeProofFile,
  toProofFile,
} from "../../src/sdk/proofFile";

const scope = { chainId: 31337n, distributor: "0x" + "11".repeat(20), epochId: 7n };
const alice = Wallet.createRandom().address;
const bob = Wallet.createRandom().address;

describe("SDK proof files", function () {
  it("round-trips a subsidy tree through JSON with payouts including the MAU bonus", function () {
    const tree = new SubsidyTree(scope, [
      { account: alice, scenarioId: 1n, baseAmount: 10_000n * 10n ** 18n, mau: 100_001n },
      { account: bob, scenarioId: 2n, baseAmount: 10_000n * 10n ** 18n, mau: 100_000n },
    ]);
    const file = toProofFile(tree, "subsidy");
    const back = parseProofFileText(serializeProofFile(file));
    expect(back).to.deep.equal(file);
    expect(back.kind).to.equal("subsidy");
    if (back.kind !== "subsidy") return;
    expect(back.claims[0].payout).to.equal(11_000n * 10n ** 18n);
    expect(back.claims[1].payout).to.equal(subsidyFor(10_000n * 10n ** 18n, 100_000n));
    expect(back.budget).to.equal(tree.budget);
    expect(back.root).to.equal(tree.root);
  });

  it("keeps every reward proof verifiable against the root", function () {
    const tree = new RewardTree(scope, [
      { account: alice, amount: 5n },
      { account: bob, amount: 7n },
      { account: alice, amount: 9n },
    ]);
    const file = parseProofFile(JSON.parse(serializeProofFile(toProofFile(tree, "reward"))));
    if (file.kind !== "reward") throw new Error("kind");
    file.claims.forEach((c, i) => expect(c.proof).to.deep.equal(tree.tree.getProof(i)));
    expect(claimsOf(file, alice.toLowerCase()).map((c) => c.amount)).to.deep.equal([5n, 9n]);
  });

  it("names the bad field of a tampered file", function () {
    const tree = new RewardTree(scope, [
      { account: alice, amount: 5n },
      { account: bob, amount: 6n },
    ]);
    const json = JSON.parse(serializeProofFile(toProofFile(tree, "reward")));
    json.claims[1].proof[0] = "0x1234";
    expect(() => parseProofFile(json)).to.throw(ProofFileError, /claims\.1\.proof\.0: must be a 0x-prefixed 32-byte/);
    json.claims[1].proof[0] = tree.tree.getProof(1)[0];
    json.claims[0].amount = "-5";
    expect(() => parseProofFile(json)).to.throw(ProofFileError, /claims\.0\.amount/);
    expect(() => parseProofFileText("{not json")).to.throw(ProofFileError, /not JSON/);
    expect(() => parseProofFile({ ...json, kind: "airdrop" })).to.throw(ProofFileError, /kind/);
  });
});
