import { expect } from "chai";
import { AbiCoder, concat, Signature, toBeHex, Wallet } from "ethers";
import { StandardHandler } from "../../../src/executor/modes/standard";
import type { ActionJob } from "../../../src/executor/types";
import { domainOf, signAction } from "../../../src/sdk/execution";
import { SECP256K1_N } from "../../../src/sdk/signatures";
import type { ExecutionHub } from "../../../typechain-types";

/** StandardHandler.precheck's signature rules (the hub is a stub: the nonce read answers "unused", or counts). */
describe("StandardHandler precheck (signatures)", function () {
  const hubAddress = "0x00000000000000000000000000000000000000aa";
  const chainId = 31337n;
  const user = new Wallet("0x" + "11".repeat(32));
  let reads = 0;
  const hub = {
    runner: {
      // The nonce reads go out as deployless ActionRecordReader calls: answer "unused" for one query.
      call: async () => {
        reads++;
        return AbiCoder.defaultAbiCoder().encode(["uint256[]"], [[0n]]);
      },
    },
  } as unknown as ExecutionHub;
  const handler = new StandardHandler(hub, { hubAddress, chainId });
  const domain = domainOf("ERA ExecutionHub", chainId, hubAddress);

  async function job(): Promise<ActionJob> {
    const fields = { scenarioId: 3n, user: user.address, nonce: 7, payload: 9n };
    return { kind: "action", ...fields, signature: await signAction(user, domain, fields) };
  }

  it("accepts the user's canonical signature and then reads the nonce", async function () {
    reads = 0;
    expect(await handler.precheck(await job())).to.equal(undefined);
    expect(reads).to.equal(1);
  });

  it("refuses the high-s twin with the low-s message, v 0/1 (the hub refuses them) and another user's signature", async function () {
    reads = 0;
    const j = await job();
    const sig = Signature.from(j.signature);
    const twin = concat([sig.r, toBeHex(SECP256K1_N - BigInt(sig.s), 32), new Uint8Array([sig.v === 27 ? 28 : 27])]);
    expect(await handler.precheck({ ...j, signature: twin })).to.match(/low-s/);
    const v01 = concat([sig.r, sig.s, new Uint8Array([sig.yParity])]);
    expect(await handler.precheck({ ...j, signature: v01 })).to.match(/does not recover to user/);
    const other = new Wallet("0x" + "22".repeat(32));
    const signedByOther = await signAction(other, domain, { ...j });
    expect(await handler.precheck({ ...j, signature: signedByOther })).to.match(/does not recover to user/);
    expect(await handler.precheck({ ...j, nonce: 8 })).to.match(/does not recover to user/);
    expect(reads).to.equal(0);
  });
});
