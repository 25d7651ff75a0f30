import { pino, type DestinationStream, type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RootLoggerOptions {
  /** @default 'info' */
  readonly level?: LogLevel;
  /**
   * Where JSON lines go. @default stdout, written synchronously: pino's default asynchronous
   * stdout can reorder or drop the last lines when the process exits right after a graceful
   * shutdown, and we log little enough (never per tick) that sync writes cost nothing noticeable.
   */
  readonly destination?: DestinationStream;
}

/**
 * The one root logger, created by the composition root and passed down; nothing builds a logger
 * from the environment at import time. JSON lines with ISO times and level names; credentials
 * that might ride along in error objects are redacted.
 */
export function createRootLogger(opts: RootLoggerOptions = {}): Logger {
  const options = {
    level: opts.level ?? 'info',
    base: { app: 'weightlifter' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: {
      paths: [
        '*.authorization',
        '*.Authorization',
        '*.token',
        '*.password',
        '*.headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
  return pino(options, opts.destination ?? pino.destination({ dest: 1, sync: true }));
}

/** The logger for everything about one canary: every line carries `canary: 'ns/name'`. */
export function canaryLogger(root: Logger, namespace: string, name: string): Logger {
  return root.child({ canary: `${namespace}/${name}` });
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
