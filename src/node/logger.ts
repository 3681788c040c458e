import pino, { type Logger } from "pino";

/**
 * A JSON logger (pino) for a node process. One line per event on stdout; `level` from the process's configuration
 * (`LOG_LEVEL` as a last resort). `silent` turns logging off (tests).
 */
export function createLogger(name: string, level?: string): Logger {
  return pino({
    name,
    level: level ?? process.env.LOG_LEVEL ?? "info",
    base: { process: name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
  });
}

export type { Logger };
