/** Load cost of zod alone, bundled like a function. */
import { z } from 'zod';

export const loaded = z;
