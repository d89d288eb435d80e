// "Update connector": push the agent bundle this controller ships to a host in MAINT,
// wait for the new version to answer, refresh the inventory. The host stays in MAINT: the admin
// enables it afterwards.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { errors, isGrappeError } from '../../core/errors.ts';
import { assertCan } from '../../core/hosts/host.ts';
import type { ControllerContext, TaskContext } from '../platform/types.ts';
import { agentFor } from './agent-link.ts';
import { emitHostEvent } from './host-events.ts';
import { stripUptime, type HostRecord } from './host-record.ts';
import { hostFacts } from './host-view.ts';
import type { HostsRuntime } from './hosts-runtime.ts';

export const RECONNECT_TIMEOUT_MS = 30_000;
const POLL_MS = 300;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runUpdateConnector(ctx: ControllerContext, rt: HostsRuntime, host: HostRecord, task: TaskContext): Promise<unknown> {
  const { version, path } = ctx.agentBundle;
  let bundle: Buffer;
  try {
    bundle = await readFile(path);
  } catch (e) {
    throw errors.internal(`cannot read the connector bundle ${path}: ${(e as Error).message} (build it with 'node scripts/build.mjs')`);
  }
  const sha256 = createHash('sha256').update(bundle).digest('hex');
  const agent = agentFor(ctx, host);
  await task.log(`pushing connector ${version} (${Math.ceil(bundle.length / 1024)} KiB) to '${host.name}'`);
  await agent.update({ version, sha256, bundleBase64: bundle.toString('base64') });
  await task.progress(0.4, 'connector restarting');
  await task.log('connector restarting');

  const deadline = Date.now() + RECONNECT_TIMEOUT_MS;
  let last = 'no answer yet';
  for (;;) {
    try {
      const hello = await agentFor(ctx, host, 2000).hello();
      if (hello.version === version) break;
      last = `it still answers as version ${hello.version}`;
    } catch (e) {
      last = isGrappeError(e) ? e.message : String(e);
    }
    if (Date.now() >= deadline) {
      throw errors.agentFailed(host.name, `the new connector ${version} did not answer within ${RECONNECT_TIMEOUT_MS / 1000} s (${last})`);
    }
    await sleep(POLL_MS);
  }
  await task.progress(0.8, 'connector back');
  await task.log(`connector back, version ${version}`);

  const inventory = stripUptime(await agent.inventory());
  const updated = await rt.repo.mutate(host.id, (current) => ({ ...current, inventory }));
  await emitHostEvent(ctx, 'host.updated', updated, `connector of host '${host.name}' updated to ${inventory.agentVersion}`, {
    agentVersion: inventory.agentVersion,
  });
  await task.log(`host '${host.name}' stays in MAINT; enable it when ready`);
  return rt.views.view(host.id);
}

/** The synchronous refusals of the route: wrong state, or nothing to update (one rule, in core). */
export function checkUpdateConnector(host: HostRecord, guestCount: number, shippedVersion: string): void {
  assertCan(hostFacts(host, guestCount, shippedVersion), 'update-connector');
}
