/** Load cost of zod alone, bundled like a function, imported as the project imports it (`import * as z`). */
import * as z from 'zod';

export const loaded = z.object;
