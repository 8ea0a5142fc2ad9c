/** The same schema with zod/mini (functional API, tree-shakable by design). */
import * as z from 'zod/mini';

export const schema = z.object({ id: z.string().check(z.regex(/^[0-9]+$/)), limit: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(100))) });
