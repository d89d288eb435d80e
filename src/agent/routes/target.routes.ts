// iSCSI exports of this host's volumes (storage hosts), and the login test processing hosts run.
import { GUEST_AGENT_PATHS, iscsiCheckRequest, targetExportRequest } from '../../contract/guest-agent.contract.ts';
import { AgentError } from '../agent-error.ts';
import type { Route } from '../agent-routes.ts';
import { iscsiUrl } from '../drivers/tgt-target.ts';
import { parseJsonBody } from '../http-io.ts';
import { qemuImgInfo } from '../drivers/iscsi-login-check.ts';
import { volumeNameOf } from './volume.routes.ts';

export const TARGET_ROUTES: Route[] = [
  {
    // Idempotent: exports the volume, or brings an existing export's ACL and CHAP account to those given.
    method: 'PUT',
    path: GUEST_AGENT_PATHS.target,
    access: 'controller',
    exclusive: true,
    handle: async ({ params, body }, rt) => {
      const name = volumeNameOf(params, 'volume');
      const req = parseJsonBody(body, targetExportRequest);
      const v = await rt.guests.volumes.get(name);
      const tgt = rt.guests.tgt(req.portal);
      await tgt.ensureDaemon();
      await tgt.ensurePortal(req.portal);
      const existing = await tgt.find(name);
      const initiators = [...new Set(req.initiators)];
      let iqn: string;
      if (existing) {
        const backing = existing.luns.find((l) => l.lun === 1)?.backingPath;
        if (backing !== v.path)
          throw new AgentError('volumeExported', `export of volume '${name}' refused: ${existing.iqn} already serves ${backing ?? 'no file'}`);
        await tgt.setChap(existing, req.chap);
        await tgt.setAcl(existing, initiators);
        iqn = existing.iqn;
      } else {
        iqn = (await tgt.exportVolume({ volume: name, path: v.path, initiators, chap: req.chap })).iqn;
      }
      rt.log.info('volume exported', { volume: name, iqn, portal: req.portal, initiators, chapUser: req.chap?.user ?? null });
      return { status: 200, body: { iqn, url: iscsiUrl(req.portal, iqn), initiators } };
    },
  },
  {
    method: 'DELETE',
    path: GUEST_AGENT_PATHS.target,
    access: 'controller',
    exclusive: true,
    handle: async ({ params }, rt) => {
      const name = volumeNameOf(params, 'volume');
      await rt.guests.tgt().unexportVolume(name);
      rt.log.info('volume unexported', { volume: name });
      return { status: 200, body: { unexported: name } };
    },
  },
  {
    // A real login and read of the LUN's size with QEMU's own iSCSI client, as guests will do.
    method: 'POST',
    path: GUEST_AGENT_PATHS.iscsiCheck,
    access: 'controller',
    exclusive: false,
    handle: async ({ body }) => {
      const req = parseJsonBody(body, iscsiCheckRequest);
      const t0 = performance.now();
      const r = await qemuImgInfo(req.url, req.chap, req.timeoutMs);
      const ms = Math.round(performance.now() - t0);
      if (r.ok) return { status: 200, body: { ok: true, ms } };
      const timedOut = r.code === null && !r.stderr.trim() && ms >= req.timeoutMs;
      const error = timedOut ? `no iSCSI login within ${req.timeoutMs} ms` : oneLine(r.error ?? 'qemu-img failed');
      return { status: 200, body: { ok: false, ms, error } };
    },
  },
];

/** QEMU's error lines as one line (they end up in an indicator's reason). */
const oneLine = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');
