// `GET /api/v1/doctor` against real agents, each check's failure caused for real: an agent whose data
// dir is a 4 MiB tmpfs (disk), one whose PATH lacks lxc-start and tgtd (packages not installed), one
// that is stopped (connector); the controller's injected clock a minute ahead (clock skew); its API
// certificate replaced by one from the cluster CA that expires in 3 days; a store row damaged behind
// its back (integrity). Needs root (tmpfs mounts, throwaway network namespaces).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { AgentProcess, freePort } from '../../../test/support/agent-process.ts';
import type { DoctorReport } from '../../contract/doctor.contract.ts';
import { issueCert } from '../../pki/pki.ts';
import { dataDirLayout } from '../data-dir.ts';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';

const isRoot = process.getuid?.() === 0;
const SKEW_MS = 60_000;

/** A bin directory with every program of the system's but `missing`, as on a host without their packages. */
function pathWithout(dir: string, missing: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const sys of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    for (const name of readdirSync(sys, { withFileTypes: false }).map(String)) {
      if (missing.includes(name)) continue;
      try {
        symlinkSync(join(sys, name), join(dir, name));
      } catch {
        // the same name from an earlier directory wins, as on PATH
      }
    }
  }
  return dir;
}

describe('doctor', { skip: !isRoot && 'needs root (tmpfs mounts and network namespaces)' }, () => {
  let dir: string;
  let h: ControllerHarness;
  const agents: AgentProcess[] = [];
  let report: DoctorReport;
  const check = (scope: string, name: string) => {
    const c = report.checks.find((x) => x.scope === scope && x.name === name);
    assert.ok(c, `no check ${scope}/${name} in ${JSON.stringify(report.checks.map((x) => `${x.scope}/${x.name}`))}`);
    return c;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'grappe-doctor-test-'));
    const smallDisk = join(dir, 'small');
    mkdirSync(smallDisk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', smallDisk]);
    h = await startControllerHarness({ monitorIntervalMs: 500, clock: { now: () => Date.now() + SKEW_MS } });
    const start = async (name: string, address: string, opts: { dataDir: string; prefix?: string[] }) => {
      const agent = await AgentProcess.start({ listen: address, port: await freePort(), ...opts });
      agents.push(agent);
      const added = await h.api('POST', '/api/v1/hosts?wait=true', {
        purpose: 'processing',
        name,
        address,
        port: agent.port,
        password: 'grappe',
        newPassword: 'doctor-test-pw',
      });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      return agent;
    };
    await start('tiny-disk', '127.0.0.71', { dataDir: join(smallDisk, 'agent') });
    await start('no-lxc', '127.0.0.72', { dataDir: join(dir, 'no-lxc'), prefix: ['env', `PATH=${pathWithout(join(dir, 'bin'), ['lxc-start', 'tgtd'])}`] });
    const gone = await start('gone', '127.0.0.73', { dataDir: join(dir, 'gone') });
    await gone.stop();

    // The API certificate, re-issued by the cluster CA for 3 days; a store row damaged behind the store's back.
    const pki = dataDirLayout(h.dataDir);
    const ca = { certPem: readFileSync(pki.caCert, 'utf8'), keyPem: readFileSync(pki.caKey, 'utf8') };
    writeFileSync(pki.apiCert, (await issueCert(ca, { commonName: 'grappe-api', usage: 'server', days: 3 })).certPem);
    const db = new Database(pki.database);
    db.pragma('ignore_check_constraints = 1');
    db.prepare("INSERT INTO kv (key, value, create_rev, mod_rev) VALUES ('/damaged', '{not json', 1, 1)").run();
    db.pragma('ignore_check_constraints = 0');
    // Valid JSON, but not a guest: what a hand edit or a bug would leave.
    db.prepare("INSERT INTO kv (key, value, create_rev, mod_rev) VALUES ('/guests/000000099', ?, 1, 1)").run(
      JSON.stringify({ id: 'vm:99', kind: 'vm', number: 'ninety-nine', recordVersion: 1 }),
    );
    db.close();

    const r = await h.api('GET', '/api/v1/doctor');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    report = r.body as DoctorReport;
  });

  after(async () => {
    await h?.close();
    await Promise.all(agents.map((a) => a.stop()));
    try {
      execFileSync('umount', [join(dir, 'small')]);
    } catch {
      // not mounted
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('disk: an agent data dir on a 4 MiB file system fails, with the fix', () => {
    const c = check('tiny-disk', `disk: ${join(dir, 'small', 'agent')}`);
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /^\d+ MiB free of \d+ MiB/);
    assert.match(c.fix ?? '', /free space/);
  });

  test('packages: lxc-start and tgtd missing from a host fail, naming the package to install', () => {
    const lxc = check('no-lxc', 'program: lxc-start');
    assert.equal(lxc.status, 'fail');
    assert.equal(lxc.fix, 'apt-get install lxc');
    const tgt = check('no-lxc', 'tgt: target daemon answers');
    assert.equal(tgt.status, 'fail');
    assert.equal(tgt.fix, 'apt-get install tgt');
    assert.equal(check('tiny-disk', 'program: lxc-start').status, 'ok');
    assert.equal(check('tiny-disk', 'tgt: target daemon answers').status, 'ok');
  });

  test('connector: a stopped agent is a failed check naming its address, not a failed report', () => {
    const c = check('gone', 'connector');
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /^the agent on 127\.0\.0\.73:\d+ did not answer: /);
  });

  test('clock skew: the controller a minute ahead of the hosts fails', () => {
    const c = check('tiny-disk', 'clock skew');
    assert.equal(c.status, 'fail');
    const ms = Number(/^([+-]?\d+) ms/.exec(c.detail)?.[1]);
    assert.ok(Math.abs(ms + SKEW_MS) < 2_000, c.detail);
    assert.match(c.fix ?? '', /chrony/);
  });

  test('certificates: an API certificate expiring in 3 days fails; the CA and the agents are fine', () => {
    const api = check('controller', 'certificate: REST API');
    assert.equal(api.status, 'fail');
    assert.match(api.detail, /^expires in [23] day\(s\)/);
    assert.equal(check('controller', 'certificate: cluster CA').status, 'ok');
    assert.equal(check('tiny-disk', 'certificate: agent').status, 'ok');
  });

  test('store integrity: a damaged row fails the check', () => {
    const c = check('controller', 'store integrity');
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /CHECK constraint failed in kv/);
  });

  test('stored records: a record that is not what its kind says fails the check, naming it; reading it is a clear error', async () => {
    const c = check('controller', 'stored records');
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /stored record '\/guests\/000000099' \(guest\) is damaged: number: /);
    const read = await h.api('GET', '/api/v1/guests/vm:99');
    assert.equal(read.status, 500, JSON.stringify(read.body));
    const error = (read.body as { error: { code: string; message: string; details: { key: string } } }).error;
    assert.equal(error.code, 'corruptRecord');
    assert.equal(error.details.key, '/guests/000000099');
    assert.match(error.message, /delete the guest and create it again/);
  });

  test('kernel features and the summary', () => {
    // Whatever this kernel has: a feature is ok exactly when a link of its kind can be made.
    const bond = check('tiny-disk', 'kernel: bonding');
    let canBond = true;
    try {
      execFileSync('unshare', ['--net', 'ip', 'link', 'add', 'gdoct0', 'type', 'bond'], { stdio: 'ignore' });
    } catch {
      canBond = false;
    }
    assert.equal(bond.status, canBond ? 'ok' : 'warn');
    if (!canBond) assert.match(bond.detail, /NIC bonds/);
    assert.equal(check('tiny-disk', 'kernel: bridge').status, 'ok');
    const fails = report.checks.filter((c) => c.status === 'fail').length;
    assert.equal(report.summary.fail, fails);
    assert.equal(report.summary.ok + report.summary.warn + report.summary.fail, report.checks.length);
  });
});
