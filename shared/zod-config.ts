/**
 * zod, configured once for everything that ships in a function bundle. Import this module first in every
 * module that builds schemas (`import '../zod-config';`), so it runs before any schema is constructed:
 *
 *  - The schemas are written with `zod/mini` (functional checks, `z.optional(x)` rather than
 *    `x.optional()`): the same library and validation as classic zod, but only what a bundle uses is
 *    bundled (our functions carry 35-40 KB of zod instead of ~98 KB: bench/RESULTS.md, "What is in
 *    each bundle"; the contracts load in about half the time, measured side by side on 2026-12-02).
 *  - zod/mini ships no messages of its own: English is installed here, so a 4xx names each field with
 *    the same words classic zod uses ("Too small: expected string to have >=1 characters").
 *  - jitless: zod would compile each object schema into a parser with `new Function` on its first use; a
 *    function parses a handful of objects per invocation, so compiling costs more than it saves at cold
 *    start. It is read when an object schema is constructed, hence "before any schema".
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config({ ...en(), jitless: true });
