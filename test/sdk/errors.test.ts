import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { economyFixture, ERA } from "../helpers/fixtures";
import { decodeContractError, describeError, EraContractError, revertDataOf } from "../../src/sdk/errors";

async function failureOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to fail");
}

describe("SDK errors", function () {
  it("decodes a staking revert into its name, named values and a sentence", async function () {
    const f = await loadFixture(economyFixture);
    const err = await failureOf(f.staking.connect(f.alice).claim(1n));
    const decoded = decodeContractError(err);
    expect(decoded).to.be.instanceOf(EraContractError);
    expect(decoded!.errorName).to.equal("StakingNothingToClaim");
    expect(decoded!.args.delegator).to.equal(f.alice.address);
    expect(decoded!.message).to.equal("There is no yield to claim yet.");
    expect(decoded!.signature).to.equal(`StakingNothingToClaim(delegator=${f.alice.address})`);
  });

  it("formats ERA amounts in OpenZeppelin's ERC-20 errors", async function () {
    const f = await loadFixture(economyFixture);
    const balance = await f.token.balanceOf(f.alice.address);
    const err = await failureOf(f.token.connect(f.alice).transfer(f.bob.address, balance + (15n * ERA) / 10n));
    const text = describeError(err);
    expect(text).to.contain("1.5 ERA");
    expect(text).to.match(/Lower the amount/);
    expect(text).not.to.match(/0x[0-9a-f]{16}/i);
  });

  it("gives errors without a written sentence a generic one that names every value", async function () {
    const f = await loadFixture(economyFixture);
    const err = await failureOf(f.scenarioRegistry.connect(f.alice).setMode(999n, 0));
    const decoded = decodeContractError(err);
    expect(decoded).to.not.equal(undefined);
    expect(decoded!.message).to.contain(decoded!.errorName);
    for (const [k, v] of Object.entries(decoded!.args)) {
      if (!/^\d+$/.test(k)) expect(decoded!.message).to.contain(`${k} = ${String(v)}`);
    }
  });

  it("finds revert data nested the way wallets and ethers wrap it", function () {
    const data = "0x12345678" + "00".repeat(32);
    expect(revertDataOf({ error: { data: { data } } })).to.equal(data);
    expect(revertDataOf({ info: { error: { data } } })).to.equal(data);
    expect(revertDataOf({ message: "no data" })).to.equal(undefined);
  });

  it("returns undefined for data that is not one of the suite's errors", function () {
    expect(decodeContractError({ data: "0xdeadbeef" })).to.equal(undefined);
  });

  it("describes a wallet rejection, a network failure and a plain error in words", function () {
    expect(describeError({ code: 4001, message: "User rejected" })).to.match(/rejected the request/);
    expect(describeError({ code: 4902 })).to.match(/does not know this chain/);
    const blob = "0x" + "ab".repeat(40);
    expect(describeError(new Error(`boom ${blob}`))).to.equal("boom (data)");
  });
});
