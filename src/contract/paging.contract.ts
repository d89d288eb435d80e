// The one way lists come in pages (guests by number, hosts by id, volumes by name): ?limit= and ?cursor= (the last key
// of the page before); when more remain, the X-Next-Cursor header holds the next page's cursor.
import { z } from 'zod';

const limit = z.coerce.number().int().min(1).max(1000).optional();

/** Lists keyed by a number (guests, hosts). */
export const pageQuery = { limit, cursor: z.coerce.number().int().min(0).optional() };

/** Lists keyed by a name (volumes): the cursor is the last name of the page before. */
export const namePageQuery = { limit, cursor: z.string().min(1).max(63).optional() };

export const NEXT_CURSOR_HEADER = 'x-next-cursor';
