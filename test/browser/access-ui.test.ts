// The Access and Audit views, and rights in the UI, in a real browser against a real controller:
// the admin adds a user, a custom role and a grant, makes an API token (its secret, shown once, works
// against the API until the token is revoked through its button) and reads the audit log filtered;
// then an Auditor sees every view with each change button disabled and the missing right as its
// reason, and a GuestUser granted one VM sees only the views it may read, with no request refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newTestPage, noBrowser } from '../support/browser.ts';
import { REPO_ROOT } from '../support/agent-process.ts';
import { apiClient } from '../support/test-cluster.ts';
import { initCluster } from '../../src/controller/init-cluster.ts';
import { startController, type RunningController } from '../../src/controller/main.ts';

const ADMIN_PASSWORD = 'access-ui-admin-pw';
const ANN_PASSWORD = 'ann-is-an-auditor';
const GUS_PASSWORD = 'gus-uses-one-vm';
const run = promisify(execFile);

describe('access web UI', { skip: noBrowser() }, () => {
  let dir: string;
  let controller: RunningController;
  let browser: Browser;
  let api: ReturnType<typeof apiClient>;
  let adminToken: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grappe-access-ui-'));
    const webRoot = join(dir, 'web');
    const dataDir = join(dir, 'controller');
    await Promise.all([
      run(process.execPath, ['scripts/build-web.mjs', '--out', webRoot], { cwd: REPO_ROOT }),
      initCluster({ dataDir, adminPassword: ADMIN_PASSWORD }),
    ]);
    controller = await startController({ dataDir, host: '127.0.0.1', port: 0, webRoot, logLevel: 'warn' });
    api = apiClient(controller.url, controller.ctx.cluster.caCertPem);
    adminToken = await api.login('admin', ADMIN_PASSWORD);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await controller?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A fresh tab logged in as `user`, on its first view; every answer ≥ 400 is collected. */
  async function loggedIn(user: string, password: string): Promise<{ page: Page; refused: string[] }> {
    const page = await newTestPage(browser, 15_000);
    const refused: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) refused.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
    });
    await page.goto(controller.url);
    await page.fill('input[name=username]', user);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.locator('header.topbar nav a').first().waitFor();
    return { page, refused };
  }

  const navLabels = (page: Page): Promise<string[]> => page.locator('header.topbar nav a').allTextContents();

  /** Fills a dialog's inputs by name and presses its main button; waits for it to close. */
  async function submitDialog(page: Page, testId: string, values: Record<string, string>, button: string): Promise<void> {
    const dialog = page.locator(`[data-testid=${testId}]`);
    await dialog.waitFor();
    for (const [name, value] of Object.entries(values)) {
      const input = dialog.locator(`[name=${name}]`);
      if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption(value);
      else await input.fill(value);
    }
    await dialog.getByRole('button', { name: button }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  async function confirmYes(page: Page): Promise<void> {
    const dialog = page.locator('[data-testid=confirm-dialog]');
    await dialog.getByRole('button', { name: 'Yes' }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  test('the admin manages users, roles, grants and tokens in the Access view, and reads the audit log', async () => {
    const { page, refused } = await loggedIn('admin', ADMIN_PASSWORD);
    assert.deepEqual(await navLabels(page), ['Hosts', 'Guests', 'HA', 'Cluster', 'Access', 'Audit']);
    await page.click('nav a[data-view=access]');
    const view = page.locator('[data-testid=access-view]');
    await view.waitFor();

    await view.locator('[data-action=add-user]').click();
    await submitDialog(page, 'add-user-dialog', { username: 'ann', password: ANN_PASSWORD }, 'Add');
    await view.locator('tr[data-user=ann]').waitFor();

    // A refusal keeps the dialog open with the API's message (a password too short).
    await view.locator('[data-action=add-user]').click();
    const addUser = page.locator('[data-testid=add-user-dialog]');
    await addUser.locator('[name=username]').fill('shorty');
    await addUser.locator('[name=password]').fill('x');
    await addUser.getByRole('button', { name: 'Add' }).click();
    await addUser.locator('.dialog-error').waitFor({ state: 'visible' });
    assert.match((await addUser.locator('.dialog-error').textContent()) ?? '', /password must have at least \d+ characters/);
    await addUser.getByRole('button', { name: 'Cancel' }).click();

    await view.locator('[data-action=add-role]').click();
    const addRole = page.locator('[data-testid=add-role-dialog]');
    await addRole.locator('[name=name]').fill('Watcher');
    await addRole.locator('input[value="VM.Audit"]').check();
    await addRole.locator('input[value="VM.Console"]').check();
    await addRole.getByRole('button', { name: 'Add' }).click();
    await addRole.waitFor({ state: 'detached' });
    assert.match((await view.locator('tr[data-role=Watcher]').textContent()) ?? '', /custom.*VM\.Audit VM\.Console/);

    await view.locator('[data-action=grant]').click();
    await submitDialog(page, 'grant-dialog', { path: '/', subject: 'user:ann', role: 'Auditor' }, 'Grant');
    await view.locator('tr[data-grant="/ user:ann Auditor"]').waitFor();

    // A token with the Auditor role: its secret, shown once, works against the API.
    await view.locator('[data-action=new-token]').click();
    await submitDialog(page, 'new-token-dialog', { name: 'ci', role: 'Auditor', path: '/' }, 'Create');
    const secretDialog = page.locator('[data-testid=token-secret-dialog]');
    const secret = ((await secretDialog.locator('[data-testid=token-secret]').textContent()) ?? '').trim();
    assert.match(secret, /^admin!ci\.\S{20,}$/);
    await secretDialog.getByRole('button', { name: 'Close' }).click();
    assert.equal((await api.call('GET', '/api/v1/hosts', { token: secret })).status, 200);
    await view.locator('tr[data-token="admin!ci"] [data-action=revoke-token]').click();
    await confirmYes(page);
    await view.locator('tr[data-token="admin!ci"]').waitFor({ state: 'detached' });
    assert.equal((await api.call('GET', '/api/v1/hosts', { token: secret })).status, 401);

    // The audit log, filtered by user and object.
    await page.click('nav a[data-view=audit]');
    const audit = page.locator('[data-testid=audit-view]');
    await audit.locator('[data-testid=audit-table]').waitFor();
    await audit.locator('[name=user]').fill('admin');
    await audit.locator('[name=object]').fill('ann');
    await audit.getByRole('button', { name: 'Filter' }).click();
    // The filtered list replaces the whole log once the controller answers.
    const actionsShown = async () => [...new Set(await audit.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))))].sort();
    const deadline = Date.now() + 5_000;
    while (JSON.stringify(await actionsShown()) !== JSON.stringify(['acl.grant', 'user.add']) && Date.now() < deadline) await page.waitForTimeout(100);
    assert.deepEqual(await actionsShown(), ['acl.grant', 'user.add']);
    assert.match((await audit.locator('tr[data-action="user.add"]').first().textContent()) ?? '', /admin.*\/users\/ann.*ok/);
    // The refused short password was logged too, and only the browser's one refusal answered ≥ 400.
    assert.deepEqual(refused, ['422 POST /api/v1/users']);
    await page.close();
  });

  test('an Auditor sees every view, with each change disabled and the missing right as its reason', async () => {
    const { page, refused } = await loggedIn('ann', ANN_PASSWORD);
    assert.deepEqual(await navLabels(page), ['Hosts', 'Guests', 'HA', 'Cluster', 'Access', 'Audit']);
    const addHost = page.locator('[data-testid=add-host]');
    assert.equal(await addHost.isDisabled(), true);
    assert.equal(await addHost.getAttribute('title'), "you may not: user 'ann' lacks Sys.Modify on /hosts");

    await page.click('nav a[data-view=ha]');
    const enableHa = page.locator('[data-action=ha-enable]');
    await enableHa.waitFor();
    assert.equal(await enableHa.isDisabled(), true);
    assert.match((await enableHa.getAttribute('title')) ?? '', /lacks Sys\.Modify on \/cluster/);

    await page.click('nav a[data-view=access]');
    const view = page.locator('[data-testid=access-view]');
    await view.locator('tr[data-user=admin]').waitFor();
    for (const action of ['add-user', 'add-group', 'add-role', 'grant']) {
      const button = view.locator(`[data-action=${action}]`);
      assert.equal(await button.isDisabled(), true, action);
      assert.equal(await button.getAttribute('title'), "you may not: user 'ann' lacks User.Modify on /access", action);
    }
    assert.equal(await view.locator('tr[data-user=admin] [data-action=delete-user]').isDisabled(), true);
    // Their own tokens are theirs to make.
    assert.equal(await view.locator('[data-action=new-token]').isDisabled(), false);
    assert.deepEqual(refused, []);
    await page.close();
  });

  test('a GuestUser granted one VM sees only the views it may read, and no request is refused', async () => {
    const create = await api.call('POST', '/api/v1/users', { token: adminToken, body: { username: 'gus', password: GUS_PASSWORD } });
    assert.equal(create.status, 201, create.text);
    const grant = await api.call('POST', '/api/v1/acl', { token: adminToken, body: { path: '/guests/vm:100', subject: 'user:gus', role: 'GuestUser' } });
    assert.equal(grant.status, 201, grant.text);

    const { page, refused } = await loggedIn('gus', GUS_PASSWORD);
    assert.deepEqual(await navLabels(page), ['Guests', 'Access']);
    await page.locator('[aria-label=Guests]').getByText('No guests yet').waitFor();
    assert.equal(await page.locator('[aria-label=Activity]').count(), 0, 'no tasks and events pane without Sys.Audit on /');
    await page.click('nav a[data-view=access]');
    const view = page.locator('[data-testid=access-view]');
    await view.locator('[data-testid=tokens-card]').waitFor();
    assert.equal(await view.locator('[data-testid=users-card]').count(), 0, 'no users list without Sys.Audit on /access');
    await page.waitForTimeout(500); // any late load would show up as a refusal
    assert.deepEqual(refused, []);
    await page.close();
  });
});
