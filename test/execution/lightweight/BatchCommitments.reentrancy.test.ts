import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { LightweightBatchTree, packActions, randomId } from "../../../src/sdk/execution";
import { ERA, EXECUTION_DEFAULTS, LIGHT, makeActions } from "./helpers";

/**
 * BatchCommitments deployed over a hostile ERA: the token calls back into the contract from inside the bond transfer
 * of `challengeSignature`. The hub is a plain account (the constructor only needs non-zero addresses), so the test
 * commits batches directly; the registry and reserve are never reached on this path.
 */
async function hostileTokenFixture() {
  const [deployer, challenger] = await ethers.getSigners();
  const token = await ethers.deployContract("HookToken");
  await token.mint(challenger.address, 1_000_000n * ERA);
  const d = EXECUTION_DEFAULTS;
  const bc = await (
    await ethers.getContractFactory("BatchCommitments")
  ).deploy(
    await token.getAddress(),
    deployer.address,
    ethers.Wallet.createRandom().address,
    ethers.Wallet.createRandom().address,
    deployer.address,
    d.challengeWindow,
    d.answerWindow,
    d.challengeBond,
    d.fraudSlash,
    d.bountyBps,
  );
  const batchId = randomId();
  const actions = makeActions(4);
  await bc.connect(deployer).commit(LIGHT, batchId, 1, 1, packActions(actions));
  await token.connect(challenger).approve(await bc.getAddress(), d.challengeBond);
  const tree = new LightweightBatchTree(LIGHT, batchId, actions);
  return { bc, token, challenger, batchId, tree };
}

describe("BatchCommitments: reentrancy", function () {
  it("lets a token hook make read-only calls during the bond transfer (control)", async function () {
    const { bc, token, challenger, batchId, tree } = await loadFixture(hostileTokenFixture);
    const isFinal = bc.interface.encodeFunctionData("isFinal", [batchId]);
    await token.arm(await bc.getAddress(), isFinal);
    await expect(bc.connect(challenger).challengeSignature(batchId, tree.ref(0), tree.proof(0)))
      .to.emit(bc, "SignatureChallenged")
      .and.to.emit(token, "HookCalled")
      .withArgs(await bc.getAddress(), isFinal, ethers.AbiCoder.defaultAbiCoder().encode(["bool"], [false]));
  });

  it("attack: a hostile token cannot re-enter any state-changing function from inside a transfer", async function () {
    const { bc, token, challenger, batchId, tree } = await loadFixture(hostileTokenFixture);
    const [r0, p0, r1, p1] = [tree.ref(0), tree.proof(0), tree.ref(1), tree.proof(1)];
    const i = bc.interface;
    const reentries = [
      i.encodeFunctionData("proveDuplicateInBatch", [batchId, r0, p0, r1, p1]),
      i.encodeFunctionData("proveDuplicateAcrossBatches", [batchId, r1, p1, batchId, r0, p0]),
      i.encodeFunctionData("proveNonceUsedInStandard", [batchId, r0, p0]),
      i.encodeFunctionData("proveStandardReplay", [batchId, r0, p0]),
      i.encodeFunctionData("challengeSignature", [batchId, r1, p1]),
      i.encodeFunctionData("answerChallenge", [batchId, 0, "0x"]),
      i.encodeFunctionData("resolveChallenge", [batchId, 0]),
      i.encodeFunctionData("finalize", [batchId]),
    ];
    for (const data of reentries) {
      await token.arm(await bc.getAddress(), data);
      await expect(
        bc.connect(challenger).challengeSignature(batchId, r0, p0),
        i.parseTransaction({ data })?.name,
      ).to.be.revertedWithCustomError(bc, "ReentrancyGuardReentrantCall");
    }
    expect((await bc.getBatch(batchId)).openChallenges).to.equal(0n);
  });
});
