// A real iSCSI login and read of the LUN's size with QEMU's own client (qemu-img info), as guests will
// do, with the target's CHAP credentials when it has some (their secret in a 0600 file, not an argument).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IscsiChap } from '../../contract/guest-agent.contract.ts';
import { runCommand } from '../../process/run-command.ts';
import { dottedOptions, iscsiNode, parseIscsiUrl, secretObject } from './iscsi-client.ts';

/** qemu-img's arguments before its own options (`info`, `--output=json`…): the image, logged in with CHAP if given. Pure. */
export function qemuImgImageArgs(url: string, chap?: { user: string; secretFile: string }): string[] {
  const target = chap ? parseIscsiUrl(url) : undefined;
  if (!chap || !target) return [url];
  return ['--object', secretObject('chap', chap.secretFile), '--image-opts', dottedOptions('', iscsiNode(target, { user: chap.user, secretId: 'chap' }))];
}

/** Runs `qemu-img <command…> IMAGE` with the secret in a private temporary file for the time of the run. */
export async function withChapSecret<T>(chap: IscsiChap | undefined, run: (login?: { user: string; secretFile: string }) => Promise<T>): Promise<T> {
  if (!chap) return run();
  const dir = await mkdtemp(join(tmpdir(), 'grappe-chap-'));
  try {
    const secretFile = join(dir, 'secret');
    await writeFile(secretFile, chap.secret, { mode: 0o600 });
    return await run({ user: chap.user, secretFile });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function qemuImgInfo(url: string, chap: IscsiChap | undefined, timeoutMs: number): ReturnType<typeof runCommand> {
  return withChapSecret(chap, async (login) => {
    const image = qemuImgImageArgs(url, login);
    const r = await runCommand('qemu-img', ['info', ...image], timeoutMs);
    // QEMU quotes the options it could not open: say the URL instead, as without CHAP.
    const options = image.at(-1) ?? url;
    const tidy = (text: string): string => text.replaceAll(options, url);
    return { ...r, stderr: tidy(r.stderr), ...(r.error === undefined ? {} : { error: tidy(r.error) }) };
  });
}
