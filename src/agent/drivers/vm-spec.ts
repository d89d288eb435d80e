// What the QEMU driver is asked to run, validated before any process starts.
import { z } from 'zod';
import { iscsiChap } from '../../contract/guest-agent.contract.ts';
import { parseGuestId } from '../../contract/shared-rules.ts';
import { AgentError } from '../agent-error.ts';

// A local absolute path, or QEMU's built-in iSCSI client URL iscsi://host[:port]/iqn/lun.
const diskPath = z.string().refine((p) => (p.startsWith('/') && !p.includes('\n')) || /^iscsi:\/\/[0-9A-Za-z.:[\]-]+\/iqn\.[^/\s]+\/[0-9]+$/.test(p), {
  message: 'must be an absolute file path or iscsi://HOST[:PORT]/IQN/LUN',
});
const absolutePath = z.string().refine((p) => p.startsWith('/') && !p.includes('\n'), { message: 'must be an absolute file path' });

export const vmSpec = z
  .object({
    id: z.string().refine((s) => parseGuestId(s)?.kind === 'vm', { message: "must be a VM id like 'vm:100'" }),
    name: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash, underscore'),
    vcpus: z.number().int().min(1).max(64),
    memoryMiB: z
      .number()
      .int()
      .min(32)
      .max(1024 * 1024),
    kernel: absolutePath.optional(),
    initrd: absolutePath.optional(),
    cmdline: z.string().max(1024).optional(),
    disks: z
      .array(
        z
          .object({ path: diskPath, format: z.enum(['raw', 'qcow2']), chap: iscsiChap.optional() })
          .refine((d) => d.chap === undefined || d.path.startsWith('iscsi://'), { message: 'CHAP credentials are for iscsi:// disks only' }),
      )
      .max(16)
      .default([]),
    /** An ISO in the CD-ROM drive at start; null = empty drive (a medium can be inserted later). */
    cdrom: absolutePath.nullable().default(null),
    /** Tap devices QEMU creates; the agent joins them to their bridges once QEMU runs. */
    nics: z
      .array(
        z.object({
          mac: z.string().regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'a lower-case MAC like 52:54:00:12:34:56'),
          tap: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'an interface name of at most 15 characters'),
        }),
      )
      .max(8)
      .default([]),
    accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
  })
  .refine((s) => s.kernel !== undefined || s.disks.length > 0 || s.cdrom !== null, {
    message: 'a VM needs a kernel or at least one disk to boot from (or a CD-ROM)',
  })
  .refine((s) => s.initrd === undefined || s.kernel !== undefined, { message: 'initrd needs kernel' });

export type VmSpecInput = z.input<typeof vmSpec>;
export type VmSpec = z.output<typeof vmSpec>;

export function parseVmSpec(input: unknown): VmSpec {
  const r = vmSpec.safeParse(input);
  if (r.success) return r.data;
  const why = r.error.issues.map((i) => `${i.path.join('.') || 'spec'}: ${i.message}`).join('; ');
  throw new AgentError('invalidInput', `VM start refused: ${why}`);
}
