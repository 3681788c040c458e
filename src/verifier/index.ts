/** The verifier, as the CLI (`era verifier run`) and the demo use it. */
export { runVerifier, verifierConfigSchema, type VerifierConfig, type VerifierRun } from "./run";
export { Verifier, type TickReport, type VerifierOptions } from "./verifier";
export { VerifierStore } from "./store";
export { VerifierMetrics } from "./metrics";
export { HttpSignatureSource, parseNodeUrls, type SignatureAnswer, type SignatureSource } from "./signatures";
export type { Fraud, FraudKind } from "./checks";
