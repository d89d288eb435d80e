// The task progress line: `[########------------] 40% pushing connector…`. Pure rendering.
export interface ProgressBarOptions {
  readonly width?: number; // cells inside the brackets
  readonly columns?: number | undefined; // terminal width: the message is cut to fit
}

export function renderProgressBar(fraction: number, message: string, options: ProgressBarOptions = {}): string {
  const width = options.width ?? 20;
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.floor(f * width);
  const head = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(f * 100)}%`;
  const text = message.replace(/\s+/g, ' ').trim();
  if (!text) return head;
  const line = `${head} ${text}`;
  const max = options.columns !== undefined ? options.columns - 1 : Infinity; // never wrap the last column
  if (line.length <= max) return line;
  const room = max - head.length - 2;
  return room > 0 ? `${head} ${text.slice(0, room)}…` : head; // too narrow even for a word: the bar alone
}
