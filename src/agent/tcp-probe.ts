// TCP reachability test from this host (e.g. "does the storage host answer on the SAN?").
import { connect } from 'node:net';
import type { ProbeResponse } from '../contract/agent.contract.ts';

export function tcpProbe(address: string, port: number, timeoutMs: number, now: () => number = () => performance.now()): Promise<ProbeResponse> {
  const started = now();
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const finish = (error?: string): void => {
      socket.destroy();
      const ms = Math.round((now() - started) * 100) / 100;
      resolve(error === undefined ? { reachable: true, ms } : { reachable: false, ms, error });
    };
    socket.setTimeout(timeoutMs, () => finish(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => finish());
    socket.once('error', (e: NodeJS.ErrnoException) => finish(e.code ? `${e.code}: ${e.message}` : e.message));
  });
}
