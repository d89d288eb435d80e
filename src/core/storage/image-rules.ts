// Imported disk images: what `qemu-img info --output=json` says about a file, checked. Only raw and
// qcow2 are taken; a qcow2 with a backing file would depend on a file we do not copy. Pure.
import { errors, GrappeError } from '../errors.ts';

export interface ImageFileFacts {
  readonly format: 'raw' | 'qcow2';
  readonly virtualSizeBytes: number;
}

export function parseQemuImgInfo(json: string, file: string): ImageFileFacts {
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw errors.internal(`qemu-img info on '${file}' did not answer JSON`);
  }
  const format = info['format'];
  const size = info['virtual-size'];
  if (format !== 'raw' && format !== 'qcow2') {
    throw new GrappeError(
      'unsupportedImageFormat',
      `import of '${file}' refused: its format is ${String(format)}, and only raw and qcow2 disk images are supported (convert it with \`qemu-img convert -O qcow2\`)`,
      { file, format: String(format) },
    );
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) {
    throw errors.invalidInput(`import of '${file}' refused: it is empty or its size is unknown`, { file });
  }
  if (format === 'qcow2' && (info['backing-filename'] !== undefined || info['full-backing-filename'] !== undefined)) {
    throw errors.invalidInput(
      `import of '${file}' refused: it is a qcow2 overlay of '${String(info['backing-filename'])}'; flatten it first with \`qemu-img convert -O qcow2\``,
      { file },
    );
  }
  if (format === 'raw' && size % 512 !== 0) {
    throw errors.invalidInput(
      `import of '${file}' refused: qemu-img sees raw data of ${size} bytes, not a whole number of 512-byte sectors, so it is not a disk image`,
      { file },
    );
  }
  return { format, virtualSizeBytes: size };
}

const IMAGE_NAME = /^[a-z0-9][a-z0-9.-]{0,62}$/;

/** The image name for a file when none is given: its base name, lower-cased, extension dropped. */
export function imageNameFromPath(path: string): string {
  const base = (path.split('/').pop() ?? '').toLowerCase().replace(/\.(raw|img|qcow2)$/, '');
  const cleaned = base
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63);
  if (!IMAGE_NAME.test(cleaned)) throw errors.invalidInput(`cannot make an image name from '${path}': give one with --name`, { path });
  return cleaned;
}

export function assertImageName(name: string): void {
  if (!IMAGE_NAME.test(name))
    throw errors.invalidInput(`image name '${name}' refused: 1-63 of a-z, 0-9, '.', '-', starting with a letter or digit`, { image: name });
}

/** Sizes given as `64M`, `1G`, `1.5G`, `2T` or a bare number of MiB; whole MiB only. */
export function parseSizeMiB(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([MGT])?(?:i?B)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'M').toUpperCase();
  const mib = Number(m[1]) * (unit === 'T' ? 1024 * 1024 : unit === 'G' ? 1024 : 1);
  return Number.isSafeInteger(mib) && mib >= 1 ? mib : undefined;
}
