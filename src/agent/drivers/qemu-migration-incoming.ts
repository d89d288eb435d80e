// The destination side of a live migration, over the waiting QEMU's long-conversation monitor: its
// local disks exported writable over QEMU's own NBD server (the source mirrors into them), then
// `migrate-incoming` on the SAN address with a port QEMU picks itself (read back from query-migrate).
import { createServer } from 'node:net';
import type { IncomingResponse } from '../../contract/migration-agent.contract.ts';
import { AgentError } from '../agent-error.ts';
import { withQmp } from './qmp-client.ts';

export interface NbdDisk {
  readonly index: number;
  readonly volume: string;
}

/** A TCP port free on `address` right now (QEMU's NBD server cannot say which one it picked). */
export function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, address, () => {
      const a = srv.address();
      srv.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error(`no free port on ${address}`))));
    });
  });
}

interface QueryMigrateIncoming {
  'socket-address'?: Array<{ type?: string; host?: string; port?: string | number }>;
}

export async function openIncoming(qmpPath: string, address: string, disks: readonly NbdDisk[]): Promise<IncomingResponse> {
  return withQmp(qmpPath, async (q) => {
    const nbd: IncomingResponse['nbd'] = [];
    if (disks.length > 0) {
      const port = await freePort(address);
      await q.execute('nbd-server-start', { addr: { type: 'inet', data: { host: address, port: String(port) } } });
      for (const d of disks) {
        await q.execute('nbd-server-add', { device: `disk${d.index}`, writable: true, name: d.volume });
        nbd.push({ index: d.index, volume: d.volume, uri: `nbd://${address}:${port}/${d.volume}` });
      }
    }
    await q.execute('migrate-incoming', { uri: `tcp:${address}:0` });
    const r = await q.execute<QueryMigrateIncoming>('query-migrate');
    const port = r['socket-address']?.find((a) => a.port !== undefined)?.port;
    if (port === undefined) throw new AgentError('migrationFailed', `QEMU listens for the migration on ${address} but did not say on which port`);
    return { uri: `tcp:${address}:${port}`, nbd };
  });
}

/** Ends the NBD exports once the mirrors are done; nothing to do when none were started. */
export async function closeIncomingNbd(qmpPath: string): Promise<void> {
  await withQmp(qmpPath, (q) => q.execute('nbd-server-stop')).catch((e: unknown) => {
    if (!/not running|no NBD server/i.test((e as Error).message)) throw e;
  });
}
