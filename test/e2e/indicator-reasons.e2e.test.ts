// Every red indicator says why, on real agents in network namespaces: 1 storage host and 2 processing
// hosts on the SAN, where processing2's agent runs without QEMU's iSCSI driver (its module file hidden
// in a mount namespace of its own, exactly as on a host without qemu-block-extra). Its storage
// indicator turns red with the reason (the pool, the URL, QEMU's words, the fix) in the API, in
// `grappe host show` and `host list`, in the web UI next to the circle, in a placement refusal; and
// `grappe doctor` fails naming that host and the missing driver.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import type { HostView } from '../../src/contract/host.contract.ts';
import { webDistDir } from '../../src/controller/platform/repo-paths.ts';
import { E2E_ADMIN_PASSWORD } from '../support/e2e-controller.ts';
import { addHosts, cliAssertions, withE2ePool } from '../support/e2e-pool.ts';
import { eventually } from '../support/eventually.ts';

const isRoot = process.getuid?.() === 0;
const QEMU_ISCSI_DRIVER = '/usr/lib/x86_64-linux-gnu/qemu/block-iscsi.so';
const CHROMIUM = '/usr/bin/chromium';
const WHY =
  /^pool iscsi-storage1: QEMU cannot open iscsi:\/\/198\.18\.\d+\.\d+:3260\/iqn\.[^ ]+\/1: .*Unknown (protocol|driver) 'iscsi' — install qemu-block-extra \(QEMU's iSCSI driver\)$/;

test(
  'a host whose QEMU cannot open iSCSI shows a red storage indicator with the reason everywhere',
  { skip: !isRoot && 'needs root (network namespaces)' },
  async (t) => {
    assert.ok(existsSync(QEMU_ISCSI_DRIVER), `${QEMU_ISCSI_DRIVER} is missing on this machine: run bash scripts/install.sh`);
    const hosts = [
      { name: 'storage1', purpose: 'storage' as const },
      { name: 'processing1', purpose: 'processing' as const },
      { name: 'processing2', purpose: 'processing' as const, hide: [QEMU_ISCSI_DRIVER] },
    ];
    await withE2ePool('grappe-e2e-reasons-', hosts, async ({ cli, tb, controller }) => {
      const { ok } = cliAssertions(cli);
      await addHosts(ok, tb, ['storage1', 'processing1', 'processing2']);

      await t.test('API: processing2 red with the reason, processing1 green with none', async () => {
        const p2 = await eventually('processing2 storage red with a reason', async () => {
          const h = await cli.json<HostView>(['host', 'show', 'processing2']);
          return h.indicators.storage === 'red' && h.indicators.reasons.storage?.includes('iscsi-storage1') ? h : undefined;
        });
        assert.match(p2.indicators.reasons.storage ?? '', WHY);
        assert.deepEqual([p2.indicators.connection, p2.indicators.connector], ['green', 'green']);
        const p1 = await eventually('processing1 storage green', async () => {
          const h = await cli.json<HostView>(['host', 'show', 'processing1']);
          return h.indicators.storage === 'green' ? h : undefined;
        });
        assert.deepEqual(p1.indicators.reasons, {});
      });

      await t.test('CLI: host show prints the reason, host list a short WHY column', async () => {
        const shown = await ok(['host', 'show', 'processing2']);
        assert.match(
          shown,
          /Storage connectivity: +✗ failing: pool iscsi-storage1: QEMU cannot open iscsi:\/\/.*Unknown (protocol|driver) 'iscsi' — install qemu-block-extra/,
        );
        const list = (await ok(['host', 'list'])).split('\n');
        assert.match(list[0] ?? '', /STOR {2}WHY/);
        const row = list.find((l) => l.includes('processing2')) ?? '';
        assert.match(row, /storage: install qemu-block-extra \(QEMU's iSCSI driver\)/);
        assert.doesNotMatch(list.find((l) => l.includes('processing1')) ?? '', /storage:/);
      });

      await t.test('placement: the refusal of processing2 carries its storage reason', async () => {
        await ok(['volume', 'create', 'why-root', '--pool', 'iscsi-storage1', '--size', '16M']);
        const out = await ok(['guest', 'create', '--name', 'why', '--vcpus', '1', '--memory', '64', '--disk', 'why-root', '--explain']);
        assert.match(
          out,
          /processing2.*does not reach storage pool\(s\) 'iscsi-storage1' \(storage: pool iscsi-storage1: QEMU cannot open .*install qemu-block-extra/,
        );
        assert.equal((await cli.json<{ host: { name: string } }>(['guest', 'show', 'why'])).host.name, 'processing1');
      });

      await t.test("doctor: FAIL for processing2 naming QEMU's iSCSI driver, exit 1", async () => {
        const r = await cli.grappe(['doctor']);
        assert.equal(r.code, 1, r.out + r.err);
        assert.match(
          r.out,
          /processing2 +qemu: iSCSI driver +FAIL +QEMU cannot open iscsi:\/\/ URLs: Unknown protocol 'iscsi'\n +fix: install qemu-block-extra/,
        );
        assert.match(r.err, /processing2\/qemu: iSCSI driver/);
        assert.match(r.out, /processing1 +qemu: iSCSI driver +OK/);
        assert.match(r.out, /processing1 +clock skew +OK/);
        assert.match(r.out, /controller +store integrity +OK/);
      });

      await t.test(
        'web UI: the reason next to the circle and in its tooltip',
        { skip: !existsSync(CHROMIUM) || !existsSync(join(webDistDir(), 'index.html')) ? 'no chromium or no built web UI' : false },
        async () => {
          const browser = await chromium.launch({
            executablePath: CHROMIUM,
            args: [
              '--headless',
              '--no-sandbox',
              '--disable-gpu',
              '--disable-background-networking',
              '--disable-component-update',
              '--no-first-run',
              '--disable-quic',
              '--disable-sync',
            ],
          });
          try {
            const page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } })).newPage();
            page.setDefaultTimeout(20_000);
            await page.goto(controller.url);
            await page.fill('input[name=password]', E2E_ADMIN_PASSWORD);
            await page.click('button[type=submit]');
            const row = page.locator('tr[data-host-name="processing2"]');
            const dot = row.locator('[data-indicator=storage]');
            await dot.waitFor();
            assert.equal(await dot.getAttribute('data-value'), 'red');
            assert.match((await dot.getAttribute('title')) ?? '', /^Storage: failing — pool iscsi-storage1: .*install qemu-block-extra/);
            await row.click();
            const reason = page.locator('[data-testid=host-details] [data-testid=reason-storage]');
            assert.match((await reason.textContent()) ?? '', WHY);
            if (process.env['GRAPPE_SCREENSHOTS'])
              await page.screenshot({ path: join(process.env['GRAPPE_SCREENSHOTS'], 'indicator-reason.png'), fullPage: true });
          } finally {
            await browser.close();
          }
        },
      );
    });
  },
);
