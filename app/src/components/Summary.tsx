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
  return (
    <section aria-labelledby="summary-title" className="card summary">
      <h2 id="summary-title">Your ERA</h2>
      <dl>
        <div>
          <dt>Wallet balance</dt>
          <dd data-testid="balance">
            <Amount wei={account.balance} />
          </dd>
        </div>
        <div>
          <dt>Delegated</dt>
          <dd data-testid="staked">
            <Amount wei={staked} />
          </dd>
        </div>
        <div>
          <dt>Claimable yield</dt>
          <dd data-testid="claimable">
            <Amount wei={claimable} minDecimals={4} />
          </dd>
        </div>
        <div>
          <dt>Unbonding</dt>
          <dd data-testid="unbonding">
            <Amount wei={unbonding} />
          </dd>
        </div>
      </dl>
    </section>
  );
}
