/** zod imported as a namespace: `import * as z from 'zod'` (esbuild keeps what is used). */
import * as z from 'zod';

export const schema = z.object({ id: z.string().regex(/^[0-9]+$/), limit: z.number().int().min(1).max(100).optional() });
