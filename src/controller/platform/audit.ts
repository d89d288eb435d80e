// The audit log: one record per change attempt (who, what, target, when, result) at /audit/<seq>.
// Never pruned: it is the record of what was done to the cluster.
import { auditEntry, type AuditEntry } from '../../contract/audit.contract.ts';
import type { Store } from '../../store/store.ts';
import { isoAt } from './clock.ts';
import { SeqLog, padSeq } from './seq-log.ts';
import { defineRecordKind } from './stored-records.ts';

/** `/audit/<seq>`: version 1 (its schema is the API's). */
export const AUDIT_RECORD = defineRecordKind<AuditEntry>({ name: 'audit entry', version: 1, migrations: {}, schema: auditEntry.loose() });
import type { AuditLog, Clock } from './types.ts';

export class StoreAuditLog implements AuditLog {
  private readonly log: SeqLog<AuditEntry>;

  constructor(
    store: Store,
    private readonly clock: Clock,
  ) {
    this.log = new SeqLog(store, { name: 'audit', record: AUDIT_RECORD, keyOf: (seq) => `/audit/${padSeq(seq)}` });
  }

  async record(entry: Omit<AuditEntry, 'seq' | 'at'>): Promise<void> {
    const at = isoAt(this.clock);
    await this.log.append((seq): AuditEntry => ({ seq, at, ...entry }));
  }

  /** Newest first; with `sinceSeq`, only entries after it. */
  async list(options: { limit?: number; sinceSeq?: number } = {}): Promise<AuditEntry[]> {
    return this.log.newest(options.limit ?? 100, options.sinceSeq ?? 0);
  }
}
