import { z } from 'zod';

/** `?limit=` for list routes: 1..max, `fallback` when absent. */
export const limitQuery = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);
