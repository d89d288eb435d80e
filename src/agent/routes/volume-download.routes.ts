// A volume's content read out of this host's pool, for the controller to write into another host's
// pool when a stopped VM moves with its local disks. The SHA-256 is computed first and sent as a
// header, so the receiving host checks what it got before keeping it.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { MOVE_AGENT_PATHS, VOLUME_FORMAT_HEADER, VOLUME_SHA256_HEADER } from '../../contract/move-agent.contract.ts';
import { parseGuestId } from '../../contract/shared-rules.ts';
import { sha256OfFile } from '../../streams/hashing-tap.ts';
import { AgentError } from '../agent-error.ts';
import type { AgentRuntime, Route } from '../agent-routes.ts';
import { leaseLock } from './ct-archive.routes.ts';
import { volumeNameOf } from './volume.routes.ts';

/** A volume can be read out only while no guest of this host runs on it: its bytes must hold still. */
async function checkQuiet(rt: AgentRuntime, name: string, user: string | undefined): Promise<void> {
  const what = `download of volume '${name}'`;
  if (rt.guests.uploading.has(name)) throw new AgentError('volumeBusy', `${what} refused: its content is being uploaded`);
  await rt.guests.volumes.get(name);
  if (user === undefined) return;
  const state = (await rt.guests.qemu.status(user)).state;
  if (state !== 'stopped') throw new AgentError('volumeInUse', `${what} refused: guest '${user}' is ${state} on it; only a stopped guest's disk can be copied`);
}

export const VOLUME_DOWNLOAD_ROUTES: Route[] = [
  {
    method: 'GET',
    path: MOVE_AGENT_PATHS.volumeContent,
    access: 'controller',
    exclusive: false,
    handle: async ({ params }, rt) => {
      const name = volumeNameOf(params);
      const user = (await rt.guests.specs.volumeUsers()).get(name);
      const vmUser = user !== undefined && parseGuestId(user)?.kind === 'vm' ? user : undefined;
      // The user's lock: its start waits for the copy. A free volume is guarded by its name.
      const release = await leaseLock(rt.guests.locks, vmUser ?? `volume:${name}`, () => checkQuiet(rt, name, vmUser));
      try {
        const v = await rt.guests.volumes.get(name);
        const sha256 = await sha256OfFile(v.path);
        const size = (await stat(v.path)).size;
        const body = createReadStream(v.path);
        body.once('close', release);
        rt.log.info('volume download', { volume: name, bytes: size, sha256 });
        return {
          status: 200,
          body: null,
          stream: { body, headers: { 'content-length': size, [VOLUME_SHA256_HEADER]: sha256, [VOLUME_FORMAT_HEADER]: v.format } },
        };
      } catch (e) {
        release();
        throw e;
      }
    },
  },
];
