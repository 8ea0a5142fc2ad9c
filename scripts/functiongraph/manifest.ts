/**
 * The FunctionGraph build manifest (`.build/functiongraph/manifest.json`): what `npm run package:functiongraph`
 * built from serverless.yml and what `npm run deploy:functiongraph` deploys. The schema is the only
 * description of the file; the types are inferred from it.
 *
 * Secret values are never in the manifest: an environment entry of a secret holds only its name, and the
 * deploy takes the value from the deployer's environment.
 */
import { z } from 'zod';

/** FunctionGraph's runtime for Node.js 20 (FunctionGraph names it by the minor version it runs). */
export const FUNCTIONGRAPH_RUNTIME = 'Node.js20.15';
/** The bundle is saved as index.js exporting `handler`. */
export const FUNCTIONGRAPH_HANDLER = 'index.handler';
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_VERSION = 1;

/** FunctionGraph function names: a letter first, then letters, digits, '_' and '-', ending with a letter or digit, at most 60. */
export const functionNameSchema = z.string().regex(/^[A-Za-z]([A-Za-z0-9_-]{0,58}[A-Za-z0-9])?$/, 'must be 1 to 60 letters, digits, "_" or "-", start with a letter and end with a letter or digit');

/** FunctionGraph (and the FunctionGraph user data) keys: a letter first, then letters, digits and '_'. */
export const environmentNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,127}$/, 'must be a letter followed by letters, digits or "_"');

export const environmentEntrySchema = z.discriminatedUnion('secret', [
  z.object({ secret: z.literal(false), value: z.string() }).strict(),
  /** The value is set at deploy time from the deployer's environment; it is never written here. */
  z.object({ secret: z.literal(true) }).strict(),
]);
export type EnvironmentEntry = z.infer<typeof environmentEntrySchema>;

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY'] as const;

export const apigTriggerSchema = z
  .object({
    type: z.literal('APIG'),
    method: z.enum(HTTP_METHODS),
    /** Absolute path as APIG serves it, path parameters in braces: /v1/deploy-tasks/{task_id}/start. */
    path: z.string().regex(/^\/[A-Za-z0-9._~{}\-/]*$/, 'must be an absolute path of letters, digits, "._~-/" and {parameters}'),
  })
  .strict();

/** FunctionGraph timer trigger names: a letter first, then letters, digits, '_' and '-', at most 64. */
export const timerNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must be a letter followed by up to 63 letters, digits, "_" or "-"');

export const timerTriggerSchema = z
  .object({
    type: z.literal('TIMER'),
    name: timerNameSchema,
    /** Rate: `15m`, `2h`, `1d`; Cron: `CRON_TZ=UTC 0 30 8 * * ?` (seconds first) or `@every 90m`. */
    scheduleType: z.enum(['Rate', 'Cron']),
    schedule: z.string().min(1).max(256),
    /** The expression as serverless.yml has it (rate(...) / cron(...)). */
    source: z.string(),
    enabled: z.boolean(),
    /** Delivered to the function as the TIMER event's `user_event`. */
    userEvent: z.string().max(4096).optional(),
  })
  .strict();

export const triggerSchema = z.discriminatedUnion('type', [apigTriggerSchema, timerTriggerSchema]);
export type ApigTrigger = z.infer<typeof apigTriggerSchema>;
export type TimerTrigger = z.infer<typeof timerTriggerSchema>;
export type Trigger = z.infer<typeof triggerSchema>;

/** An event of serverless.yml that the FunctionGraph deploy does not create (with the reason). */
export const manualEventSchema = z.object({ event: z.string(), reason: z.string() }).strict();
export type ManualEvent = z.infer<typeof manualEventSchema>;

export const manifestFunctionSchema = z
  .object({
    /** The function's key in serverless.yml. */
    key: z.string().min(1),
    /** The FunctionGraph function name (serverless.yml `name`, else `<service>-<stage>-<key>`). */
    name: functionNameSchema,
    description: z.string().max(512),
    handler: z.literal(FUNCTIONGRAPH_HANDLER),
    runtime: z.literal(FUNCTIONGRAPH_RUNTIME),
    memoryMB: z.number().int(),
    timeoutSeconds: z.number().int().min(3).max(259_200),
    /** The zip, relative to the manifest: index.js and nothing else. */
    zip: z.string().regex(/^[A-Za-z0-9_-]+\.zip$/),
    codeSha256: z.string().regex(/^[0-9a-f]{64}$/),
    zipBytes: z.number().int().positive(),
    /** Size of index.js. */
    bundleBytes: z.number().int().positive(),
    /** The source map, relative to the manifest, kept out of the zip. */
    sourceMap: z.string().optional(),
    environment: z.record(environmentNameSchema, environmentEntrySchema),
    triggers: z.array(triggerSchema),
    manualEvents: z.array(manualEventSchema),
  })
  .strict();
export type ManifestFunction = z.infer<typeof manifestFunctionSchema>;

export const manifestSchema = z
  .object({
    manifestVersion: z.literal(MANIFEST_VERSION),
    service: z.string().min(1),
    stage: z.string().min(1),
    functions: z.array(manifestFunctionSchema),
  })
  .strict();
export type Manifest = z.infer<typeof manifestSchema>;

/** FunctionGraph memory sizes (MB). */
export const FUNCTIONGRAPH_MEMORY_SIZES: readonly number[] = [128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096];
