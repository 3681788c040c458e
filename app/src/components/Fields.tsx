import type { ReactNode, RefObject } from "react";
import type { NodeRow } from "../lib/nodes";

interface AmountFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** What is wrong with the value, announced and tied to the input. */
  problem: string | undefined;
  hint?: ReactNode;
  inputRef?: RefObject<HTMLInputElement | null>;
  /** Buttons beside the input. */
  children?: ReactNode;
}

/** An amount of ERA to type: label, input with buttons beside it, a hint, and the problem with the value. */
export function AmountField({ id, label, value, onChange, problem, hint, inputRef, children }: AmountFieldProps) {
  const describedBy = [hint ? `${id}-hint` : "", problem ? `${id}-problem` : ""].filter(Boolean).join(" ");
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <div className="input-row">
        <input
          id={id}
          ref={inputRef}
          inputMode="decimal"
          autoComplete="off"
          placeholder="0.0"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={describedBy || undefined}
        />
        {children}
      </div>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {problem ? (
        <p id={`${id}-problem`} className="problem" role="alert">
          {problem}
        </p>
      ) : null}
    </>
  );
}

interface NodeSelectProps {
  id: string;
  label: string;
  /** Show the label to screen readers only (the buttons beside the select say what it is for). */
  hideLabel?: boolean;
  placeholder: string;
  nodes: NodeRow[];
  /** A node id as a decimal string, or "" for none. */
  value: string;
  onChange: (value: string) => void;
  optionText?: (node: NodeRow) => string;
}

/** A choice of node. */
export function NodeSelect(props: NodeSelectProps) {
  const { id, label, placeholder, nodes, value, onChange, optionText = (n) => n.name } = props;
  return (
    <>
      <label htmlFor={id} className={props.hideLabel ? "visually-hidden" : undefined}>
        {label}
      </label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{placeholder}</option>
        {nodes.map((n) => (
          <option key={n.id.toString()} value={n.id.toString()}>
            {optionText(n)}
          </option>
        ))}
      </select>
    </>
  );
}
