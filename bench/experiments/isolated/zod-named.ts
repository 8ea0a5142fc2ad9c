/** zod imported as the project does today: `import { z } from 'zod'` (esbuild keeps all of zod, locales included). */
import { z } from 'zod';

export const schema = z.object({ id: z.string().regex(/^[0-9]+$/), limit: z.number().int().min(1).max(100).optional() });
