// Ready-made host views, rebuilt only when something they show changed (record, guests), and kept
// serialized too: GET /hosts over 1,000 hosts must stay far below 50 ms at 200 req/s, so the list
// body is one cached buffer, re-joined only after a change. lastSeenAt moves on every monitor round
// without a store write; it is kept here and laid over the cached view.
import { gzipSync } from 'node:zlib';
import type { HostView } from '../../contract/host.contract.ts';
import type { HostCache } from './host-cache.ts';
import { toHostView } from './host-view.ts';

export class HostViews {
  private readonly built = new Map<number, HostView>();
  private readonly serialized = new Map<number, string>();
  private readonly lastSeen = new Map<number, string>();
  private listBody: Buffer | undefined;
  private listGz: Buffer | undefined;
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
    this.listBody = undefined;
    this.listGz = undefined;
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

  /** The whole list as JSON array bytes, by id (bytes: no re-encoding per request). */
  listJson(): Buffer {
    if (this.listBody === undefined) {
      const parts: string[] = [];
      for (const r of this.cache.all()) {
        const text = this.json(r.id);
        if (text !== undefined) parts.push(text);
      }
      this.listBody = Buffer.from(`[${parts.join(',')}]`, 'utf8');
    }
    return this.listBody;
  }

  /** The same, gzipped (about 30 times smaller), for clients that accept it. */
  listGzip(): Buffer {
    this.listGz ??= gzipSync(this.listJson(), { level: 1 });
    return this.listGz;
  }
}
