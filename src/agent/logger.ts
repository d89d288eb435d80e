// JSON-lines logger on stdout, and in a ring of the newest lines (GET /agent/v1/logs). A line logged
// while serving a request names it (requestId). Extra sinks (syslog forwarding) receive every line too.
import { LogRing } from '../streams/log-ring.ts';
import { currentRequestId } from '../streams/request-context.ts';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;
export type LogSink = (level: LogLevel, msg: string, line: string) => void;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  setSink(sink: LogSink | undefined): void;
  /** The newest lines, for `grappe logs --host`. */
  readonly ring: LogRing;
}

export function createLogger(write: (line: string) => void = (l) => void process.stdout.write(l), now: () => Date = () => new Date()): Logger {
  let sink: LogSink | undefined;
  const ring = new LogRing();
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      const requestId = currentRequestId();
      const line = JSON.stringify({ time: now().toISOString(), level, msg, ...(requestId ? { requestId } : {}), ...fields });
      write(line + '\n');
      ring.push(line);
      sink?.(level, msg, line);
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    setSink: (s) => {
      sink = s;
    },
    ring,
  };
}
