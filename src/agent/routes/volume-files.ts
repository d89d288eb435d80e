// The local pool: one file per volume, `<dir>/<name>.<format>`. Sizes are what the guest sees
// (qcow2's virtual size), allocation what the file takes on disk.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { VolumeFormat, VolumeInfo } from '../../contract/guest-agent.contract.ts';
import { AgentError } from '../agent-error.ts';
import { runCommand } from '../../process/run-command.ts';

const FORMATS: readonly VolumeFormat[] = ['raw', 'qcow2'];
const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]); // "QFI\xfb"

export interface VolumeFile {
  name: string;
  format: VolumeFormat;
  path: string;
}

/** `web01-root.qcow2` → its name and format; undefined for anything else in the directory. */
export function parseVolumeFileName(file: string): { name: string; format: VolumeFormat } | undefined {
  const m = /^([a-z0-9][a-z0-9.-]{0,62})\.(raw|qcow2)$/.exec(file);
  return m ? { name: m[1]!, format: m[2] as VolumeFormat } : undefined;
}

export class VolumeFiles {
  constructor(private readonly dir: string) {}

  async find(name: string): Promise<VolumeFile | undefined> {
    for (const format of FORMATS) {
      const path = join(this.dir, `${name}.${format}`);
      if (
        await stat(path).then(
          (s) => s.isFile(),
          () => false,
        )
      )
        return { name, format, path };
    }
    return undefined;
  }

  async get(name: string): Promise<VolumeFile> {
    const v = await this.find(name);
    if (!v) throw new AgentError('noSuchVolume', `no volume '${name}' in this host's pool`);
    return v;
  }

  async list(): Promise<VolumeFile[]> {
    const files = await readdir(this.dir).catch(() => [] as string[]);
    return files
      .map(parseVolumeFileName)
      .filter((v) => v !== undefined)
      .map((v) => ({ ...v, path: join(this.dir, `${v.name}.${v.format}`) }));
  }

  async info(v: VolumeFile): Promise<Omit<VolumeInfo, 'exportedAs'>> {
    const st = await stat(v.path);
    return {
      name: v.name,
      format: v.format,
      sizeBytes: v.format === 'raw' ? st.size : await this.virtualSize(v),
      allocatedBytes: st.blocks * 512,
      path: v.path,
    };
  }

  private async virtualSize(v: VolumeFile): Promise<number> {
    // -U: readable while a running QEMU holds the image lock.
    const r = await runCommand('qemu-img', ['info', '-U', '-f', v.format, '--output=json', v.path]);
    if (!r.ok) throw new AgentError('volumeFailed', `cannot read volume '${v.name}': qemu-img says: ${r.error}`);
    return (JSON.parse(r.stdout) as { 'virtual-size': number })['virtual-size'];
  }

  private refuseExisting = async (name: string, what: string): Promise<void> => {
    const v = await this.find(name);
    if (v) throw new AgentError('volumeExists', `${what} refused: volume '${name}' already exists (${v.format})`);
  };

  async create(name: string, format: VolumeFormat, sizeBytes: number): Promise<VolumeFile> {
    await this.refuseExisting(name, `creation of volume '${name}'`);
    const path = join(this.dir, `${name}.${format}`);
    if (format === 'raw') {
      // Sparse: takes no space until the guest writes.
      await writeFile(path, '', { flag: 'wx', mode: 0o600 });
      await truncate(path, sizeBytes);
    } else {
      const r = await runCommand('qemu-img', ['create', '-q', '-f', 'qcow2', path, String(sizeBytes)], 60_000);
      if (!r.ok) throw new AgentError('volumeFailed', `creation of volume '${name}' failed: qemu-img says: ${r.error}`);
    }
    return { name, format, path };
  }

  /**
   * A new volume from a streamed image: written under a temporary name while hashing, checked
   * against the announced SHA-256, then renamed into place. A mismatch leaves nothing behind.
   */
  async upload(name: string, format: VolumeFormat, body: Readable, sha256: string): Promise<VolumeFile> {
    await this.refuseExisting(name, `upload of volume '${name}'`);
    const tmp = join(this.dir, `.upload-${name}.${format}`);
    const hash = createHash('sha256');
    let head = Buffer.alloc(0);
    try {
      const out = createWriteStream(tmp, { mode: 0o600 });
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            if (head.length < QCOW2_MAGIC.length) head = Buffer.concat([head, chunk.subarray(0, QCOW2_MAGIC.length)]);
            yield chunk;
          }
        },
        out,
      );
      const got = hash.digest('hex');
      if (got !== sha256)
        throw new AgentError(
          'checksumMismatch',
          `upload of volume '${name}' refused: the content's SHA-256 is ${got}, not the announced ${sha256}; nothing was kept`,
        );
      if (format === 'qcow2' && !head.subarray(0, QCOW2_MAGIC.length).equals(QCOW2_MAGIC)) {
        throw new AgentError('invalidInput', `upload of volume '${name}' refused: the content is not a qcow2 image (format 'raw' takes any bytes)`);
      }
      await this.refuseExisting(name, `upload of volume '${name}'`);
      const path = join(this.dir, `${name}.${format}`);
      await rename(tmp, path);
      return { name, format, path };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Grows a volume; shrinking would cut off data, so it is refused. */
  async grow(v: VolumeFile, sizeBytes: number): Promise<void> {
    const current = (await this.info(v)).sizeBytes;
    if (sizeBytes < current)
      throw new AgentError(
        'volumeShrinkRefused',
        `resize of volume '${v.name}' refused: ${sizeBytes} bytes is smaller than its ${current} bytes, and shrinking would lose data`,
      );
    if (sizeBytes === current) return;
    if (v.format === 'raw') return truncate(v.path, sizeBytes);
    const r = await runCommand('qemu-img', ['resize', '-q', '-f', 'qcow2', v.path, String(sizeBytes)], 60_000);
    if (!r.ok) throw new AgentError('volumeFailed', `resize of volume '${v.name}' failed: qemu-img says: ${r.error}`);
  }

  async remove(v: VolumeFile): Promise<void> {
    await rm(v.path, { force: true });
  }
}
