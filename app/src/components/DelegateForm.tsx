import { useId, useState, type FormEvent, type RefObject } from "react";
import { eraInputValue, formatBps } from "../lib/format";
import type { NodeRow } from "../lib/nodes";
import { checkDelegation } from "../lib/validation";
import { Amount } from "./Amount";
import { AmountField, NodeSelect } from "./Fields";

interface Props {
  nodes: NodeRow[];
  nodeId: bigint | undefined;
  onNodeChange: (nodeId: bigint | undefined) => void;
  balance: bigint;
  /** Focused when a node is picked in the table. */
  amountRef: RefObject<HTMLInputElement | null>;
  busy: boolean;
  onDelegate: (node: NodeRow, amount: bigint) => Promise<boolean>;
}

/** Delegate ERA to a node: one permit signature and one transaction where the wallet can sign permits. */
export function DelegateForm({ nodes, nodeId, onNodeChange, balance, amountRef, busy, onDelegate }: Props) {
  const [amount, setAmount] = useState("");
  const [problem, setProblem] = useState<string>();
  const id = useId();
  const active = nodes.filter((n) => n.status === "active");
  const node = nodes.find((n) => n.id === nodeId);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = checkDelegation(amount, balance, node);
    if (!checked.ok || !node) {
      setProblem(checked.ok ? "Choose a node to delegate to." : checked.error);
      amountRef.current?.focus();
      return;
    }
    setProblem(undefined);
    if (await onDelegate(node, checked.wei)) setAmount("");
  };

  return (
    <section aria-labelledby={`${id}-title`} className="card">
      <h2 id={`${id}-title`}>Delegate</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <NodeSelect
            id={`${id}-node`}
            label="Node"
            placeholder="Choose a node…"
            nodes={active}
            value={nodeId?.toString() ?? ""}
            onChange={(v) => onNodeChange(v ? BigInt(v) : undefined)}
            optionText={(n) => `${n.name} — ${formatBps(n.aprBps)} APR`}
          />
        </div>
        <div className="field">
          <AmountField
            id={`${id}-amount`}
            label="Amount (ERA)"
            inputRef={amountRef}
            value={amount}
            onChange={(v) => {
              setAmount(v);
              setProblem(undefined);
            }}
            problem={problem}
            hint={
              <>
                Balance: <Amount wei={balance} />. You sign a permit, then send one transaction (wallets that cannot
                sign permits send an approval first).
              </>
            }
          >
            <button type="button" className="secondary" onClick={() => setAmount(eraInputValue(balance))}>
              Max
            </button>
          </AmountField>
        </div>
        <button type="submit" disabled={busy}>
          Delegate
        </button>
      </form>
    </section>
  );
}
