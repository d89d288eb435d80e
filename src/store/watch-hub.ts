// In-process watchers for a store whose writes all go through this process (the controller is the
// single writer). The adapter calls `emit` after a commit, so a listener never sees an uncommitted
// change. Each listener gets its own copy of a value (parsed from the committed JSON text), so one
// listener keeping or changing it cannot affect another. A throwing listener must not break the write
// that triggered it, nor the other listeners.

import type { Json, WatchEvent } from './store.ts';

type Listener = (event: WatchEvent) => void;

/** A committed change; `valueText` is the stored JSON of a put. */
export interface Change {
  readonly type: 'put' | 'delete';
  readonly key: string;
  readonly valueText?: string;
  readonly revision: number;
}

export class WatchHub {
  private readonly watchers = new Set<{ prefix: string; listener: Listener }>();

  subscribe(prefix: string, listener: Listener): () => void {
    const watcher = { prefix, listener };
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
    };
  }

  emit(changes: readonly Change[]): void {
    if (changes.length === 0 || this.watchers.size === 0) return;
    // Snapshot: listeners may (un)subscribe while being called.
    for (const watcher of [...this.watchers]) {
      for (const change of changes) {
        if (!this.watchers.has(watcher)) break;
        if (!change.key.startsWith(watcher.prefix)) continue;
        try {
          watcher.listener(toEvent(change));
        } catch (err) {
          process.emitWarning(`store watch listener for prefix '${watcher.prefix}' threw: ${String(err)}`, {
            code: 'GRAPPE_STORE_WATCH_LISTENER',
          });
        }
      }
    }
  }

  clear(): void {
    this.watchers.clear();
  }
}

function toEvent(change: Change): WatchEvent {
  const { type, key, revision, valueText } = change;
  return valueText === undefined ? { type, key, revision } : { type, key, value: JSON.parse(valueText) as Json, revision };
}
