// Exports volumes over iSCSI with tgt (userspace target): each volume is a file-backed LUN 1 of
// its own target, bound to the given initiator addresses only. QEMU's built-in iSCSI client on
// the processing hosts attaches them; no kernel initiator is involved.
import { stat } from 'node:fs/promises';
import { isIpv4 } from '../../contract/shared-rules.ts';
import type { ErrorCode } from '../../contract/error-catalog.contract.ts';
import type { IscsiChap } from '../../contract/guest-agent.contract.ts';
import { AgentError } from '../agent-error.ts';
import { runCommand } from '../../process/run-command.ts';
import { sleep } from './process-probe.ts';
import { aclChanges, isValidVolumeName, nextTid, parsePortals, parseTgtShow, type TgtTargetInfo, volumeIqn } from './tgt-show-parse.ts';

export interface TgtOptions {
  /** tgtd's management channel number (its socket /var/run/tgtd/socket.N); 0 is tgtd's default. */
  controlPort?: number;
  /** Where tgtd listens for initiators when this driver has to start it, e.g. '198.18.2.1:3260'. */
  portal?: string;
  pidFile?: string;
}

export interface ExportedVolume {
  volume: string;
  iqn: string;
  tid: number;
  lun: 1;
  path: string;
  initiators: string[];
  /** The CHAP user an initiator must log in as (none: the address ACL alone guards the target). */
  chapUser: string | null;
}

const DAEMON_WAIT_MS = 5_000;
const MAX_CONTROL_PORT = 32_767;
const DEFAULT_SESSION_WAIT_MS = 3_000;

const refused = (code: ErrorCode, message: string): AgentError => new AgentError(code, message);

export class TgtTargets {
  private readonly controlPort: number;
  private readonly portal: string | undefined;
  private readonly pidFile: string | undefined;

  constructor(opts: TgtOptions = {}) {
    this.controlPort = opts.controlPort ?? 0;
    if (!Number.isInteger(this.controlPort) || this.controlPort < 0 || this.controlPort > MAX_CONTROL_PORT) {
      throw refused('invalidInput', `tgt control port ${this.controlPort} refused: it must be an integer from 0 to ${MAX_CONTROL_PORT}`);
    }
    this.portal = opts.portal;
    this.pidFile = opts.pidFile;
  }

  private tgtadm(args: string[]): ReturnType<typeof runCommand> {
    return runCommand('tgtadm', ['-C', String(this.controlPort), '--lld', 'iscsi', ...args]);
  }

  async daemonRunning(): Promise<boolean> {
    return (await this.tgtadm(['--op', 'show', '--mode', 'sys'])).ok;
  }

  /** Starts tgtd (it daemonizes itself) unless one already answers on our control port. */
  async ensureDaemon(): Promise<void> {
    if (await this.daemonRunning()) return;
    const args = ['-C', String(this.controlPort)];
    if (this.portal !== undefined) args.push('--iscsi', `portal=${this.portal}`);
    if (this.pidFile !== undefined) args.push('-p', this.pidFile);
    const r = await runCommand('tgtd', args);
    if (!r.ok) throw refused('tgtdFailed', `cannot start the iSCSI target daemon tgtd: ${r.error}`);
    const deadline = Date.now() + DAEMON_WAIT_MS;
    while (!(await this.daemonRunning())) {
      if (Date.now() > deadline) throw refused('tgtdFailed', `tgtd started but did not answer on control port ${this.controlPort} within ${DAEMON_WAIT_MS} ms`);
      await sleep(100);
    }
  }

  /** Removes every target (sessions or not) and asks tgtd to exit: it refuses while targets exist. */
  async stopDaemon(): Promise<void> {
    if (!(await this.daemonRunning())) return;
    for (const t of await this.list()) await this.tgtadm(['--op', 'delete', '--force', '--mode', 'target', '--tid', String(t.tid)]);
    const r = await runCommand('tgtadm', ['-C', String(this.controlPort), '--op', 'delete', '--mode', 'system']);
    if (!r.ok) throw refused('tgtdFailed', `tgtd did not stop: ${r.error}`);
  }

  /** Every target; none when tgtd is not running (nothing can be exported then). */
  async list(): Promise<TgtTargetInfo[]> {
    if (!(await this.daemonRunning())) return [];
    const r = await this.tgtadm(['--op', 'show', '--mode', 'target']);
    if (!r.ok) throw refused('tgtdFailed', `cannot list iSCSI targets: ${r.error}`);
    return parseTgtShow(r.stdout);
  }

  async find(volume: string): Promise<TgtTargetInfo | undefined> {
    const iqn = volumeIqn(volume);
    return (await this.list()).find((t) => t.iqn === iqn);
  }

  async exportVolume(req: { volume: string; path: string; initiators: string[]; chap?: IscsiChap | undefined }): Promise<ExportedVolume> {
    const what = `export of volume '${req.volume}' refused`;
    if (!isValidVolumeName(req.volume)) throw refused('invalidInput', `${what}: the name must be 1-63 of a-z, 0-9, '.', '-' (it becomes part of the IQN)`);
    const bad = req.initiators.find((a) => !isIpv4(a));
    if (bad !== undefined) throw refused('invalidInput', `${what}: initiator '${bad}' is not an IPv4 address`);
    const file = await stat(req.path).catch(() => undefined);
    if (!file?.isFile()) throw refused('invalidInput', `${what}: ${req.path} is not a file`);
    await this.ensureDaemon();
    const targets = await this.list();
    const iqn = volumeIqn(req.volume);
    if (targets.some((t) => t.iqn === iqn)) throw refused('volumeExported', `${what}: it is already exported as ${iqn}`);
    const tid = nextTid(targets);
    const step = async (args: string[]): Promise<void> => {
      const r = await this.tgtadm(args);
      if (!r.ok) throw refused('tgtFailed', `${what}: tgtadm ${args.slice(0, 4).join(' ')} failed: ${r.error}`);
    };
    try {
      await step(['--op', 'new', '--mode', 'target', '--tid', String(tid), '-T', iqn]);
      await step(['--op', 'new', '--mode', 'logicalunit', '--tid', String(tid), '--lun', '1', '-b', req.path]);
      // CHAP before the ACL: the target admits nobody until both guard it.
      await this.setChap({ tid, iqn, accounts: [] }, req.chap);
      for (const a of req.initiators) await step(['--op', 'bind', '--mode', 'target', '--tid', String(tid), '-I', a]);
    } catch (e) {
      // Never leave a half-made target behind.
      await this.tgtadm(['--op', 'delete', '--force', '--mode', 'target', '--tid', String(tid)]);
      if (req.chap) await this.tgtadm(['--op', 'delete', '--mode', 'account', '--user', req.chap.user]);
      throw e;
    }
    return { volume: req.volume, iqn, tid, lun: 1, path: req.path, initiators: [...req.initiators], chapUser: req.chap?.user ?? null };
  }

  /**
   * Makes `chap` the target's only CHAP account (none: no CHAP). Accounts belong to one volume each, so
   * a replaced one is deleted. tgtd (1.0.85) crashes when an account is removed from a target holding
   * two: the old one goes before the new one comes (the address ACL still guards the target meanwhile).
   */
  async setChap(target: Pick<TgtTargetInfo, 'tid' | 'iqn' | 'accounts'>, chap: IscsiChap | undefined): Promise<void> {
    const must = async (args: string[], doing: string): Promise<void> => {
      const r = await this.tgtadm(args);
      if (!r.ok) throw refused('tgtFailed', `${doing} on ${target.iqn} failed: ${r.error}`);
    };
    if (chap !== undefined && target.accounts.length === 1 && target.accounts[0] === chap.user) return;
    for (const user of target.accounts) await must(['--op', 'delete', '--mode', 'account', '--user', user], `deleting CHAP account ${user}`);
    if (chap === undefined) return;
    // A leftover account of that name (an export cut short) would keep its old password.
    await this.tgtadm(['--op', 'delete', '--mode', 'account', '--user', chap.user]);
    await must(['--op', 'new', '--mode', 'account', '--user', chap.user, '--password', chap.secret], `creating CHAP account ${chap.user}`);
    await must(['--op', 'bind', '--mode', 'account', '--tid', String(target.tid), '--user', chap.user], `binding CHAP account ${chap.user}`);
  }

  /** tgtd listens only where it was told; a target asked for on another address adds that portal. */
  async ensurePortal(portal: string): Promise<void> {
    const shown = await this.tgtadm(['--op', 'show', '--mode', 'portal']);
    if (shown.ok && parsePortals(shown.stdout).includes(portal)) return;
    const r = await this.tgtadm(['--op', 'new', '--mode', 'portal', '--param', `portal=${portal}`]);
    if (!r.ok) throw refused('tgtFailed', `the iSCSI target daemon cannot listen on ${portal}: ${r.error}`);
  }

  /** Changes a live target's initiator ACL in place: the guests logged in keep their sessions. */
  async setAcl(target: Pick<TgtTargetInfo, 'tid' | 'iqn' | 'acl'>, wanted: readonly string[]): Promise<void> {
    const { bind, unbind } = aclChanges(target.acl, wanted);
    // Bind first: never a moment with an empty ACL on a target in use.
    for (const [op, addrs] of [
      ['bind', bind],
      ['unbind', unbind],
    ] as const) {
      for (const a of addrs) {
        const r = await this.tgtadm(['--op', op, '--mode', 'target', '--tid', String(target.tid), '-I', a]);
        if (!r.ok) throw refused('tgtFailed', `${op} of initiator ${a} on ${target.iqn} failed: ${r.error}`);
      }
    }
  }

  /**
   * Removes the volume's target; refused while an initiator is logged in (a guest uses the disk).
   * tgtd drops a session a moment after its initiator goes away, so a just-stopped guest's session
   * is waited for up to `sessionWaitMs`.
   */
  async unexportVolume(volume: string, opts: { sessionWaitMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.sessionWaitMs ?? DEFAULT_SESSION_WAIT_MS);
    let t = await this.find(volume);
    while (t && t.sessions.length > 0 && Date.now() < deadline) {
      await sleep(200);
      t = await this.find(volume);
    }
    if (!t) throw refused('noSuchExport', `unexport refused: volume '${volume}' is not exported on this host`);
    if (t.sessions.length > 0) {
      const who = t.sessions.map((s) => `${s.initiator} from ${s.addresses.join(', ') || 'unknown address'}`).join('; ');
      throw refused('volumeInUse', `unexport of volume '${volume}' refused: an initiator is logged in (${who}); stop the guest using it first`);
    }
    const r = await this.tgtadm(['--op', 'delete', '--mode', 'target', '--tid', String(t.tid)]);
    if (!r.ok) throw refused('tgtFailed', `unexport of volume '${volume}' failed: ${r.error}`);
    for (const user of t.accounts) await this.tgtadm(['--op', 'delete', '--mode', 'account', '--user', user]);
  }
}

/** The URL QEMU opens: iscsi://PORTAL/IQN/1. */
export const iscsiUrl = (portal: string, iqn: string, lun = 1): string => `iscsi://${portal}/${iqn}/${lun}`;
