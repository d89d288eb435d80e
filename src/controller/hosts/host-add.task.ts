// The "Add host" task: first contact with the connector (password), enrollment with a certificate
// from the cluster CA, inventory, syslog setting, then the record. Whatever fails after enrollment
// releases the agent again, so no half-added host is left on either side.
import { withRevert } from '../platform/revert.ts';
import type { HostAddRequest } from '../../contract/host.contract.ts';
import { GrappeError } from '../../core/errors.ts';
import type { HostAddSettings } from '../../core/hosts/host-add-rules.ts';
import { autoAttach, type SubnetRef } from '../../core/hosts/nic-rules.ts';
import { judgeIndicators } from '../../core/hosts/indicators.ts';
import { issueCert } from '../../pki/pki.ts';
import { isoAt } from '../platform/clock.ts';
import type { ControllerContext, TaskContext } from '../platform/types.ts';
import { agentFor } from './agent-link.ts';
import { emitHostEvent } from './host-events.ts';
import { stripUptime, type HostRecord } from './host-record.ts';
import type { HostsRuntime } from './hosts-runtime.ts';
import { toHostView } from './host-view.ts';

export interface HostAddJob {
  readonly request: HostAddRequest & { port: number };
  readonly name: string;
  readonly settings: HostAddSettings;
  readonly subnets: readonly SubnetRef[];
}

// First contact must fail fast on an unreachable host (the whole add answers within 10 s).
const FIRST_CONTACT_TIMEOUT_MS = 4000;

export async function runHostAdd(ctx: ControllerContext, rt: HostsRuntime, job: HostAddJob, task: TaskContext): Promise<unknown> {
  const { request: req, name } = job;
  const target = { name, address: req.address, port: req.port };
  await task.log(`contacting the connector of '${name}' at ${req.address}:${req.port}`);
  const first = agentFor(ctx, target, FIRST_CONTACT_TIMEOUT_MS);
  let hello = await first.hello();
  if (hello.enrolled && hello.clusterId === ctx.cluster.id && !(await rt.repo.addressOwner(req.address))) {
    // Enrolled by this cluster, yet no host has this address: an add cut short (controller killed
    // between enrollment and record). Our own certificate can release it; then the add goes on.
    await task.log('the connector was enrolled by an add of this cluster that never finished; releasing it first');
    await agentFor(ctx, target).release();
    hello = await first.hello();
  }
  if (hello.enrolled) {
    throw new GrappeError(
      'alreadyEnrolled',
      `cannot add host '${name}': its connector (${req.address}:${req.port}) already belongs to a cluster${hello.clusterId ? ` (${hello.clusterId})` : ''}; remove it there first`,
      { clusterId: hello.clusterId ?? null },
    );
  }
  await task.progress(0.2, `connector ${hello.version} answered`);

  const cert = await issueCert(
    { certPem: ctx.cluster.caCertPem, keyPem: ctx.cluster.caKeyPem },
    {
      commonName: name,
      ipAddresses: [req.address],
      usage: 'server',
    },
  );
  // Whatever fails after enrollment releases the connector again, so the host can be added anew.
  return withRevert({ log: task.log, events: ctx.events, subject: `host:${name}` }, async (revert) => {
    await first.enroll({
      password: req.password,
      ...(req.newPassword === undefined ? {} : { newPassword: req.newPassword }),
      clusterId: ctx.cluster.id,
      hostName: name,
      caCertPem: ctx.cluster.caCertPem,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
    });
    await task.log(req.newPassword === undefined ? 'enrolled with the host password' : 'enrolled; the host password was changed');
    await task.progress(0.4, 'enrolled');
    revert.add(`the enrollment of the connector on ${req.address}`, async () => {
      if (req.newPassword !== undefined) await task.log('note: the host password was already changed to the new one; use it to add the host again');
      await agentFor(ctx, target).release();
    });

    const agent = agentFor(ctx, target);
    const inventory = await agent.inventory();
    await task.log(`inventory: ${inventory.cpu.count} CPU, ${inventory.memoryMiB} MiB, ${inventory.nics.length} NICs, connector ${inventory.agentVersion}`);
    await agent.setSyslog(
      job.settings.syslog.address === null ? { enabled: false } : { enabled: job.settings.syslog.enabled, address: job.settings.syslog.address },
    );
    const attachments = autoAttach(inventory.nics, req.address, job.subnets);
    // An address another host already holds is not auto-attached (the add does not fail for it).
    for (const [nic, att] of Object.entries(attachments)) {
      if (att.ip !== req.address && (await rt.repo.addressOwner(att.ip))) delete attachments[nic];
    }
    const now = isoAt(ctx.clock);
    const fields: Omit<HostRecord, 'id'> = {
      name,
      purpose: req.purpose,
      state: 'DISABLED',
      address: req.address,
      port: req.port,
      storageLocation: job.settings.storageLocation,
      servicePool: job.settings.servicePool,
      syslog: job.settings.syslog,
      attachments,
      inventory: stripUptime(inventory),
      // Just talked to it over mutual TLS: connection and connector are green; the monitor does the rest.
      indicators: judgeIndicators({
        purpose: req.purpose,
        endpoint: `${req.address}:${req.port}`,
        connection: { ok: true },
        connector: { ok: true },
        sanConfigured: false,
        storage: [],
      }),
      lastSeenAt: now,
      createdAt: now,
    };
    const record = await rt.repo.create(fields);
    await task.log(`host '${name}' recorded as host ${record.id}, DISABLED (enable it to use it)`);
    await emitHostEvent(ctx, 'host.added', record, `host '${name}' (${req.purpose}, ${req.address}) added as DISABLED`, { id: record.id });
    await task.progress(1, 'added');
    return toHostView(record, rt.cache.guestTotals(record.id), ctx.agentBundle.version);
  });
}
