import { expect } from "chai";
import { concat, getBytes, hexlify, keccak256, randomBytes, recoverAddress, Signature, toBeHex, Wallet } from "ethers";
import { recoverStrict, SECP256K1_HALF_N, SECP256K1_N } from "../../src/sdk/signatures";

/** r ‖ s ‖ v as 0x hex. */
const sigOf = (r: bigint, s: bigint, v: number): string =>
  hexlify(concat([toBeHex(r, 32), toBeHex(s, 32), new Uint8Array([v])]));

describe("SDK signatures: recoverStrict (libsecp256k1)", function () {
  const wallet = new Wallet(keccak256(Buffer.from("signatures.test")));
  const digest = keccak256(Buffer.from("a digest"));
  const good = wallet.signingKey.sign(digest);

  it("agrees with ethers' recoverAddress on 300 random keys and digests (checksummed addresses)", function () {
    for (let i = 0; i < 300; i++) {
      const w = Wallet.createRandom();
      const d = hexlify(randomBytes(32));
      const sig = w.signingKey.sign(d);
      const recovered = recoverStrict(d, sig.serialized);
      expect(recovered).to.equal(recoverAddress(d, sig.serialized));
      expect(recovered).to.equal(w.address);
      // Upper-case hex is the same signature.
      expect(
        recoverStrict(d.toUpperCase().replace("0X", "0x"), sig.serialized.toUpperCase().replace("0X", "0x")),
      ).to.equal(w.address);
    }
  });

  it("recovers another address for a signature over another digest or by another key", function () {
    const other = keccak256(Buffer.from("another digest"));
    const recovered = recoverStrict(other, good.serialized);
    expect(recovered).to.be.a("string");
    expect(recovered).to.not.equal(wallet.address);
    expect(recovered).to.equal(recoverAddress(other, good.serialized));
    const stranger = Wallet.createRandom();
    expect(recoverStrict(digest, stranger.signingKey.sign(digest).serialized)).to.equal(stranger.address);
  });

  it("refuses the high-s twin (s > n/2), s = n/2 still accepted", function () {
    const highS = SECP256K1_N - BigInt(good.s);
    expect(highS > SECP256K1_HALF_N).to.equal(true);
    const twin = sigOf(BigInt(good.r), highS, good.v === 27 ? 28 : 27);
    // ethers v6 refuses it too (non-canonical s); the low-s original recovers.
    expect(() => recoverAddress(digest, twin)).to.throw();
    expect(recoverStrict(digest, good.serialized)).to.equal(wallet.address);
    expect(recoverStrict(digest, twin)).to.equal(undefined);
    // s exactly n/2 is still low (OpenZeppelin: s ≤ n/2); one above is refused.
    expect(recoverStrict(digest, sigOf(BigInt(good.r), SECP256K1_HALF_N + 1n, 27))).to.equal(undefined);
    const atHalf = recoverStrict(digest, sigOf(BigInt(good.r), SECP256K1_HALF_N, 27));
    expect(atHalf).to.equal(recoverAddress(digest, sigOf(BigInt(good.r), SECP256K1_HALF_N, 27)));
  });

  it("refuses the 64-byte compact form (EIP-2098), as OpenZeppelin 5 and the executor's intake do", function () {
    const compact = good.compactSerialized;
    expect(getBytes(compact).length).to.equal(64);
    expect(recoverAddress(digest, compact)).to.equal(wallet.address);
    expect(recoverStrict(digest, compact)).to.equal(undefined);
  });

  it("refuses v other than 27 or 28 (0/1, EIP-155 values, 29)", function () {
    const r = BigInt(good.r);
    const s = BigInt(good.s);
    for (const v of [0, 1, 2, 26, 29, 35, 36, 37, 255])
      expect(recoverStrict(digest, sigOf(r, s, v)), `v ${v}`).to.equal(undefined);
    // ethers accepts v 0/1 for the same signer: recoverStrict is stricter, as the hub is.
    expect(recoverAddress(digest, sigOf(r, s, good.yParity))).to.equal(wallet.address);
    expect(recoverStrict(digest, sigOf(r, s, good.v))).to.equal(wallet.address);
  });

  it("refuses a wrong length, non-hex, missing prefix, non-string, or a malformed digest", function () {
    const sig = good.serialized;
    for (const bad of [
      "",
      "0x",
      sig.slice(0, -2),
      `${sig}00`,
      sig.slice(2),
      `0x${"zz"}${sig.slice(4)}`,
      `${sig.slice(0, -1)}g`,
      ` ${sig}`,
    ]) {
      expect(recoverStrict(digest, bad), bad).to.equal(undefined);
    }
    expect(recoverStrict(digest, undefined as unknown as string)).to.equal(undefined);
    expect(recoverStrict(digest, 42 as unknown as string)).to.equal(undefined);
    expect(recoverStrict(digest.slice(0, -2), sig)).to.equal(undefined);
    expect(recoverStrict(digest.slice(2), sig)).to.equal(undefined);
    expect(recoverStrict(`${digest.slice(0, -1)}x`, sig)).to.equal(undefined);
  });

  it("refuses r or s zero or ≥ n", function () {
    const r = BigInt(good.r);
    const s = BigInt(good.s);
    for (const [rr, ss] of [
      [0n, s],
      [r, 0n],
      [SECP256K1_N, s],
      [SECP256K1_N + 1n, s],
      [2n ** 256n - 1n, s],
      [r, SECP256K1_N],
      [r, 2n ** 256n - 1n],
    ]) {
      expect(recoverStrict(digest, sigOf(rr, ss, 27)), `${rr} ${ss}`).to.equal(undefined);
      expect(recoverStrict(digest, sigOf(rr, ss, 28)), `${rr} ${ss}`).to.equal(undefined);
    }
  });

  it("refuses an r that is no curve point's x (nothing to recover)", function () {
    const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
    const pow = (b: bigint, e: bigint): bigint => {
      let result = 1n;
      for (b %= P; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) result = (result * b) % P;
      return result;
    };
    // Euler's criterion: x³ + 7 is not a square mod p, so no point has x = r.
    let r = 1n;
    while (pow(r ** 3n + 7n, (P - 1n) / 2n) === 1n) r++;
    const sig = sigOf(r, 1n, 27);
    expect(() => recoverAddress(digest, sig)).to.throw();
    expect(recoverStrict(digest, sig)).to.equal(undefined);
    expect(recoverStrict(digest, sigOf(r, 1n, 28))).to.equal(undefined);
  });
});
