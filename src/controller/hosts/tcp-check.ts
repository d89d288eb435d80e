// The connection indicator's test: does anything accept a TCP connection on address:port?
import { connect } from 'node:net';
import type { CheckOutcome } from '../../core/hosts/indicators.ts';

export function tcpAccepts(address: string, port: number, timeoutMs: number): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (outcome: CheckOutcome): void => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, error: `timed out after ${timeoutMs} ms` }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
  });
}
