/** The activity indexer, as the CLI (`era indexer run`) and the demo use it. */
export { runIndexer, formatSummary, indexerConfigSchema, type IndexerConfig, type IndexerRun } from "./run";
export {
  Indexer,
  MonthNotReadyError,
  type MonthSummary,
  type PublishResult,
  type ScanProgress,
  type ScenarioSummary,
} from "./indexer";
export { IndexerStore } from "./store";
export { DEFAULT_MONTH_SECONDS, monthBounds, monthOf, type Calendar } from "./activity";
