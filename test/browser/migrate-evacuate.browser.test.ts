// The move and HA views in a real browser (Debian's chromium driven by playwright-core) against a
// real controller (in-process) and two real agents (child processes on their own loopback addresses):
// on host proc-a a running QEMU VM and two stopped VMs, each on a local disk. The loopback hosts have
// no SAN address, so the running VM cannot move live (a real blocker) while the stopped ones move
// cold, their disks copied between the agents. Migrate shows the dry-run plan (target, kind, expected
// downtime, blockers) before anything moves and then follows the task; Evacuate and Undo evacuation
// are disabled with their reason until possible, then show their plans (spread or one host; available
// vs Unavailable with why) and run on confirmation; the HA pane shows the pool's status (disabled HA:
// enabling it needs a shared iSCSI heartbeat volume these loopback hosts cannot have). Screenshots
// go to a temp dir removed at the end, or to GRAPPE_SCREENSHOTS=DIR to keep them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newTestPage, noBrowser } from '../support/browser.ts';
import { AgentProcess, REPO_ROOT, freePort } from '../support/agent-process.ts';
import { initCluster } from '../../src/controller/init-cluster.ts';
import { startController, type RunningController } from '../../src/controller/main.ts';

const ADMIN_PASSWORD = 'browser-moves-admin-pw';
const HOSTS = [
  { name: 'proc-a', address: '127.0.0.61' },
  { name: 'proc-b', address: '127.0.0.62' },
] as const;
const run = promisify(execFile);

interface Answer {
  status: number;
  body: any; // read field by field
}

describe('move and HA web UI', { skip: noBrowser() }, () => {
  let dir: string;
  let shots: string;
  let controller: RunningController;
  const agents: AgentProcess[] = [];
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const action = (name: string) => page.locator(`[data-testid=host-details] [data-action="${name}"]`);
  const guestRow = (id: string) => page.locator(`[data-testid=guests-table] tr[data-guest-id="${id}"]`);
  /** The REST API as the logged-in page calls it (same origin, the page's own token). */
  const api = (method: string, path: string, body?: unknown): Promise<Answer> =>
    page.evaluate(
      async ([m, p, b]) => {
        const headers: Record<string, string> = { authorization: `Bearer ${sessionStorage.getItem('grappe.token') ?? ''}` };
        if (b !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(`/api/v1${p}`, { method: m, headers, ...(b === undefined ? {} : { body: JSON.stringify(b) }) });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : undefined };
      },
      [method, path, body] as const,
    );
  const ok = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const r = await api(method, path, body);
    assert.ok(r.status < 300 && r.body?.state !== 'failed', `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grappe-web-moves-'));
    shots = process.env['GRAPPE_SCREENSHOTS'] ?? join(dir, 'screenshots');
    const webRoot = join(dir, 'web');
    const dataDir = join(dir, 'controller');
    await Promise.all([
      run(process.execPath, ['scripts/build-web.mjs', '--out', webRoot], { cwd: REPO_ROOT }),
      initCluster({ dataDir, adminPassword: ADMIN_PASSWORD }),
    ]);
    for (const [i, h] of HOSTS.entries())
      agents.push(await AgentProcess.start({ listen: h.address, port: await freePort(), dataDir: join(dir, `agent-${i}`) }));
    controller = await startController({ dataDir, host: '127.0.0.1', port: 0, webRoot, logLevel: 'warn', monitorIntervalMs: 500 });
    browser = await launchChromium();
    page = await newTestPage(browser, 20_000);

    await page.goto(controller.url);
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('[data-testid=add-host]').waitFor();
    // The pool: two UP processing hosts; on proc-a a running VM and a stopped one, each on a local disk.
    for (const [i, h] of HOSTS.entries()) {
      await ok('POST', '/hosts?wait=true', {
        purpose: 'processing',
        name: h.name,
        address: h.address,
        port: agents[i]!.port,
        password: 'grappe',
        newPassword: 'a-new-host-password',
      });
      await ok('POST', `/hosts/${h.name}/enable`);
    }
    for (const name of ['web01', 'db01', 'app01']) {
      await ok('POST', '/volumes?wait=true', { name: `${name}-root`, pool: 'local-proc-a', sizeMiB: 8 });
      await ok('POST', '/guests?wait=true', { kind: 'vm', name, disks: [`${name}-root`], nics: [], memoryMiB: 64, host: 'proc-a' });
    }
    await ok('POST', '/guests/web01/start?wait=true');
  });

  after(async () => {
    if (page) await api('POST', '/guests/web01/force-stop?wait=true').catch(() => undefined);
    await browser?.close();
    await controller?.close();
    for (const a of agents) await a.stop();
    // Guests outlive their agent by design: a QEMU left behind by a failed step is stopped here.
    for (const i of HOSTS.keys()) {
      const pidFile = join(dir, `agent-${i}`, 'qemu', 'vm-100', 'qemu.pid');
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  test('guests view: Migrate shows the dry-run plan (target, kind, expected downtime, blockers) first', async () => {
    await page.click('nav a[data-view=guests]');
    await guestRow('vm:100').locator('[data-testid=guest-state]', { hasText: 'running' }).waitFor();
    assert.equal(await guestRow('vm:101').locator('[data-testid=guest-host]').textContent(), 'proc-a');

    await guestRow('vm:100').locator('[data-action=migrate]').click();
    const dialog = page.locator('[data-testid=migrate-dialog]');
    const plan = dialog.locator('[data-testid=migrate-plan]');
    await plan.waitFor();
    assert.equal(await plan.locator('[data-testid=plan-target]').textContent(), 'proc-b');
    assert.match((await plan.locator('[data-testid=plan-kind]').textContent()) ?? '', /^live/);
    assert.match((await plan.locator('[data-testid=plan-downtime]').textContent()) ?? '', /\d+ ms/);
    // The button follows the plan: enabled exactly when nothing blocks the move.
    const blocked = (await plan.getAttribute('data-blocked')) === 'true';
    assert.equal(await dialog.getByRole('button', { name: 'Migrate' }).isDisabled(), blocked);
    // Choosing the target asks for a new plan for that host.
    await dialog.locator('select[name=target]').selectOption('proc-b');
    await dialog.locator('[data-testid=plan-loading]').waitFor({ state: 'detached' });
    assert.equal(await dialog.locator('[data-testid=plan-target]').textContent(), 'proc-b');
    await shot('migrate-plan');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  test('migrate: a blocked move cannot be confirmed; a possible one runs and shows what was measured', async () => {
    // The running VM would move live, and live moves stream memory over the SAN these hosts lack.
    await guestRow('vm:100').locator('[data-action=migrate]').click();
    const dialog = page.locator('[data-testid=migrate-dialog]');
    const blockers = dialog.locator('[data-testid=plan-blockers]');
    await blockers.waitFor();
    assert.match((await blockers.textContent()) ?? '', /host 'proc-b' has no SAN address/);
    assert.equal(await dialog.getByRole('button', { name: 'Migrate' }).isDisabled(), true);
    await shot('migrate-blocked');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // A stopped VM moves cold, its local disk copied: plan, confirm, follow the task to its outcome.
    await guestRow('vm:101').locator('[data-action=migrate]').click();
    const plan = dialog.locator('[data-testid=migrate-plan][data-blocked=false]');
    await plan.waitFor();
    assert.equal(await plan.locator('[data-testid=plan-target]').textContent(), 'proc-b');
    assert.match((await plan.locator('[data-testid=plan-kind]').textContent()) ?? '', /^cold/);
    assert.match((await plan.locator('[data-testid=plan-downtime]').textContent()) ?? '', /^0 ms/);
    await dialog.getByRole('button', { name: 'Migrate' }).click();
    const outcome = dialog.locator('[data-testid=plan-outcome]');
    await outcome.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match((await outcome.textContent()) ?? '', /Migrated: now on 'proc-b', measured downtime 0 ms, total [\d.]+ (ms|s)/);
    await shot('migrate-done');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await guestRow('vm:101').locator('[data-testid=guest-host]', { hasText: 'proc-b' }).waitFor();
  });

  test('Evacuate and Undo evacuation are disabled with their reason until the host is in MAINT', async () => {
    await page.click('nav a[data-view=hosts]');
    await page.locator('tr[data-host-name="proc-a"]').click();
    await action('evacuate').waitFor();
    assert.equal(await action('evacuate').isDisabled(), true);
    assert.match((await action('evacuate').getAttribute('title')) ?? '', /needs host 'proc-a' in MAINT \(it is UP\)/);
    assert.equal(await action('undo-evacuate').isDisabled(), true);
    assert.match((await action('undo-evacuate').getAttribute('title')) ?? '', /never been evacuated/);

    await action('maintenance').click();
    const confirm = page.locator('[data-testid=confirm-dialog]');
    await confirm.getByRole('button', { name: 'Yes' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.locator('[data-testid=host-details] [data-action=evacuate]:not([disabled])').waitFor();
  });

  test('evacuate: the plan first (spread, or one host, N at once), then the evacuation task', async () => {
    await action('evacuate').click();
    const dialog = page.locator('[data-testid=evacuate-dialog]');
    const plan = dialog.locator('[data-testid=evacuation-plan]');
    await plan.waitFor();
    const cells = await plan.locator('[data-testid=plan-moves] tr[data-guest="vm:102"] td').allTextContents();
    assert.deepEqual(cells, ['vm:102', 'proc-a', '→ proc-b', 'cold', 'stopped', '0 ms']);
    assert.match((await plan.locator('[data-testid=plan-unmovable] [data-guest="vm:100"]').textContent()) ?? '', /no SAN address/);
    assert.match(
      (await plan.locator('.question').textContent()) ?? '',
      /1 guest\(s\) spread over the processing hosts, at most 2 at once; 1 cannot move and stay/,
    );

    await dialog.locator('select[name=to]').selectOption('proc-b');
    await dialog.locator('input[name=maxParallel]').fill('1');
    await plan.locator('.question', { hasText: "to host 'proc-b', at most 1 at once" }).waitFor();
    await shot('evacuate-plan');

    await dialog.getByRole('button', { name: 'Evacuate' }).click();
    const outcome = dialog.locator('[data-testid=plan-outcome]');
    await outcome.waitFor({ state: 'visible', timeout: 120_000 });
    assert.match((await outcome.textContent()) ?? '', /Moved: vm:102\b/);
    assert.match((await outcome.locator('[data-testid=run-not-moved] [data-guest="vm:100"]').textContent()) ?? '', /no SAN address/);
    await shot('evacuate-done');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    const evacuations = (await ok('GET', '/evacuations')).body;
    assert.equal(evacuations[0].evacuate.phase, 'done');
  });

  test('undo evacuation: available vs Unavailable with why; once done, Undo is disabled with the reason', async () => {
    // Back to UP, so the origin host takes guests again.
    await page.locator('tr[data-host-name="proc-a"] .state-maint').waitFor();
    await action('enable').click();
    const confirm = page.locator('[data-testid=confirm-dialog]');
    await confirm.getByRole('button', { name: 'Yes' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.locator('tr[data-host-name="proc-a"] .state-up').waitFor();

    await page.locator('[data-testid=host-details] [data-action=undo-evacuate]:not([disabled])').click();
    const dialog = page.locator('[data-testid=undo-dialog]');
    const plan = dialog.locator('[data-testid=undo-plan]');
    await plan.waitFor();
    const cells = await plan.locator('[data-testid=undo-available] tr[data-guest="vm:102"] td').allTextContents();
    assert.deepEqual(cells, ['vm:102', 'proc-b', '→ proc-a', 'cold', 'stopped', '0 ms']);
    assert.match((await plan.locator('[data-testid=undo-unavailable] [data-guest="vm:100"]').textContent()) ?? '', /never left 'proc-a'/);
    const undo = dialog.getByRole('button', { name: 'Undo evacuation' });
    assert.equal(await undo.isDisabled(), false);
    await shot('undo-plan');
    await undo.click();
    await dialog.locator('[data-testid=plan-outcome]', { hasText: 'Moved: vm:102' }).waitFor({ timeout: 120_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.locator('[data-testid=host-details] [data-action=undo-evacuate][disabled]').waitFor();
    assert.match((await action('undo-evacuate').getAttribute('title')) ?? '', /evacuation 'E000001' of host 'proc-a' was already undone/);
    await page.click('nav a[data-view=guests]');
    await guestRow('vm:102').locator('[data-testid=guest-host]', { hasText: 'proc-a' }).waitFor();
  });

  test('HA pane: pool status, Disable disabled with its reason, an Enable refusal shown as the API words it', async () => {
    await page.click('nav a[data-view=ha]');
    const pool = page.locator('[data-testid=ha-pool]');
    await pool.waitFor();
    assert.equal(await pool.locator('[data-testid=ha-enabled]').textContent(), 'disabled');
    assert.match(
      (await pool.locator('[data-testid=ha-tolerance]').textContent()) ?? '',
      /^1 configured \(what the pool survives now is computed while HA runs\)$/,
    );
    // Disabled HA watches no host yet: the heartbeats card says what enabling starts.
    assert.match(
      (await page.locator('.card', { hasText: 'Hosts: heartbeats' }).textContent()) ?? '',
      /HA is disabled: once enabled, every UP processing host sends network heartbeats/,
    );
    const disable = page.locator('[data-action=ha-disable]');
    assert.equal(await disable.isDisabled(), true);
    assert.equal(await disable.getAttribute('title'), 'HA is not enabled');
    await shot('ha');

    await page.click('[data-action=ha-enable]');
    const dialog = page.locator('[data-testid=ha-enable-dialog]');
    await dialog.locator('input[name=heartbeatVolume]').fill('no-such-volume');
    await dialog.getByRole('button', { name: 'Enable' }).click();
    const error = dialog.locator('.dialog-error');
    await error.waitFor({ state: 'visible' });
    assert.match((await error.textContent()) ?? '', /no-such-volume/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
