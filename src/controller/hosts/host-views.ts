// Ready-made host views, rebuilt only when something they show changed (record, guests), and kept
// serialized too: GET /hosts over 1,000 hosts must stay far below 50 ms at 200 req/s, so the list
// body is one cached buffer, re-joined only after a change. lastSeenAt moves on every monitor round
// without a store write; it is kept here and laid over the cached view.
import { gzipSync } from 'node:zlib';
import type { HostSummary, HostView } from '../../contract/host.contract.ts';
import { pageAfter, type PageRequest } from '../../core/paging.ts';
import type { HostCache } from './host-cache.ts';
import { toHostView } from './host-view.ts';

export class HostViews {
  private readonly built = new Map<number, HostView>();
  private readonly serialized = new Map<number, string>();
  private readonly serializedSummary = new Map<number, string>();
  private readonly lastSeen = new Map<number, string>();
  private readonly lists = new Map<ListKind, { json: Buffer; gzip?: Buffer }>();
  private readonly stop: () => void;

  constructor(
    private readonly cache: HostCache,
    private readonly shippedAgentVersion: string,
  ) {
    this.stop = cache.onChange((id) => {
      this.built.delete(id);
      this.forget(id);
    });
  }

  close(): void {
    this.stop();
  }

  private forget(id: number): void {
    this.serialized.delete(id);
    this.serializedSummary.delete(id);
    this.lists.clear();
  }

  seen(hostId: number, at: string): void {
    if (this.lastSeen.get(hostId) === at) return;
    this.lastSeen.set(hostId, at);
    this.forget(hostId);
  }

  lastSeenAt(hostId: number): string | undefined {
    return this.lastSeen.get(hostId);
  }

  view(hostId: number): HostView | undefined {
    let v = this.built.get(hostId);
    if (!v) {
      const record = this.cache.get(hostId);
      if (!record) return undefined;
      v = toHostView(record, this.cache.guestTotals(hostId), this.shippedAgentVersion);
      this.built.set(hostId, v);
    }
    const seen = this.lastSeen.get(hostId);
    return seen === undefined || seen === v.lastSeenAt ? v : { ...v, lastSeenAt: seen };
  }

  /** The view as JSON text, or undefined when there is no such host. */
  json(hostId: number): string | undefined {
    let text = this.serialized.get(hostId);
    if (text === undefined) {
      const v = this.view(hostId);
      if (!v) return undefined;
      text = JSON.stringify(v);
      this.serialized.set(hostId, text);
    }
    return text;
  }

  list(): HostView[] {
    const out: HostView[] = [];
    for (const r of this.cache.all()) {
      const v = this.view(r.id);
      if (v) out.push(v);
    }
    return out;
  }

  /** One host's list-pane fields as JSON text. */
  summaryJson(hostId: number): string | undefined {
    let text = this.serializedSummary.get(hostId);
    if (text === undefined) {
      const v = this.view(hostId);
      if (!v) return undefined;
      text = JSON.stringify(summaryOf(v));
      this.serializedSummary.set(hostId, text);
    }
    return text;
  }

  /** The whole list as JSON array bytes, by id (bytes: no re-encoding per request). */
  listJson(kind: ListKind = 'summary'): Buffer {
    return this.cachedList(kind).json;
  }

  /** The same, gzipped, for clients that accept it. */
  listGzip(kind: ListKind = 'summary'): Buffer {
    const list = this.cachedList(kind);
    list.gzip ??= gzipSync(list.json, { level: 1 });
    return list.gzip;
  }

  /**
   * A page of the list, filtered by state and purpose, as JSON text, with the next page's cursor.
   * Filtered from the views kept here (a pass over the hosts, no store read), then paged by id.
   */
  pageJson(kind: ListKind, filter: HostListFilter, req: PageRequest): { json: string; nextCursor: number | null } {
    const wanted = (id: number): boolean => {
      const v = this.view(id);
      return v !== undefined && (filter.state === undefined || v.state === filter.state) && (filter.purpose === undefined || v.purpose === filter.purpose);
    };
    const all = this.cache.all();
    const matching = filter.state === undefined && filter.purpose === undefined ? all : all.filter((r) => wanted(r.id));
    const page = pageAfter(matching, (r) => r.id, req, { sorted: true });
    return { json: this.jsonArray(kind, page.items), nextCursor: page.nextCursor };
  }

  /** The views of `records` as one JSON array, from the texts kept per host. */
  private jsonArray(kind: ListKind, records: readonly { readonly id: number }[]): string {
    const parts: string[] = [];
    for (const r of records) {
      const text = kind === 'summary' ? this.summaryJson(r.id) : this.json(r.id);
      if (text !== undefined) parts.push(text);
    }
    return `[${parts.join(',')}]`;
  }

  private cachedList(kind: ListKind): { json: Buffer; gzip?: Buffer } {
    let list = this.lists.get(kind);
    if (!list) {
      list = { json: Buffer.from(this.jsonArray(kind, this.cache.all()), 'utf8') };
      this.lists.set(kind, list);
    }
    return list;
  }
}

export type ListKind = 'summary' | 'full';

export interface HostListFilter {
  readonly state?: HostView['state'] | undefined;
  readonly purpose?: HostView['purpose'] | undefined;
}

function summaryOf(v: HostView): HostSummary {
  const { id, name, purpose, state, address, guests, cpu, memoryMiB, indicators, agentVersion, updateAvailable, lastSeenAt } = v;
  return { id, name, purpose, state, address, guests, cpu, memoryMiB, indicators, agentVersion, updateAvailable, lastSeenAt };
}
