// One hour of one subject's per-minute figures, as stored: 6 metrics × 60 float32 (NaN = no sample),
// deflated. An idle guest's hour compresses to a few dozen bytes; a busy one stays under 1.5 KiB.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { HISTORY_METRICS, type HistoryMetric } from '../../contract/stats.contract.ts';

export const MINUTES_PER_CHUNK = 60;
export const CHUNK_MS = MINUTES_PER_CHUNK * 60_000;
const FORMAT_VERSION = 1;

export type Chunk = Record<HistoryMetric, Float32Array>;

export function emptyChunk(): Chunk {
  const c = {} as Chunk;
  for (const m of HISTORY_METRICS) c[m] = new Float32Array(MINUTES_PER_CHUNK).fill(Number.NaN);
  return c;
}

export function encodeChunk(c: Chunk): Buffer {
  const raw = Buffer.alloc(HISTORY_METRICS.length * MINUTES_PER_CHUNK * 4);
  HISTORY_METRICS.forEach((m, i) => Buffer.from(c[m].buffer, c[m].byteOffset, c[m].byteLength).copy(raw, i * MINUTES_PER_CHUNK * 4));
  return Buffer.concat([Buffer.from([FORMAT_VERSION]), deflateRawSync(raw)]);
}

export function decodeChunk(blob: Buffer): Chunk {
  if (blob[0] !== FORMAT_VERSION) throw new Error(`history chunk format ${blob[0]} is not known (expected ${FORMAT_VERSION})`);
  const raw = inflateRawSync(blob.subarray(1));
  const c = {} as Chunk;
  HISTORY_METRICS.forEach((m, i) => {
    const copy = new Uint8Array(MINUTES_PER_CHUNK * 4);
    copy.set(raw.subarray(i * MINUTES_PER_CHUNK * 4, (i + 1) * MINUTES_PER_CHUNK * 4));
    c[m] = new Float32Array(copy.buffer);
  });
  return c;
}
