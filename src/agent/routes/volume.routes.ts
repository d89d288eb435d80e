// Volumes of the pool on this host (local on a processing host, the iSCSI pool on a storage host).
import {
  CONTENT_SHA256_HEADER,
  GUEST_AGENT_PATHS,
  volumeCreateRequest,
  volumeFormat,
  volumeName,
  volumeResizeRequest,
  type VolumeInfo,
} from '../../contract/guest-agent.contract.ts';
import { AgentError } from '../agent-error.ts';
import type { AgentRuntime, Route } from '../agent-routes.ts';
import { volumeIqn } from '../drivers/tgt-show-parse.ts';
import { parseJsonBody } from '../http-io.ts';

export function volumeNameOf(params: Record<string, string>, key = 'name'): string {
  const name = params[key] ?? '';
  const r = volumeName.safeParse(name);
  if (!r.success) throw new AgentError('invalidInput', `request refused: volume name '${name}': ${r.error.issues[0]?.message ?? 'invalid'}`);
  return name;
}

async function exportedIqns(rt: AgentRuntime): Promise<Set<string>> {
  return new Set((await rt.guests.tgt().list()).map((t) => t.iqn));
}

async function describe(rt: AgentRuntime, name: string, iqns?: Set<string>): Promise<VolumeInfo> {
  const info = await rt.guests.volumes.info(await rt.guests.volumes.get(name));
  const iqn = volumeIqn(name);
  return (iqns ?? (await exportedIqns(rt))).has(iqn) ? { ...info, exportedAs: iqn } : info;
}

const nameTaken = (name: string): AgentError => new AgentError('volumeExists', `volume '${name}' refused: an upload of that name is under way`);

export const VOLUME_ROUTES: Route[] = [
  {
    method: 'GET',
    path: GUEST_AGENT_PATHS.volumes,
    access: 'controller',
    exclusive: false,
    handle: async (_ctx, rt) => {
      const iqns = await exportedIqns(rt);
      const all = await rt.guests.volumes.list();
      return { status: 200, body: await Promise.all(all.map((v) => describe(rt, v.name, iqns))) };
    },
  },
  {
    method: 'PUT',
    path: GUEST_AGENT_PATHS.volume,
    access: 'controller',
    exclusive: true,
    handle: async ({ params, body }, rt) => {
      const name = volumeNameOf(params);
      const req = parseJsonBody(body, volumeCreateRequest);
      if (rt.guests.uploading.has(name)) throw nameTaken(name);
      await rt.guests.volumes.create(name, req.format, req.sizeBytes);
      rt.log.info('volume created', { volume: name, format: req.format, sizeBytes: req.sizeBytes });
      return { status: 201, body: await describe(rt, name) };
    },
  },
  {
    // Not exclusive: a big upload must not hold up every other call; its name is reserved instead.
    method: 'PUT',
    path: GUEST_AGENT_PATHS.volumeContent,
    access: 'controller',
    exclusive: false,
    streamBody: true,
    handle: async ({ params, query, headers, stream }, rt) => {
      const name = volumeNameOf(params);
      const fmt = volumeFormat.safeParse(query.get('format') ?? 'raw');
      if (!fmt.success) throw new AgentError('invalidInput', `upload of volume '${name}' refused: format must be raw or qcow2, not '${query.get('format')}'`);
      const sha = headers[CONTENT_SHA256_HEADER];
      if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) {
        throw new AgentError(
          'invalidInput',
          `upload of volume '${name}' refused: the ${CONTENT_SHA256_HEADER} header must carry the content's SHA-256 as 64 lower-case hex digits`,
        );
      }
      if (rt.guests.uploading.has(name)) throw nameTaken(name);
      rt.guests.uploading.add(name);
      try {
        const v = await rt.guests.volumes.upload(name, fmt.data, stream, sha);
        const info = await describe(rt, v.name);
        rt.log.info('volume uploaded', { volume: name, format: v.format, sizeBytes: info.sizeBytes, sha256: sha });
        return { status: 201, body: info };
      } finally {
        rt.guests.uploading.delete(name);
      }
    },
  },
  {
    method: 'POST',
    path: GUEST_AGENT_PATHS.volumeResize,
    access: 'controller',
    exclusive: true,
    handle: async ({ params, body }, rt) => {
      const name = volumeNameOf(params);
      const req = parseJsonBody(body, volumeResizeRequest);
      await rt.guests.volumes.grow(await rt.guests.volumes.get(name), req.sizeBytes);
      rt.log.info('volume resized', { volume: name, sizeBytes: req.sizeBytes });
      return { status: 200, body: await describe(rt, name) };
    },
  },
  {
    method: 'DELETE',
    path: GUEST_AGENT_PATHS.volume,
    access: 'controller',
    exclusive: true,
    handle: async ({ params }, rt) => {
      const name = volumeNameOf(params);
      const v = await rt.guests.volumes.get(name);
      const user = (await rt.guests.specs.volumeUsers()).get(name);
      if (user !== undefined) throw new AgentError('volumeInUse', `deletion of volume '${name}' refused: guest '${user}' on this host has it as a disk`);
      const tgt = rt.guests.tgt();
      const target = await tgt.find(name);
      if (target && target.sessions.length > 0) {
        throw new AgentError(
          'volumeInUse',
          `deletion of volume '${name}' refused: it is exported and ${target.sessions.map((s) => s.addresses.join(', ') || s.initiator).join('; ')} is logged in`,
        );
      }
      // An export nobody uses goes with the volume.
      if (target) await tgt.unexportVolume(name, { sessionWaitMs: 0 });
      await rt.guests.volumes.remove(v);
      rt.log.info('volume deleted', { volume: name });
      return { status: 200, body: { deleted: name } };
    },
  },
];
