// `GET /api/v1/doctor`: the controller's own checks (Node.js, data-dir disk, the cluster's
// certificates, the store's integrity) and, through every host's agent, that host's checks plus the
// clock skew and the agent certificate measured from here. Hosts are asked in parallel; one that does
// not answer is a failed check naming why, never a failed report.
import { messageOf } from '../../core/errors.ts';
import { readFile, statfs } from 'node:fs/promises';
import {
  certificateCheck,
  clockSkewCheck,
  diskCheck,
  nodeVersionCheck,
  notOk,
  ok,
  summarize,
  type CheckResult,
  type DoctorCheck,
} from '../../core/doctor/doctor-rules.ts';
import type { DoctorReport } from '../../contract/doctor.contract.ts';
import { certificateNotAfter } from '../../pki/pki.ts';
import { dataDirLayout } from '../data-dir.ts';
import { agentFor } from '../hosts/agent-link.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { isoAt } from '../platform/clock.ts';
import { readRecord } from '../platform/stored-records.ts';
import type { ControllerContext } from '../platform/types.ts';
import { STORED_PLACES } from './stored-record-kinds.ts';

async function certificateFileCheck(what: string, path: string, nowMs: number): Promise<CheckResult> {
  try {
    return certificateCheck(what, Date.parse(certificateNotAfter(await readFile(path, 'utf8'))), nowMs);
  } catch (e) {
    return notOk('fail', `certificate: ${what}`, `cannot read ${path}: ${messageOf(e)}`, 'restore the controller data directory from its backup');
  }
}

async function storeCheck(ctx: ControllerContext): Promise<CheckResult> {
  try {
    const problems = await ctx.store.integrityCheck();
    if (problems.length === 0) return ok('store integrity', `sound at revision ${await ctx.store.revision()}`);
    return notOk('fail', 'store integrity', problems.slice(0, 5).join('; '), 'stop the controller and restore the store from its last backup');
  } catch (e) {
    return notOk('fail', 'store integrity', `the check could not run: ${messageOf(e)}`);
  }
}

/** Every record read through its kind, as the controller reads it: the damaged ones are named. */
async function recordsCheck(ctx: ControllerContext): Promise<CheckResult> {
  try {
    let count = 0;
    const damaged: string[] = [];
    for (const place of STORED_PLACES) {
      const entries = place.at.endsWith('/') ? await ctx.store.list(place.at) : [await ctx.store.get(place.at)].flatMap((e) => (e ? [e] : []));
      for (const e of entries) {
        count++;
        try {
          readRecord(place.kind, e.key, e.value);
        } catch (err) {
          damaged.push(messageOf(err));
        }
      }
    }
    if (damaged.length === 0) return ok('stored records', `${count} record(s) of ${STORED_PLACES.length} kinds read back as their schemas say`);
    return notOk(
      'fail',
      'stored records',
      `${damaged.length} damaged: ${damaged.slice(0, 3).join(' | ')}`,
      'each line says which record and what to do about it',
    );
  } catch (e) {
    return notOk('fail', 'stored records', `the check could not run: ${messageOf(e)}`);
  }
}

async function diskOf(dir: string): Promise<CheckResult> {
  try {
    const s = await statfs(dir);
    return diskCheck(dir, s.bavail * s.bsize, s.blocks * s.bsize);
  } catch (e) {
    return notOk('fail', `disk: ${dir}`, `cannot read the file system: ${messageOf(e)}`);
  }
}

export async function controllerChecks(ctx: ControllerContext): Promise<CheckResult[]> {
  const now = ctx.clock.now();
  const pki = dataDirLayout(ctx.dataDir);
  return Promise.all([
    Promise.resolve(nodeVersionCheck(process.version)),
    diskOf(ctx.dataDir),
    certificateFileCheck('cluster CA', pki.caCert, now),
    certificateFileCheck('controller (mutual TLS to agents)', pki.controllerCert, now),
    certificateFileCheck('REST API', pki.apiCert, now),
    storeCheck(ctx),
    recordsCheck(ctx),
  ]);
}

/** One host's checks, measured from here: its agent's own, the clock skew over the call, its certificate. */
export async function hostDoctorChecks(ctx: ControllerContext, host: HostRecord): Promise<CheckResult[]> {
  const t0 = ctx.clock.now();
  let answer;
  try {
    answer = await agentFor(ctx, host).doctor();
  } catch (e) {
    return [notOk('fail', 'connector', `the agent on ${host.address}:${host.port} did not answer: ${messageOf(e)}`)];
  }
  const t1 = ctx.clock.now();
  const checks: CheckResult[] = [...answer.checks, clockSkewCheck(answer.now - (t0 + t1) / 2, (t1 - t0) / 2)];
  if (answer.certificateNotAfter) checks.push(certificateCheck('agent', Date.parse(answer.certificateNotAfter), t1));
  else checks.push(notOk('fail', 'certificate: agent', 'the agent reports no certificate: it is not enrolled', 'remove and add the host again'));
  return checks;
}

export async function doctorReport(ctx: ControllerContext): Promise<DoctorReport> {
  const rt = await hostsRuntime(ctx);
  const hosts = rt.cache.all();
  const [own, ...perHost] = await Promise.all([controllerChecks(ctx), ...hosts.map((h) => hostDoctorChecks(ctx, h))]);
  const checks: DoctorCheck[] = [
    ...(own ?? []).map((c) => ({ scope: 'controller', ...c })),
    ...perHost.flatMap((list, i) => list.map((c) => ({ scope: hosts[i]?.name ?? '?', ...c }))),
  ];
  return { checkedAt: isoAt(ctx.clock), checks, summary: summarize(checks) };
}
