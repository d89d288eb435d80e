// The start of an in-process e2e run: `grappe init` with the testbed's subnets, a controller on loopback
// (in this process, so a test can read its store), and the CLI logged in to it.
import assert from 'node:assert/strict';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startController, type RunningController } from '../../src/controller/main.ts';
import type { Testbed } from '../testbed/testbed.ts';
import type { CliSession } from './cli-session.ts';

export const E2E_ADMIN_PASSWORD = 'e2e-admin-password';
// Where the tiny image tests keep the downloaded kernel package: reused when present, to spare a download.
const KERNEL_CACHE = '/tmp/grappe-test-tiny-image/kernel-cache';

/** Controller knobs an e2e test may shorten (the rest are the e2e defaults below). */
export interface E2eControllerOptions {
  readonly admissionGraceMs?: number;
}

export async function startE2eController(
  cli: CliSession,
  tb: Testbed,
  options: E2eControllerOptions = {},
): Promise<{ controller: RunningController; dataDir: string }> {
  const dataDir = join(cli.dir, 'data');
  const init = await cli.grappe([
    'init',
    '--name',
    'e2e',
    '--password',
    E2E_ADMIN_PASSWORD,
    '--lan',
    tb.subnets.lan,
    '--san',
    tb.subnets.san,
    '--ran',
    tb.subnets.ran,
  ]);
  assert.equal(init.code, 0, init.err);
  if (existsSync(KERNEL_CACHE)) cpSync(KERNEL_CACHE, join(dataDir, 'images', 'kernel-cache'), { recursive: true });
  const controller = await startController({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    monitorIntervalMs: 1000,
    usageIntervalMs: 2000,
    ...options,
  });
  const login = await cli.grappe(['login', '--url', controller.url, '--user', 'admin', '--password', E2E_ADMIN_PASSWORD]);
  assert.equal(login.code, 0, login.err);
  return { controller, dataDir };
}
