// The audit log: one record per change attempt (who, what, target, when, result) at /audit/<seq>.
// Never pruned: it is the record of what was done to the cluster.
import type { AuditEntry } from '../../contract/audit.contract.ts';
import type { Json, Store } from '../../store/store.ts';
import { isoAt } from './clock.ts';
import { dropUndefined } from './events.ts';
import { SeqLog, padSeq } from './seq-log.ts';
import type { AuditLog, Clock } from './types.ts';

export class StoreAuditLog implements AuditLog {
  private readonly log: SeqLog<Json>;

  constructor(
    store: Store,
    private readonly clock: Clock,
  ) {
    this.log = new SeqLog(store, { name: 'audit', keyOf: (seq) => `/audit/${padSeq(seq)}` });
  }

  async record(entry: Omit<AuditEntry, 'seq' | 'at'>): Promise<void> {
    const at = isoAt(this.clock);
    await this.log.append((seq) => dropUndefined({ seq, at, ...entry }));
  }

  /** Newest first; with `sinceSeq`, only entries after it. */
  async list(options: { limit?: number; sinceSeq?: number } = {}): Promise<AuditEntry[]> {
    return (await this.log.newest(options.limit ?? 100, options.sinceSeq ?? 0)) as unknown as AuditEntry[];
  }
}
