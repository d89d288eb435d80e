import { z } from 'zod';
import { isIpv4, parseCidr } from '../core/net/ipv4.ts';

export const ipv4 = z.string().refine(isIpv4, { message: 'must be an IPv4 address such as 198.18.0.11' });
export const cidr = z.string().refine((s) => parseCidr(s) !== undefined, { message: 'must be an IPv4 CIDR such as 198.18.0.0/24' });
export const port = z.number().int().min(1).max(65535);
export const hostName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i, 'must be letters, digits and dashes (a DNS label), not starting or ending with a dash');
export const indicator = z.enum(['green', 'red', 'n/a']);
export type Indicator = z.infer<typeof indicator>;
export { INDICATOR_NAMES, type IndicatorName } from '../core/hosts/indicators.ts';

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    kind: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  }),
});
export type ErrorBody = z.infer<typeof errorBody>;
