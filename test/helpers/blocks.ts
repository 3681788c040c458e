import { expect } from "chai";
import { ethers, network } from "hardhat";
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";

/**
 * Sends every transaction, in order, into one block mined at `timestamp` (a race between them); returns their
 * receipt statuses (1 succeeded, 0 reverted). Each transaction needs an explicit gas limit, as none is estimated
 * against the pending state.
 */
export async function inOneBlock(
  timestamp: bigint,
  send: (() => Promise<ContractTransactionResponse>)[],
): Promise<number[]> {
  await network.provider.send("evm_setAutomine", [false]);
  try {
    const sent: ContractTransactionResponse[] = [];
    for (const s of send) sent.push(await s());
    await time.setNextBlockTimestamp(timestamp);
    await mine();
    const statuses: number[] = [];
    for (const tx of sent) {
      const receipt = await ethers.provider.getTransactionReceipt(tx.hash);
      expect(receipt!.blockNumber).to.equal(await ethers.provider.getBlockNumber());
      statuses.push(receipt!.status!);
    }
    return statuses;
  } finally {
    await network.provider.send("evm_setAutomine", [true]);
  }
}
