// For tests: two real agents on loopback (from source), enrolled in one test cluster, each with a
// GuestClient holding the controller's certificate — a source and a destination to copy between.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LxcDriver } from '../../src/agent/drivers/lxc-driver.ts';
import { AgentProcess, freePort } from './agent-process.ts';
import { CONTROLLER_CERT_CN, createCa, issueCert, type CertAndKey } from '../../src/pki/pki.ts';
import { AgentClient, type ControllerCredentials } from '../../src/controller/agents/agent-client.ts';
import { GuestClient } from '../../src/controller/agents/guest-client.ts';

export interface TestAgent {
  readonly name: string;
  readonly process: AgentProcess;
  readonly client: GuestClient;
}

export interface AgentPair {
  readonly a: TestAgent;
  readonly b: TestAgent;
  readonly credentials: ControllerCredentials;
  /** A client for `agent` with another CA's controller certificate: must be refused. */
  stranger(agent: TestAgent): Promise<GuestClient>;
  close(): Promise<void>;
}

async function startOne(name: string, ca: CertAndKey, credentials: ControllerCredentials): Promise<TestAgent> {
  const cert = await issueCert(ca, { commonName: name, ipAddresses: ['127.0.0.1'], usage: 'server' });
  const port = await freePort();
  const process = await AgentProcess.start({ port });
  const first = new AgentClient({ address: '127.0.0.1', port, hostLabel: name, credentials });
  await first.enroll({
    password: 'grappe',
    newPassword: 'copy tests pw',
    clusterId: 'c-copy',
    hostName: name,
    caCertPem: ca.certPem,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
  });
  return { name, process, client: new GuestClient({ address: '127.0.0.1', port, hostLabel: name, credentials }) };
}

/** Stops the agent and removes what it made: containers (LXC keeps them outside the agent), its data dir. */
async function stopOne(agent: TestAgent): Promise<void> {
  const dir = agent.process.dataDir;
  await agent.process.stop();
  const lxc = new LxcDriver({ lxcPath: join(dir, 'lxc') });
  for (const c of await lxc.list().catch(() => [])) {
    await lxc.forceStop(c.id).catch(() => undefined);
    await lxc.destroy(c.id).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true });
}

export async function startAgentPair(): Promise<AgentPair> {
  const ca = await createCa('grappe copy test CA');
  const ctl = await issueCert(ca, { commonName: CONTROLLER_CERT_CN, usage: 'client' });
  const credentials = { caCertPem: ca.certPem, certPem: ctl.certPem, keyPem: ctl.keyPem };
  const a = await startOne('host-a', ca, credentials);
  const b = await startOne('host-b', ca, credentials).catch(async (e: unknown) => {
    await stopOne(a);
    throw e;
  });
  return {
    a,
    b,
    credentials,
    stranger: async (agent) => {
      const foreign = await issueCert(await createCa('stranger CA'), { commonName: CONTROLLER_CERT_CN, usage: 'client' });
      return new GuestClient({
        address: '127.0.0.1',
        port: agent.process.port,
        hostLabel: agent.name,
        credentials: { ...credentials, certPem: foreign.certPem, keyPem: foreign.keyPem },
      });
    },
    close: async () => {
      await stopOne(a);
      await stopOne(b);
    },
  };
}
