// A JSON log line as an admin reads it: time, level, message, then the other fields as key=value.
// Both shapes: the controller's (pino: numeric level, epoch ms) and the agents' (level name, ISO time).
const PINO_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const SKIP = new Set(['time', 'level', 'msg', 'pid', 'hostname']);

export function renderLogLine(entry: Record<string, unknown>): string {
  const t = entry['time'];
  const time = typeof t === 'number' ? new Date(t).toISOString() : typeof t === 'string' ? t : '-';
  const l = entry['level'];
  const level = (typeof l === 'number' ? (PINO_LEVELS[l] ?? String(l)) : String(l ?? '-')).padEnd(5);
  const rest = Object.entries(entry)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [time, level, String(entry['msg'] ?? ''), ...rest].join(' ').trimEnd();
}
