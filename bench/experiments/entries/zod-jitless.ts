/**
 * Experiment, injected before the entry (esbuild `inject`): zod without its eval-compiled object
 * fast path. zod decides per object schema when the schema is constructed, so this must run before any
 * module that constructs schemas; esbuild evaluates injected files first.
 */
import * as z from 'zod';

z.config({ jitless: true });
