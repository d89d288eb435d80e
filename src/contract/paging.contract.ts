// The one way lists come in pages (guests by number, hosts by id): ?limit= and ?cursor= (the last key
// of the page before); when more remain, the X-Next-Cursor header holds the next page's cursor.
import { z } from 'zod';

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.coerce.number().int().min(0).optional(),
};

export const NEXT_CURSOR_HEADER = 'x-next-cursor';
