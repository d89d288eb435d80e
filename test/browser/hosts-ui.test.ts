// The web UI in a real browser (Debian's chromium driven by playwright-core) against a real
// controller (in-process) and a real agent (child process on its own loopback address): log in, add
// a host through the dialog with the factory-default password, then enable, maintenance, NIC edit
// availability, connector update, rename and remove — each through its button and confirmation.
// The agent runs an older build, so the host shows "update available" and the update really happens.
// Screenshots (login, add dialog, hosts with a selected host, NICs, system log, events, narrow screen)
// go to a temp dir removed at the end, or to GRAPPE_SCREENSHOTS=DIR to keep them and look at them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newTestPage, noBrowser } from '../support/browser.ts';
import { AgentProcess, REPO_ROOT, freePort } from '../support/agent-process.ts';
import { initCluster } from '../../src/controller/init-cluster.ts';
import { startController, type RunningController } from '../../src/controller/main.ts';

const ADMIN_PASSWORD = 'browser-test-admin-pw';
const AGENT_ADDRESS = '127.0.0.41';
const NEW_HOST_PASSWORD = 'a-new-host-password';
const OLD_AGENT_VERSION = '0.0.1';
const run = promisify(execFile);

async function buildAgent(out: string, version?: string): Promise<void> {
  await run(process.execPath, ['scripts/build.mjs', '--agent-only', '--agent-out', out, ...(version ? ['--agent-version', version] : [])], { cwd: REPO_ROOT });
}

describe('hosts web UI', { skip: noBrowser() }, () => {
  let dir: string;
  let shots: string;
  let controller: RunningController;
  let agent: AgentProcess;
  let browser: Browser;
  let page: Page;

  const row = (name: string) => page.locator(`tr[data-host-name="${name}"]`);
  const action = (name: string) => page.locator(`[data-testid=host-details] [data-action="${name}"]`);
  const shot = async (name: string) => {
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  };
  /** Clicks an action, checks the confirmation question, answers Yes and waits for the dialog to go. */
  async function confirmAction(actionName: string, question: string, timeout = 15_000): Promise<void> {
    await action(actionName).click();
    const dialog = page.locator('[data-testid=confirm-dialog]');
    assert.equal((await dialog.locator('.question').textContent())?.trim(), question);
    await dialog.getByRole('button', { name: 'Yes' }).click();
    await dialog.waitFor({ state: 'detached', timeout });
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grappe-web-test-'));
    shots = process.env['GRAPPE_SCREENSHOTS'] ?? join(dir, 'screenshots');
    const webRoot = join(dir, 'web');
    const dataDir = join(dir, 'controller');
    const shipped = join(dir, 'grappe-agent.mjs');
    const oldBuild = join(dir, 'old-agent.mjs');
    await Promise.all([
      run(process.execPath, ['scripts/build-web.mjs', '--out', webRoot], { cwd: REPO_ROOT }),
      buildAgent(shipped),
      buildAgent(oldBuild, OLD_AGENT_VERSION),
      initCluster({ dataDir, adminPassword: ADMIN_PASSWORD }),
    ]);
    // The old agent runs from its own copy, as on a host: the update replaces that file.
    const running = join(dir, 'agent-running.mjs');
    await copyFile(oldBuild, running);
    agent = await AgentProcess.start({ listen: AGENT_ADDRESS, port: await freePort(), dataDir: join(dir, 'agent'), bundle: running });
    controller = await startController({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      webRoot,
      logLevel: 'warn',
      monitorIntervalMs: 500,
      usageIntervalMs: 1000,
      agentBundlePath: shipped,
    });
    browser = await launchChromium();
    // The controller's certificate comes from the throw-away CA initCluster just made.
    page = await newTestPage(browser, 15_000);
  });

  after(async () => {
    await browser?.close();
    await controller?.close();
    await agent?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('login: a wrong password is refused with the API message, the right one opens the hosts view', async () => {
    await page.goto(controller.url);
    await page.locator('[data-testid=login-form]').waitFor();
    await shot('login');
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button[type=submit]');
    const error = page.locator('.login-error');
    await error.waitFor({ state: 'visible' });
    assert.match((await error.textContent()) ?? '', /password/i);
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('[data-testid=add-host]').waitFor();
    assert.match((await page.locator('.list-pane').textContent()) ?? '', /No hosts yet/);
  });

  test('add host: processing fields, factory-default password needs a new one, failures are shown', async () => {
    await page.click('[data-testid=add-host]');
    const dialog = page.locator('[data-testid=add-host-dialog]');
    await dialog.waitFor();
    // Storage location and service pool show only for processing hosts.
    assert.equal(await dialog.locator('input[name=storageLocation]').isVisible(), true);
    await dialog.locator('select[name=purpose]').selectOption('storage');
    assert.equal(await dialog.locator('input[name=storageLocation]').isVisible(), false);
    await dialog.locator('select[name=purpose]').selectOption('processing');
    assert.equal(await dialog.locator('input[name=servicePool]').isVisible(), true);

    await dialog.getByRole('button', { name: 'Random' }).click();
    assert.match(await dialog.locator('input[name=name]').inputValue(), /^[a-z]+-[a-z]+-\d\d$/);

    // A host nobody answers for: the task fails and its message is shown in the dialog.
    await dialog.locator('input[name=name]').fill('ghost');
    await dialog.locator('input[name=address]').fill('127.0.0.42');
    await dialog.locator('input[name=password]').fill('some-password');
    assert.equal(await dialog.locator('input[name=newPassword]').isVisible(), false);
    await dialog.locator('summary').click();
    const syslogAddress = dialog.locator('input[name=syslogAddress]');
    assert.equal(await syslogAddress.isVisible(), false);
    await dialog.locator('input[name=syslogEnabled]').check();
    assert.equal(await syslogAddress.isVisible(), true);
    assert.equal(await syslogAddress.evaluate((el) => (el as HTMLInputElement).required), true);
    await dialog.locator('input[name=syslogEnabled]').uncheck();
    await dialog.locator('input[name=port]').fill(String(await freePort()));
    await dialog.getByRole('button', { name: 'Add' }).click();
    const error = dialog.locator('.dialog-error');
    await error.waitFor({ state: 'visible' });
    assert.match((await error.textContent()) ?? '', /127\.0\.0\.42:\d+ is unreachable/);

    // The real host, still with the factory-default password.
    await dialog.locator('input[name=name]').fill('proc1');
    await dialog.locator('input[name=address]').fill(AGENT_ADDRESS);
    await dialog.locator('input[name=port]').fill(String(agent.port));
    await dialog.locator('input[name=password]').fill('grappe');
    const newPassword = dialog.locator('input[name=newPassword]');
    await newPassword.waitFor({ state: 'visible' });
    assert.equal(await dialog.locator('input[name=confirmPassword]').isVisible(), true);
    await dialog.getByRole('button', { name: 'Add' }).click();
    assert.equal(await newPassword.evaluate((el) => (el as HTMLInputElement).validity.valueMissing), true, 'the new password is required');
    assert.equal(await dialog.isVisible(), true, 'nothing was submitted');
    await newPassword.fill(NEW_HOST_PASSWORD);
    await dialog.locator('input[name=confirmPassword]').fill('something-else');
    assert.equal(await dialog.locator('input[name=confirmPassword]').evaluate((el) => (el as HTMLInputElement).validity.customError), true);
    await dialog.locator('input[name=confirmPassword]').fill(NEW_HOST_PASSWORD);
    await shot('add-dialog');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 20_000 });

    // The new host shows DISABLED with its status circles, and is selected.
    await row('proc1').locator('.state-disabled').waitFor();
    const dots = row('proc1').locator('.dot');
    assert.equal(await dots.count(), 3);
    assert.equal(await row('proc1').locator('[data-indicator=connection]').getAttribute('title'), 'Connection: OK');
    assert.equal(await row('proc1').locator('[data-indicator=connector]').getAttribute('data-value'), 'green');
    assert.match((await row('proc1').locator('[data-testid=update-available]').getAttribute('title')) ?? '', /running 0\.0\.1/);
    await page.locator('[data-testid=host-details][data-host-id]').waitFor();
  });

  test('actions follow the host state: disabled with the reason, confirmed, reflected live', async () => {
    await row('proc1').click();
    await page.locator('[data-testid=general-tab]').waitFor();
    assert.match((await page.locator('[data-testid=general-tab]').textContent()) ?? '', /Kernel/);
    assert.equal(await action('update-connector').isDisabled(), true);
    assert.match((await action('update-connector').getAttribute('title')) ?? '', /MAINT/);

    await confirmAction('enable', "Enable host 'proc1'?");
    await row('proc1').locator('.state-up').waitFor();
    await action('remove').and(page.locator(':disabled')).waitFor();
    assert.match((await action('remove').getAttribute('title')) ?? '', /DISABLED or in MAINT/);
    assert.equal(await action('enable').isDisabled(), true);
    await page.getByRole('tab', { name: 'Network interfaces' }).click();
    const nicEdit = page.locator('[data-testid=nics-tab] [data-action=edit-nic]').first();
    assert.equal(await nicEdit.isDisabled(), true, 'NIC edit needs MAINT');
    assert.match((await nicEdit.getAttribute('title')) ?? '', /MAINT/);

    await confirmAction('maintenance', "Put host 'proc1' in maintenance?");
    await row('proc1').locator('.state-maint').waitFor();
    await page.locator('[data-testid=nics-tab] [data-action=edit-nic]:not([disabled])').first().waitFor();
    // The NIC dialog opens with the subnets; cancelled, as this agent runs on the test machine itself.
    await page.locator('[data-testid=nics-tab] [data-action=edit-nic]').first().click();
    const nicDialog = page.locator('[data-testid=nic-dialog]');
    await nicDialog.locator('select[name=subnet] option', { hasText: 'SAN' }).waitFor({ state: 'attached' });
    await nicDialog.getByRole('button', { name: 'Cancel' }).click();
    await nicDialog.waitFor({ state: 'detached' });
    await shot('nics-maint');
    await page.getByRole('tab', { name: 'General' }).click();
    // The last hour's memory from the history (its first sample comes with the host's first usage report).
    const memory = page.locator('[data-testid=usage-memory]');
    await memory.waitFor({ timeout: 30_000 });
    assert.match((await memory.textContent()) ?? '', /^Memory: \d+ MiB$/);
    assert.equal(await memory.locator('svg .usage-line').count(), 1);
    await shot('hosts-selected');

    // On a narrow screen the panes stack: details below the list.
    await page.setViewportSize({ width: 420, height: 900 });
    const list = await page.locator('.list-pane').boundingBox();
    const details = await page.locator('.details-pane').boundingBox();
    assert.ok(list && details && details.y >= list.y + list.height, `details pane ${JSON.stringify(details)} is not below the list ${JSON.stringify(list)}`);
    await shot('narrow');
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  test('the hosts list filters by state and purpose, with its pager', async () => {
    const pagerLabel = () => page.locator('[data-testid=hosts-pager] .pager-label').textContent();
    assert.equal(await pagerLabel(), '1–1 of 1');
    assert.equal(await page.locator('[data-testid=hosts-pager] button', { hasText: 'Next' }).isDisabled(), true);
    await page.locator('[data-testid=hosts-state-filter]').selectOption('UP');
    await page.getByText('No host matches these filters.').waitFor();
    assert.equal(await pagerLabel(), 'none');
    await page.locator('[data-testid=hosts-state-filter]').selectOption('MAINT');
    await row('proc1').waitFor();
    await page.locator('[data-testid=hosts-purpose-filter]').selectOption('storage');
    await page.getByText('No host matches these filters.').waitFor();
    await page.locator('[data-testid=hosts-purpose-filter]').selectOption('');
    await page.locator('[data-testid=hosts-state-filter]').selectOption('');
    await row('proc1').waitFor();
  });

  test('update connector: allowed in MAINT, followed to its end, the marker goes away', async () => {
    await confirmAction('update-connector', `Update the connector of host 'proc1' (running ${OLD_AGENT_VERSION})?`, 40_000);
    await row('proc1').locator('[data-testid=update-available]').waitFor({ state: 'detached' });
    await action('update-connector').and(page.locator(':disabled')).waitFor();
    assert.match((await action('update-connector').getAttribute('title')) ?? '', /already at version/);
    // The system log keeps the task and its log lines.
    const task = page.locator('[data-testid=tasks-panel] .task.succeeded', { hasText: 'host.update-connector' });
    await task.waitFor();
    await task.locator('.task-head').click();
    assert.match((await task.locator('.task-log').textContent()) ?? '', /pushing connector/);
    await shot('system-log');
  });

  test('rename shows the API refusal, then renames; remove takes the host away', async () => {
    await action('edit').click();
    const dialog = page.locator('[data-testid=edit-host-dialog]');
    await dialog.locator('input[name=name]').fill('1234');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const error = dialog.locator('.dialog-error');
    await error.waitFor({ state: 'visible' });
    assert.match((await error.textContent()) ?? '', /cannot be all digits/);
    await dialog.locator('input[name=name]').fill('proc1-renamed');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('proc1-renamed').waitFor();

    await confirmAction('remove', "Remove host 'proc1-renamed'? Its connector is released.");
    await row('proc1-renamed').waitFor({ state: 'detached' });
    await page.locator('.details-pane .placeholder').waitFor();
  });

  test('the system log and events panels show what happened', async () => {
    const tasks = page.locator('[data-testid=tasks-panel]');
    await tasks.locator('.task.succeeded', { hasText: 'host.add' }).waitFor();
    await tasks.locator('.task.failed', { hasText: 'host.add' }).waitFor();
    await page.getByRole('tab', { name: 'Events' }).click();
    await shot('events');
    const events = page.locator('[data-testid=events-panel]');
    for (const type of ['host.added', 'host.state', 'host.updated', 'host.removed']) await events.locator(`[data-type="${type}"]`).first().waitFor();
    // Newest first: the removal above the rename that came before it.
    const types = await events.locator('.event').evaluateAll((els) => els.map((el) => el.getAttribute('data-type')));
    assert.ok(types.indexOf('host.removed') < types.indexOf('host.updated'), types.join(' '));
  });

  test('an invalid session goes back to the login page with a message', async () => {
    await page.click('[data-testid=add-host]');
    await page.locator('[data-testid=add-host-dialog] input[name=address]').fill('127.0.0.43');
    await page.locator('[data-testid=add-host-dialog] input[name=password]').fill('whatever-password');
    // The session goes bad just before the click. The UI's own polls (every 2-3 s) may find it first and
    // leave for the login page while the click is on its way: either way the same page and message.
    await page.evaluate(() => sessionStorage.setItem('grappe.token', 'not-a-token'));
    await page
      .locator('[data-testid=add-host-dialog]')
      .getByRole('button', { name: 'Add' })
      .click({ timeout: 3000 })
      .catch(() => undefined);
    await page.locator('[data-testid=login-form]').waitFor();
    assert.match((await page.locator('.login-error').textContent()) ?? '', /session ended/);
  });
});
