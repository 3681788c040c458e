import { expect } from "chai";
import {
  eraInputValue,
  formatBps,
  formatCountdown,
  formatEra,
  formatPeriod,
  formatUtc,
  parseEraAmount,
  shortHex,
} from "../../src/lib/format";

const ERA = 10n ** 18n;

describe("formatting for the staking page", () => {
  describe("formatEra", () => {
    it("groups thousands and cuts to four decimals without rounding up", () => {
      expect(formatEra(12_345n * ERA + 678_999_999_999_999_999n)).to.equal("12,345.6789 ERA");
      expect(formatEra(999_999_999_999_999_999n)).to.equal("0.9999 ERA");
      expect(formatEra(1_000_000n * ERA)).to.equal("1,000,000 ERA");
    });

    it("drops trailing zeros unless told to keep a fixed number of decimals", () => {
      expect(formatEra(ERA / 2n)).to.equal("0.5 ERA");
      expect(formatEra(80n * ERA + ERA / 1000n, { minDecimals: 4 })).to.equal("80.0010 ERA");
      expect(formatEra(0n, { minDecimals: 4 })).to.equal("0.0000 ERA");
    });

    it("never shows a non-zero amount as zero", () => {
      expect(formatEra(1n)).to.equal("< 0.0001 ERA");
      expect(formatEra(1n, { maxDecimals: 2, unit: false })).to.equal("< 0.01");
      expect(formatEra(1n, { maxDecimals: 0 })).to.equal("< 1 ERA");
      expect(formatEra(0n)).to.equal("0 ERA");
    });

    it("shows every wei when asked, and negative amounts with a sign", () => {
      expect(formatEra(1n, { maxDecimals: 18 })).to.equal("0.000000000000000001 ERA");
      expect(formatEra(-(3n * ERA) / 2n)).to.equal("-1.5 ERA");
    });
  });

  describe("parseEraAmount", () => {
    it("reads whole and decimal amounts up to 18 decimals", () => {
      expect(parseEraAmount("250")).to.deep.equal({ ok: true, wei: 250n * ERA });
      expect(parseEraAmount(" 0.5 ")).to.deep.equal({ ok: true, wei: ERA / 2n });
      expect(parseEraAmount(".25")).to.deep.equal({ ok: true, wei: ERA / 4n });
      expect(parseEraAmount("10.")).to.deep.equal({ ok: true, wei: 10n * ERA });
      expect(parseEraAmount("0.000000000000000001")).to.deep.equal({ ok: true, wei: 1n });
    });

    it("answers anything else with what to type instead", () => {
      const error = (input: string) => {
        const parsed = parseEraAmount(input);
        return parsed.ok ? "(accepted)" : parsed.error;
      };
      expect(error("")).to.equal("Enter an amount of ERA.");
      expect(error("-1")).to.equal("Enter a positive amount.");
      expect(error("1,000")).to.equal("Use a dot for decimals and no thousands separators, e.g. 1000.5.");
      expect(error("1e18")).to.equal("Enter a number, e.g. 250 or 0.5.");
      expect(error(".")).to.equal("Enter a number, e.g. 250 or 0.5.");
      expect(error("1.2.3")).to.equal("Enter a number, e.g. 250 or 0.5.");
      expect(error("0.0000000000000000001")).to.equal("ERA has 18 decimals; enter at most 18 after the dot.");
      expect(error("0.000")).to.equal("Enter an amount greater than zero.");
    });

    it("reads back exactly what eraInputValue writes (the Max button)", () => {
      for (const wei of [1n, ERA, 40_080n * ERA + 123_456_789n, 2n ** 128n]) {
        expect(parseEraAmount(eraInputValue(wei))).to.deep.equal({ ok: true, wei });
      }
      expect(eraInputValue(1_234_567n * ERA)).to.equal("1234567");
    });
  });

  it("formatBps shows basis points as a percentage with two decimals", () => {
    expect(formatBps(800n)).to.equal("8.00%");
    expect(formatBps(960)).to.equal("9.60%");
    expect(formatBps(1_200n)).to.equal("12.00%");
    expect(formatBps(10_000n)).to.equal("100.00%");
    expect(formatBps(1n)).to.equal("0.01%");
    expect(formatBps(0n)).to.equal("0.00%");
  });

  it("formatCountdown shows days and hours without seconds, and seconds under an hour", () => {
    const DAY = 86_400;
    expect(formatCountdown(7 * DAY)).to.equal("7d 0h 00m");
    expect(formatCountdown(7 * DAY - 1)).to.equal("6d 23h 59m");
    expect(formatCountdown(3_600)).to.equal("1h 00m 00s");
    expect(formatCountdown(3_599)).to.equal("59m 59s");
    expect(formatCountdown(61)).to.equal("1m 01s");
    expect(formatCountdown(59)).to.equal("59s");
    expect(formatCountdown(0.2)).to.equal("1s");
    expect(formatCountdown(600n)).to.equal("10m 00s");
  });

  it("formatCountdown says ready once the time has come", () => {
    expect(formatCountdown(0)).to.equal("ready");
    expect(formatCountdown(-5n)).to.equal("ready");
    expect(formatCountdown(Number.NaN)).to.equal("ready");
  });

  it("formatPeriod names a period in its largest whole unit", () => {
    expect(formatPeriod(604_800n)).to.equal("7 days");
    expect(formatPeriod(86_400)).to.equal("1 day");
    expect(formatPeriod(7_200)).to.equal("2 hours");
    expect(formatPeriod(90)).to.equal("90 seconds");
    expect(formatPeriod(1)).to.equal("1 second");
  });

  it("shortHex keeps both ends of a hash or address", () => {
    expect(shortHex("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720")).to.equal("0xa0Ee…9720");
    expect(shortHex("0x1234")).to.equal("0x1234");
  });

  it("formatUtc shows a unix time in UTC to the minute", () => {
    expect(formatUtc(0)).to.equal("1970-01-01 00:00 UTC");
    expect(formatUtc(1_798_761_599n)).to.equal("2026-12-31 23:59 UTC");
  });
});
