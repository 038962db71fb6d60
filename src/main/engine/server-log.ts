/**
 * The server's log (`vminer serve`): pino writing JSON lines to the data folder's log file, rotated
 * by size, with the engine's own entries routed through it (one writer, one format:
 * `{"level":"info","t":"…","module":"…","msg":"…",…}`). Secrets are masked before pino serialises
 * anything (its `logMethod` hook redacts every argument, keys and nested values included), and once
 * more on each finished line.
 */
import pino, { type Logger } from 'pino';
import { redactText, redactValue, setLogSink, type LogLevel } from './log.js';
import { RotatingFile, type RotationOptions } from './rotating-file.js';

export interface ServerLogOptions extends RotationOptions {
  file: string;
  level: LogLevel;
}

export interface ServerLog {
  logger: Logger;
  /** Routes the engine's entries back to its own file writer, and closes this one. */
  close(): void;
}

export function createServerLog(opts: ServerLogOptions): ServerLog {
  const file = new RotatingFile(opts.file, opts);
  const logger = pino(
    {
      level: opts.level,
      base: undefined,
      messageKey: 'msg',
      timestamp: () => `,"t":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => redactValue(a)) as Parameters<typeof method>);
        },
      },
    },
    { write: (line: string) => file.write(redactText(line)) },
  );
  setLogSink((level, entry) => logger[level](entry));
  return {
    logger,
    close: () => {
      setLogSink(undefined);
      file.close();
    },
  };
}
