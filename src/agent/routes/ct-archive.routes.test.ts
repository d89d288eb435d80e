// A container's root file system copied between two real agents (mutual TLS), relayed by the
// controller's copyRootfs: the destination gets exactly the source's files and can start them;
// a running container, a broken or truncated stream and bad ids are refused, leaving both as they were.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { copyRootfs } from '../../controller/migration/copy-rootfs.ts';
import { startAgentPair, type AgentPair, type TestAgent } from '../../../test/support/copy-test-agents.ts';
import { skipUnless } from '../../../test/support/guest-test-env.ts';
import { buildTinyContainerTemplate } from '../../controller/images/tiny/tiny-image.ts';
import { runCommand } from '../../process/run-command.ts';
import { refusal } from '../../../test/support/agent-refusal.ts';
import { matchRoute } from '../agent-routes.ts';

const skip = skipUnless('lxc-start', 'tar', 'ip');
const ID = 'ct:300';

test('the rootfs path serves GET and a streamed PUT, controller only', () => {
  const get = matchRoute('GET', '/agent/v1/guests/ct%3A300/rootfs');
  assert.ok(get && 'route' in get && get.route.access === 'controller');
  assert.deepEqual(get.params, { id: 'ct:300' });
  const put = matchRoute('PUT', '/agent/v1/guests/ct:300/rootfs');
  assert.ok(put && 'route' in put && put.route.streamBody === true);
});

describe('container rootfs between two agents', { skip }, () => {
  const bridge = `grcb${randomBytes(3).toString('hex')}`;
  let pair: AgentPair;
  const rootfs = (agent: TestAgent): string => join(agent.process.dataDir, 'lxc', 'ct-300', 'rootfs');
  const marker = `moved ${randomBytes(8).toString('hex')}\n`;

  before(async () => {
    pair = await startAgentPair();
    const template = await buildTinyContainerTemplate(join(pair.a.process.dataDir, 'tpl'));
    const spec = { kind: 'ct' as const, name: 'c300', vcpus: 1, memoryMiB: 64, template, nics: [{ mac: '52:54:00:aa:bb:30', bridge }] };
    await pair.a.client.defineGuest(ID, spec);
    await pair.b.client.defineGuest(ID, spec);
    await writeFile(join(rootfs(pair.a), 'moved-marker'), marker);
    await writeFile(join(rootfs(pair.b), 'b-only'), 'from the template copy on b\n');
  });
  after(async () => {
    await pair?.close();
    await runCommand('ip', ['link', 'del', bridge]);
  });

  test('refusals: a VM id, an unknown container, a stranger certificate', async () => {
    assert.equal((await refusal(pair.a.client.containerRootfs('vm:300'))).kind, 'invalidInput');
    assert.equal((await refusal(pair.a.client.containerRootfs('ct:999'))).kind, 'notFound');
    assert.equal((await refusal(pair.a.client.replaceContainerRootfs('ct:999', Readable.from([Buffer.alloc(1024)])))).kind, 'notFound');
    assert.equal((await refusal((await pair.stranger(pair.a)).containerRootfs(ID))).code, 'untrustedClientCertificate');
  });

  test('a stream that is not a whole tar replaces nothing', async () => {
    const tar = await pair.a.client.containerRootfs(ID);
    const chunks: Buffer[] = [];
    for await (const c of tar) chunks.push(c as Buffer);
    const whole = Buffer.concat(chunks);
    assert.ok(whole.length > 100_000, `a tar of the rootfs (${whole.length} bytes)`);
    const cut = await refusal(pair.b.client.replaceContainerRootfs(ID, Readable.from([whole.subarray(0, Math.floor(whole.length / 2))])));
    assert.equal(cut.kind, 'invalidInput');
    assert.match(cut.message, /not a complete tar archive/);
    // The sender breaks off part-way: the upload fails and the destination keeps its own files.
    const broken = new Readable({ read() {} });
    broken.push(whole.subarray(0, 65_536));
    setTimeout(() => broken.destroy(new Error('source went away')), 100);
    await refusal(pair.b.client.replaceContainerRootfs(ID, broken));
    assert.ok(existsSync(join(rootfs(pair.b), 'b-only')), 'b keeps its rootfs');
    assert.ok(!existsSync(join(rootfs(pair.b), 'moved-marker')));
    // The client gave up at once; the agent cleans up when it sees the connection gone.
    const leftovers = (): string[] => ['rootfs.incoming', 'rootfs.old'].filter((d) => existsSync(join(rootfs(pair.b), '..', d)));
    for (let i = 0; i < 100 && leftovers().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(leftovers(), [], 'no half-unpacked tree is left');
  });

  test("copyRootfs gives the destination exactly the source's files, and they start there", { timeout: 60_000 }, async () => {
    const bytes = await copyRootfs(pair.a.client, pair.b.client, ID, 'host-b');
    assert.ok(bytes > 100_000);
    assert.equal(await readFile(join(rootfs(pair.b), 'moved-marker'), 'utf8'), marker);
    assert.ok(!existsSync(join(rootfs(pair.b), 'b-only')), 'the template copy was replaced, not merged');
    assert.deepEqual(await readFile(join(rootfs(pair.b), 'bin', 'busybox')), await readFile(join(rootfs(pair.a), 'bin', 'busybox')));
    await pair.b.client.ensureBridge(bridge);
    assert.equal((await pair.b.client.startGuest(ID)).state, 'running');
    // Running: its files change under a copy, so both directions are refused.
    assert.equal((await refusal(pair.b.client.containerRootfs(ID))).code, 'guestRunning');
    assert.equal((await refusal(copyRootfs(pair.a.client, pair.b.client, ID, 'host-b'))).code, 'guestRunning');
    await pair.b.client.stopGuest(ID, { force: true });
  });
});
