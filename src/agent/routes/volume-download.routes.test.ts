// Volume download between two real agents (mutual TLS), relayed by the controller's copyVolume: the
// copy is byte-identical and checked on arrival; refusals leave both pools as they were.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { refusal } from '../../../test/support/agent-refusal.ts';
import { copyVolume } from '../../controller/migration/copy-volume.ts';
import { startAgentPair, type AgentPair } from '../../../test/support/copy-test-agents.ts';
import type { GuestClient } from '../../controller/agents/guest-client.ts';
import { matchRoute } from '../agent-routes.ts';

const MiB = 1024 * 1024;
const skip = process.getuid?.() !== 0 ? 'needs root (the agent manages guests)' : false;

async function shaOf(client: GuestClient, name: string): Promise<{ sha: string; bytes: number; announced: string }> {
  const d = await client.downloadVolume(name);
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of d.body) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha: hash.digest('hex'), bytes, announced: d.sha256 };
}

test('GET and PUT of volume content are two routes on one path', () => {
  const get = matchRoute('GET', '/agent/v1/volumes/data1/content');
  assert.ok(get && 'route' in get && get.route.method === 'GET' && get.route.access === 'controller');
  const put = matchRoute('PUT', '/agent/v1/volumes/data1/content');
  assert.ok(put && 'route' in put && put.route.streamBody === true);
});

describe('volume download between two agents', { skip }, () => {
  let pair: AgentPair;
  const content = Buffer.concat([Buffer.from('grappe-disk-marker'), randomBytes(3 * MiB - 18)]);
  const sha256 = createHash('sha256').update(content).digest('hex');

  before(async () => {
    pair = await startAgentPair();
    await pair.a.client.uploadVolume('disk1', { format: 'raw', sha256, body: Readable.from([content]) });
  });
  after(async () => pair?.close());

  test('the content comes with its SHA-256, format and length', async () => {
    const d = await pair.a.client.downloadVolume('disk1');
    assert.equal(d.sha256, sha256);
    assert.equal(d.format, 'raw');
    assert.equal(d.sizeBytes, content.length);
    d.body.destroy();
    const got = await shaOf(pair.a.client, 'disk1');
    assert.deepEqual(got, { sha: sha256, bytes: content.length, announced: sha256 });
  });

  test('copyVolume puts a byte-identical volume of the same name on the other host', async () => {
    assert.equal(await copyVolume(pair.a.client, pair.b.client, 'disk1'), content.length);
    const got = await shaOf(pair.b.client, 'disk1');
    assert.equal(got.sha, sha256);
    assert.equal(got.bytes, content.length);
    assert.ok(
      (await pair.a.client.listVolumes()).some((v) => v.name === 'disk1'),
      'the source keeps its copy',
    );
  });

  test('a second copy is refused: the destination already has the volume, and keeps it', async () => {
    const r = await refusal(copyVolume(pair.a.client, pair.b.client, 'disk1'));
    assert.equal(r.code, 'volumeExists');
    assert.equal((await shaOf(pair.b.client, 'disk1')).sha, sha256);
  });

  test('refusals: unknown volume, bad name, a stranger certificate', async () => {
    const none = await refusal(pair.a.client.downloadVolume('nope'));
    assert.equal(none.code, 'noSuchVolume');
    assert.equal(none.kind, 'notFound');
    assert.equal((await refusal(pair.a.client.downloadVolume('Bad_Name'))).kind, 'invalidInput');
    assert.equal((await refusal((await pair.stranger(pair.a)).downloadVolume('disk1'))).code, 'untrustedClientCertificate');
    assert.deepEqual(
      (await pair.b.client.listVolumes()).map((v) => v.name),
      ['disk1'],
      'nothing half-copied was left',
    );
  });

  test("a stopped VM's disk can be read; the VM cannot start meanwhile", async () => {
    // Big enough that the socket buffers cannot take it all while nobody reads.
    await pair.a.client.createVolume('big1', { sizeBytes: 256 * MiB, format: 'raw' });
    await pair.a.client.defineGuest('vm:100', { kind: 'vm', name: 'v', vcpus: 1, memoryMiB: 64, disks: [{ volume: 'big1' }] });
    const d = await pair.a.client.downloadVolume('big1');
    // The download holds the VM's lock: its start waits until the stream is done.
    let started = false;
    const start = pair.a.client.startGuest('vm:100').then(
      () => (started = true),
      () => (started = true),
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(started, false, 'the start waits for the download');
    d.body.destroy();
    await start;
    await pair.a.client.stopGuest('vm:100', { force: true }).catch(() => undefined);
    await pair.a.client.deleteGuest('vm:100');
    await pair.a.client.deleteVolume('big1');
  });
});
