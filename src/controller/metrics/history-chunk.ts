// One hour of one subject's per-minute figures, as stored: 6 metrics × 60 values of 16 bits on a
// logarithmic scale (0.07 % precision from 0 to 2^64; 0 = no sample), deflated. An idle guest's hour
// compresses to a few dozen bytes; a busy one stays under 720 bytes.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { HISTORY_METRICS, type HistoryMetric } from '../../contract/stats.contract.ts';

export const MINUTES_PER_CHUNK = 60;
export const CHUNK_MS = MINUTES_PER_CHUNK * 60_000;
const FORMAT_VERSION = 2;
const STEPS_PER_DOUBLING = 1023; // log2(1 + v) × this, + 1 (0 is "no sample"): at most 64 × 1023 + 1 < 2^16

/** A figure (≥ 0) as 16 bits; NaN (no sample) as 0. */
export function quantize(v: number): number {
  if (Number.isNaN(v)) return 0;
  return Math.min(0xffff, Math.round(Math.log2(1 + Math.max(0, v)) * STEPS_PER_DOUBLING) + 1);
}

export function dequantize(q: number): number {
  return q === 0 ? Number.NaN : 2 ** ((q - 1) / STEPS_PER_DOUBLING) - 1;
}

export type Chunk = Record<HistoryMetric, Float64Array>;

export function emptyChunk(): Chunk {
  const c = {} as Chunk;
  for (const m of HISTORY_METRICS) c[m] = new Float64Array(MINUTES_PER_CHUNK).fill(Number.NaN);
  return c;
}

export function encodeChunk(c: Chunk): Buffer {
  const raw = Buffer.alloc(HISTORY_METRICS.length * MINUTES_PER_CHUNK * 2);
  HISTORY_METRICS.forEach((m, i) => c[m].forEach((v, slot) => raw.writeUInt16LE(quantize(v), (i * MINUTES_PER_CHUNK + slot) * 2)));
  return Buffer.concat([Buffer.from([FORMAT_VERSION]), deflateRawSync(raw)]);
}

export function decodeChunk(blob: Buffer): Chunk {
  if (blob[0] !== FORMAT_VERSION) throw new Error(`history chunk format ${blob[0]} is not known (expected ${FORMAT_VERSION})`);
  const raw = inflateRawSync(blob.subarray(1));
  const c = emptyChunk();
  HISTORY_METRICS.forEach((m, i) => {
    for (let slot = 0; slot < MINUTES_PER_CHUNK; slot++) c[m][slot] = dequantize(raw.readUInt16LE((i * MINUTES_PER_CHUNK + slot) * 2));
  });
  return c;
}
