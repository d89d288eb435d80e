// What the kill -9 writer writes for key number N, shared by the writer and the test that checks it.
export const ackedKey = (n: number): string => `/acked/${String(n).padStart(8, '0')}`;
export const ackedValue = (n: number): { n: number; pad: string } => ({ n, pad: `payload-${n}-`.repeat(20) });
