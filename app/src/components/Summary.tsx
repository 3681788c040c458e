import type { AccountView } from "../lib/chain";
import { Amount } from "./Amount";

interface Props {
  account: AccountView;
  /** Claimable yield now, extrapolated between reads. */
  claimable: bigint;
}

/** The account at a glance: wallet balance, stake, claimable yield and what is unbonding. */
export function Summary({ account, claimable }: Props) {
  const staked = account.positions.reduce((sum, p) => sum + p.stake, 0n);
  const unbonding = account.positions.reduce((sum, p) => sum + p.unbondings.reduce((s, u) => s + u.value, 0n), 0n);
  const facts: [label: string, testId: string, wei: bigint, minDecimals: number][] = [
    ["Wallet balance", "balance", account.balance, 0],
    ["Delegated", "staked", staked, 0],
    ["Claimable yield", "claimable", claimable, 4],
    ["Unbonding", "unbonding", unbonding, 0],
  ];
  return (
    <section aria-labelledby="summary-title" className="card summary">
      <h2 id="summary-title">Your ERA</h2>
      <dl>
        {facts.map(([label, testId, wei, minDecimals]) => (
          <div key={testId}>
            <dt>{label}</dt>
            <dd data-testid={testId}>
              <Amount wei={wei} minDecimals={minDecimals} />
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
