/** Load cost of @middy/core alone, bundled like a function. */
import middy from '@middy/core';

export const loaded = middy;
