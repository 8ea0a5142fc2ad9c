/**
 * build/pure-calls.js: our schema and contract definitions are marked pure, so each production bundle keeps
 * only the upstream operations (and schemas) its function uses.
 *
 *  - The marking: listed zod constructors and `defineOperation` get one mark per call chain; calls that do
 *    work, other receivers, strings, templates, regular expressions and comments are left as written.
 *  - The self-check: a marked module must minify to the module as written; anything else fails the build
 *    naming the file.
 *  - The bundles: every function of serverless.yml carries the contracts of exactly the operations it
 *    calls; without the plugin, each carries every operation of the services it imports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { readServiceSettings, ROOT } from '../../../bench/lib/build';

interface PureCallsModule {
  readonly pureCalls: Plugin;
  readonly markPureCalls: (text: string, fileName?: string) => string;
  readonly checkOnlyMarked: (file: string, original: string, marked: string, loader: 'ts') => Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pureCalls, markPureCalls, checkOnlyMarked } = require('../../../build/pure-calls.js') as PureCallsModule;

const MARK = '/* @__PURE__ */ ';

describe('markPureCalls', () => {
  it('marks each listed zod constructor chain once, and defineOperation', () => {
    const written = [
      "const name = z.string().check(z.minLength(1), z.maxLength(8));",
      'const when = z.optional(z.iso.datetime());',
      'const count = z.coerce.number();',
      'export const op = defineOperation({ response: z.object({ name, at: `${z.string()}` }) });',
    ].join('\n');
    expect(markPureCalls(written)).toBe(
      [
        `const name = ${MARK}z.string().check(${MARK}z.minLength(1), ${MARK}z.maxLength(8));`,
        `const when = ${MARK}z.optional(${MARK}z.iso.datetime());`,
        `const count = ${MARK}z.coerce.number();`,
        `export const op = ${MARK}defineOperation({ response: ${MARK}z.object({ name, at: \`\${${MARK}z.string()}\` }) });`,
      ].join('\n'),
    );
  });

  it('leaves calls that do work, other receivers, strings, templates, regular expressions and comments as written', () => {
    const written = [
      'const parsed = z.parse(schema, input);',
      'z.config({ jitless: true });',
      'const json = z.toJSONSchema(schema);',
      'schema.safeParse(input);',
      'const other = client.z.string();',
      "const quoted = 'z.string()';",
      'const template = `z.object({})`;',
      'const pattern = /z.string()/;',
      '// z.string() in a line comment',
      '/* z.optional(x) and defineOperation({}) in a block comment */',
      'type T = z.infer<typeof schema>;',
      'export function defineOperation<C>(contract: C): C { return contract; }',
    ].join('\n');
    expect(markPureCalls(written)).toBe(written);
  });

  it('marks every module of shared/ and functions/ so that it minifies to the module as written', async () => {
    const modules = ['shared', 'functions'].flatMap((dir) => readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).map((file) => join(dir, file)));
    expect(modules).toContain(join('shared', 'contracts', 'dataarts.ts'));
    let marks = 0;
    for (const module of modules) {
      const written = readFileSync(join(ROOT, module), 'utf8');
      const marked = markPureCalls(written, module);
      marks += marked.split(MARK).length - 1;
      await expect(checkOnlyMarked(module, written, marked, 'ts')).resolves.toBeUndefined();
    }
    expect(marks).toBeGreaterThan(modules.length);
  });
});

describe('checkOnlyMarked', () => {
  it('fails, naming the file, when the text changed beyond comments', async () => {
    const original = "const hint = 'call z.string() first';\n";
    const changed = `const hint = 'call ${MARK}z.string() first';\n`;
    await expect(checkOnlyMarked('shared/hint.ts', original, changed, 'ts')).rejects.toThrow(
      'pure-calls: marking shared/hint.ts changed more than comments (a listed call inside a string, template or comment?); review build/pure-calls.js',
    );
  });
});

/** The operation names (OperationContract.name) of every contract in shared/contracts. */
const OPERATIONS = [
  'ListFactoryPendingItems',
  'CreateFactoryPendingItemsPackage',
  'ListFactoryReleasePackages',
  'ShowFactoryPackageDetail',
  'StartDeployTask',
  'ListDeployTaskHistoryByDate',
  'RejectManualReview',
  'ShowPipelineRunDetail',
] as const;

/** What each function calls upstream, by design (its handler and the shared modules it runs). */
const CALLED: Record<string, readonly (typeof OPERATIONS)[number][]> = {
  listPendingItems: ['ListFactoryPendingItems'],
  // check its items are not packaged yet, publish, then find the package it made (and its detail) for the answer and for a replayed retry
  publishReleasePackage: ['ListFactoryPendingItems', 'CreateFactoryPendingItemsPackage', 'ListFactoryReleasePackages', 'ShowFactoryPackageDetail'],
  queryReleasePackages: ['ListFactoryReleasePackages'],
  startDeployTask: ['StartDeployTask'],
  rejectManualReview: ['RejectManualReview', 'ShowPipelineRunDetail'],
  // pipelineGate's gate, for events sent over HTTP
  pipelineEventWebhook: ['ShowFactoryPackageDetail', 'RejectManualReview', 'ShowPipelineRunDetail'],
  openapi: [],
  releaseCheck: ['ListFactoryReleasePackages'],
  releaseTrain: ['ListFactoryPendingItems', 'CreateFactoryPendingItemsPackage', 'ListFactoryReleasePackages', 'ShowFactoryPackageDetail'],
  deployWindow: ['StartDeployTask', 'ListDeployTaskHistoryByDate'],
  pipelineGate: ['ShowFactoryPackageDetail', 'RejectManualReview', 'ShowPipelineRunDetail'],
};

async function operationsInBundles(settings: BuildOptions): Promise<Record<string, string[]>> {
  const { functions } = readServiceSettings();
  const result = await build({
    ...settings,
    entryPoints: functions.map((fn) => ({ in: join(ROOT, fn.entry), out: fn.name })),
    outdir: join(ROOT, 'bench', '.work', 'pure-calls-test'),
    sourcemap: false,
    write: false,
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  const found: Record<string, string[]> = {};
  for (const file of result.outputFiles) {
    const name = /([^/\\]+)\.js$/.exec(file.path)?.[1] as string;
    found[name] = OPERATIONS.filter((operation) => file.text.includes(`"${operation}"`));
  }
  return found;
}

describe('the production bundles', () => {
  it('carry the contracts of exactly the operations their function calls', async () => {
    const { esbuild } = readServiceSettings();
    expect(esbuild.plugins).toContain(pureCalls);
    expect(await operationsInBundles(esbuild)).toStrictEqual(Object.fromEntries(Object.entries(CALLED).map(([fn, ops]) => [fn, OPERATIONS.filter((op) => ops.includes(op))])));
  });

  it('without the plugin, carry every operation of each service they import', async () => {
    const { esbuild } = readServiceSettings();
    const found = await operationsInBundles({ ...esbuild, plugins: esbuild.plugins?.filter((plugin) => plugin !== pureCalls) });
    expect(found.listPendingItems).toStrictEqual(['ListFactoryPendingItems', 'CreateFactoryPendingItemsPackage', 'ListFactoryReleasePackages', 'ShowFactoryPackageDetail']);
    expect(found.startDeployTask).toStrictEqual(['StartDeployTask', 'ListDeployTaskHistoryByDate']);
  });
});
