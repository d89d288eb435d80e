// JSON-lines logger on stdout. Extra sinks (syslog forwarding) receive every line too.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;
export type LogSink = (level: LogLevel, msg: string, line: string) => void;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  setSink(sink: LogSink | undefined): void;
}

export function createLogger(write: (line: string) => void = (l) => void process.stdout.write(l), now: () => Date = () => new Date()): Logger {
  let sink: LogSink | undefined;
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      const line = JSON.stringify({ time: now().toISOString(), level, msg, ...fields });
      write(line + '\n');
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
  };
}
