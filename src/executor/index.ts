export * from "./types";
export { loadExecutorConfig, executorConfigSchema, loadNodeKey, hubAddressOf, type ExecutorConfig } from "./config";
export { runExecutor, type ExecutorHandle, type HandlerContext, type RunOptions, type ExecutionAddresses } from "./run";
export { Executor, PrecheckUnavailableError, type AcceptResult } from "./executor";
export { Journal, IllegalTransitionError, JournalMismatchError, type JobView } from "./journal";
export { RegistryModeSource } from "./modeSource";
export { StandardHandler } from "./modes/standard";
export { parseJobFile, readJobFile, postJobs, JobFileError, type PostedJob } from "./import";
export { jobSchema, jobToJson, jobKey, parseJobs, MODE_NAMES, type JobJson } from "./schemas";
