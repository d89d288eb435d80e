// `grappe console vm:100`: the terminal attached to a guest's serial console through the controller's
// WebSocket. Raw mode, bytes both ways (Enter goes to the guest, which redraws its prompt), Ctrl+]
// detaches and gives the terminal back as it was. Other viewers may watch at the same time.
import type { Command } from 'commander';
import { WebSocket } from 'ws';
import { configPath, dataDirOf, loadConfig, localCaPath, readCaFile, resolveConnection } from '../config.ts';
import { CliError } from '../cli-error.ts';
import { API_PREFIX, describeNetworkError, errorFromResponse, NOT_LOGGED_IN, normalizeBaseUrl } from '../http-client.ts';
import type { Runtime } from '../runtime.ts';

const DETACH = 0x1d; // Ctrl+]

function openConsoleSocket(rt: Runtime, ref: string): Promise<WebSocket> {
  const conn = resolveConnection(loadConfig(configPath(rt.env)), rt.env, () => readCaFile(localCaPath(dataDirOf(rt.env))));
  if (!conn.token) throw new CliError(NOT_LOGGED_IN, 1, 'unauthenticated');
  const base = normalizeBaseUrl(conn.url);
  const url = `${base.replace(/^http/, 'ws')}${API_PREFIX}/guests/${encodeURIComponent(ref)}/console`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${conn.token}` },
      ...(conn.caCertPem ? { ca: conn.caCertPem } : {}),
      perMessageDeflate: false,
      handshakeTimeout: 15_000,
    });
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: shown as text
        }
        reject(errorFromResponse(res.statusCode ?? 0, body));
      });
    });
    ws.once('error', (e) => reject(new CliError(describeNetworkError(base, e as NodeJS.ErrnoException), 1, 'network')));
  });
}

/** Relays until Ctrl+] or the console closes; the terminal is restored in every case. */
function attach(rt: Runtime, ws: WebSocket, ref: string): Promise<void> {
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  return new Promise((resolve) => {
    let detached = false;
    const onInput = (chunk: Buffer): void => {
      const at = chunk.indexOf(DETACH);
      const part = at === -1 ? chunk : chunk.subarray(0, at);
      if (part.length > 0 && ws.readyState === ws.OPEN) ws.send(part, { binary: true });
      if (at !== -1) {
        detached = true;
        ws.close(1000, 'detached');
      }
    };
    const stopSignals = rt.onStopSignal(() => {
      detached = true;
      ws.close(1000, 'detached');
    });
    const restore = (code: number, reason: string): void => {
      stdin.off('data', onInput);
      if (raw) stdin.setRawMode(false);
      stdin.pause();
      stopSignals();
      rt.stderr.write(detached ? `\r\n[detached from ${ref}]\r\n` : `\r\n[console of ${ref} closed${reason ? `: ${reason}` : ''} (${code})]\r\n`);
      resolve();
    };
    ws.on('message', (data: Buffer) => process.stdout.write(data));
    ws.once('close', (code, reason) => restore(code, reason.toString()));
    ws.on('error', () => ws.terminate());
    if (raw) stdin.setRawMode(true);
    stdin.on('data', onInput);
    stdin.resume();
    rt.stderr.write(`[attached to ${ref}: Enter refreshes, Ctrl+] detaches]\r\n`);
  });
}

export function registerConsole(program: Command, rt: Runtime): void {
  program
    .command('console')
    .description("attach the terminal to a guest's serial console (Enter refreshes, Ctrl+] detaches)")
    .argument('<guest>', 'vm:100, ct:101 or its name')
    .action(async (ref: string) => {
      const ws = await openConsoleSocket(rt, ref);
      await attach(rt, ws, ref);
    });
}
