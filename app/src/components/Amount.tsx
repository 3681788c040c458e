import { formatEra, type EraFormat } from "../lib/format";

/** An ERA amount, cut to a few decimals, with the exact value on hover. */
export function Amount({ wei, ...format }: { wei: bigint } & EraFormat) {
  return (
    <span className="amount" title={formatEra(wei, { maxDecimals: 18 })}>
      {formatEra(wei, format)}
    </span>
  );
}
