// What the end-to-end tests of guests share: a pool of hosts on the testbed with their agents running
// and a controller in this process, the CLI assertions, the guests' serial tick counters, file digests.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningController } from '../../src/controller/main.ts';
import { withTestbed, type Testbed, type TestbedHostSpec } from '../testbed/testbed.ts';
import { createCliSession, repoRoot, type CliSession } from './cli-session.ts';
import { startE2eController, type E2eControllerOptions } from './e2e-controller.ts';
import { eventually } from './eventually.ts';

export const E2E_HOST_PASSWORD = 'e2e-host-password';

export interface E2ePool {
  readonly cli: CliSession;
  readonly tb: Testbed;
  readonly controller: RunningController;
  readonly dataDir: string;
}

/**
 * Builds the agent bundle, brings up a testbed with `hosts` and their agents, `grappe init`s and starts
 * the controller, logs the CLI in, and runs `body`; the controller, the CLI session and the testbed are
 * torn down afterwards whatever happened.
 */
/** A host of the pool; `hide` lists files its agent must run without (a package "not installed" there). */
export type E2eHostSpec = TestbedHostSpec & { readonly hide?: readonly string[] };

export async function withE2ePool(
  prefix: string,
  hosts: E2eHostSpec[],
  body: (pool: E2ePool) => Promise<void>,
  options: E2eControllerOptions = {},
): Promise<void> {
  const cli = createCliSession(prefix);
  let controller: RunningController | undefined;
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', '--agent-only'], { cwd: repoRoot });
    await withTestbed({ hosts }, async (tb: Testbed) => {
      for (const h of hosts) await tb.startAgent(h.name, h.hide ? { hide: h.hide } : {});
      const started = await startE2eController(cli, tb, options);
      controller = started.controller;
      await body({ cli, tb, controller, dataDir: started.dataDir });
    });
  } finally {
    await controller?.close().catch(() => undefined);
    cli.close();
  }
}

export interface CliAssertions {
  /** Runs `grappe ARGS…`, asserts it succeeded and returns its stdout. */
  ok(args: string[]): Promise<string>;
  /** Runs `grappe ARGS…`, asserts it was refused (exit 1) with stderr matching `pattern`, and returns stderr. */
  refused(args: string[], pattern: RegExp): Promise<string>;
}

export function cliAssertions(cli: CliSession): CliAssertions {
  return {
    async ok(args) {
      const r = await cli.grappe(args);
      assert.equal(r.code, 0, `grappe ${args.join(' ')}: ${r.err}`);
      return r.out;
    },
    async refused(args, pattern) {
      const r = await cli.grappe(args);
      assert.equal(r.code, 1, `expected a refusal of grappe ${args.join(' ')}; got ${r.code}: ${r.out}${r.err}`);
      assert.match(r.err, pattern);
      return r.err;
    },
  };
}

/**
 * Adds the named hosts through `grappe host add`, puts each processing host on the SAN (it must be in
 * maintenance for its NIC to change) and enables them all.
 */
export async function addHosts(ok: CliAssertions['ok'], tb: Testbed, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const h = tb.host(name);
    await ok(['host', 'add', '--purpose', h.purpose, '--name', h.name, '--address', h.lanIp, '--password', 'grappe', '--new-password', E2E_HOST_PASSWORD]);
    if (h.purpose === 'processing') {
      await ok(['host', 'maintenance', name]);
      await ok(['host', 'nic', 'edit', name, 'eth1', '--subnet', 'SAN', '--ip', h.sanIp]);
    }
    await ok(['host', 'enable', name]);
  }
}

/**
 * The counter values the tiny guest printed ("grappe-tick N"). With `wholeLines`, only lines seen up to
 * their end count (a console read may stop in the middle of one).
 */
export function ticks(text: string, wholeLines = false): number[] {
  const re = wholeLines ? /grappe-tick (\d+)\r?\n/g : /grappe-tick (\d+)/g;
  return [...text.matchAll(re)].map((m) => Number(m[1]));
}

/** The highest tick in `text`, 0 when none. */
export const lastTick = (text: string): number => Math.max(0, ...ticks(text));

/** A host's agent data directory on the testbed. */
export const agentDir = (tb: Testbed, host: string): string => join(tb.host(host).dir, 'agent-data');

/** What the VM `slug` (e.g. vm-100) wrote on its serial port on `host` so far; '' before its QEMU runs there. */
export function serialLog(tb: Testbed, host: string, slug: string): string {
  const path = join(agentDir(tb, host), 'qemu', slug, 'serial.log');
  return existsSync(path) ? readFileSync(path, 'latin1') : '';
}

/** The highest tick the VM printed on `host`, once it is at least `atLeast`. */
export const tickOn = (tb: Testbed, host: string, slug: string, atLeast: number, timeoutMs = 240_000): Promise<number> =>
  eventually(
    `${slug} ticking past ${atLeast} on ${host}`,
    async () => {
      const last = lastTick(serialLog(tb, host, slug));
      return last >= atLeast ? last : undefined;
    },
    timeoutMs,
  );

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
