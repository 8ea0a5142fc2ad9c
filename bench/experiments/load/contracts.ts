/** Load cost of zod plus every upstream contract (shared/contracts): subtract zod.ts for the schemas alone. */
import * as contracts from '../../../shared/contracts';

export const loaded = contracts;
