/**
 * Each function bundle keeps only the schemas and contracts it uses.
 *
 * esbuild drops an unused top-level `const` only when it can prove its initialiser has no side effects.
 * A schema such as `z.string().check(z.minLength(1))` is a chain of calls, and esbuild can't see into them:
 * zod marks its constructors `@__NO_SIDE_EFFECTS__`, but esbuild honours that mark within one file only.
 * Without help, every function would carry and build every schema of every module it imports: all four
 * DataArts operations for a function that calls one, each timer's whole configuration for another timer.
 *
 * This plugin marks, in our own modules (shared/ and functions/), the calls that only build a value as
 * `@__PURE__`. Those are zod's schema and check constructors, and `defineOperation` (which returns its
 * argument). esbuild may then drop whatever of them a bundle never reads. Calls that do work (z.parse,
 * z.toJSONSchema, config) are not in the list. A call not in the list stays as it is, which is the safe
 * default: it is kept. Only calls written `z.<name>(...)` (zod imported as `z`, as every module does) or
 * `defineOperation(...)` are marked.
 *
 * The calls are found in TypeScript's syntax tree, and the marks are inserted as text, so the result checks
 * itself: with annotations ignored, each marked module must minify to exactly the same code as the module
 * as written, or the build fails naming the file. Columns in source maps shift by the inserted comments;
 * lines don't.
 *
 * CommonJS on purpose: serverless-esbuild requires build/esbuild-plugins.js, which includes this, as is.
 */
const { readFile } = require('node:fs/promises');
const { join, relative, sep } = require('node:path');
const { transform } = require('esbuild');

const ROOT = join(__dirname, '..');

/** zod/mini constructors: each returns a new schema or check and touches nothing else. */
const PURE_ZOD = new Set([
  '_default', 'any', 'array', 'bigint', 'boolean', 'catch', 'catchall', 'check', 'coerce.bigint', 'coerce.boolean',
  'coerce.date', 'coerce.number', 'coerce.string', 'custom', 'date', 'discriminatedUnion', 'e164', 'email', 'endsWith',
  'enum', 'exactOptional', 'extend', 'gt', 'gte', 'hostname', 'includes', 'int', 'intersection', 'ipv4', 'ipv6',
  'iso.date', 'iso.datetime', 'iso.duration', 'iso.time', 'json', 'keyof', 'lazy', 'length', 'literal', 'looseObject',
  'lowercase', 'lt', 'lte', 'map', 'maxLength', 'maxSize', 'mime', 'minLength', 'minSize', 'multipleOf', 'nan',
  'negative', 'never', 'nonnegative', 'nonoptional', 'nonpositive', 'normalize', 'null', 'nullable', 'nullish',
  'number', 'object', 'omit', 'optional', 'overwrite', 'partial', 'pick', 'pipe', 'positive', 'prefault', 'property',
  'readonly', 'record', 'refine', 'regex', 'required', 'safeExtend', 'set', 'size', 'startsWith', 'strictObject',
  'string', 'stringbool', 'superRefine', 'templateLiteral', 'toLowerCase', 'toUpperCase', 'transform', 'trim', 'tuple',
  'undefined', 'union', 'unknown', 'uppercase', 'url', 'uuid', 'void', 'xor',
]);

/**
 * Our own value builders: defineOperation returns its argument, textSchema (shared/contracts/text.ts) builds a
 * zod schema, and so does listOf (shared/contracts/fields.ts), which also notes its item schema for the OpenAPI
 * document: a list no bundle reads is missed by nothing.
 */
const PURE_OWN = new Set(['defineOperation', 'textSchema', 'listOf']);

const MARK = '/* @__PURE__ */ ';

/** `z.string`, `z.iso.datetime` → 'string', 'iso.datetime'; anything not reached through `z.` → undefined. */
function zodMember(ts, callee) {
  const names = [];
  let node = callee;
  while (ts.isPropertyAccessExpression(node)) {
    names.unshift(node.name.text);
    node = node.expression;
  }
  return ts.isIdentifier(node) && node.text === 'z' && names.length > 0 ? names.join('.') : undefined;
}

/**
 * The module's text with every listed call marked pure. The calls are found in the syntax tree (never in
 * strings or comments); a chain such as `z.string().check(...)` gets one mark, which covers the whole chain.
 */
function markPureCalls(text, fileName = 'module.ts') {
  // Loaded here: only a production build needs the TypeScript parser.
  const ts = require('typescript');
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const starts = new Set();
  const visit = (node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const member = zodMember(ts, callee);
      if ((member !== undefined && PURE_ZOD.has(member)) || (ts.isIdentifier(callee) && PURE_OWN.has(callee.text))) starts.add(node.getStart(source));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let marked = '';
  let from = 0;
  for (const at of [...starts].sort((a, b) => a - b)) {
    marked += text.slice(from, at) + MARK;
    from = at;
  }
  return marked + text.slice(from);
}

/** Throws unless `marked` is `original` plus annotations: both minify to the same code with them ignored. */
async function checkOnlyMarked(file, original, marked, loader) {
  const minified = async (code) => (await transform(code, { loader, minifyWhitespace: true, ignoreAnnotations: true, sourcefile: file })).code;
  const [before, after] = await Promise.all([minified(original), minified(marked)]);
  if (before !== after) {
    throw new Error(`pure-calls: marking ${file} changed more than comments (a listed call inside a string, template or comment?); review build/pure-calls.js`);
  }
}

/** Our modules: TypeScript under shared/ and functions/ (not node_modules, not the tests). */
const OWN_MODULE = /\.ts$/;
const isOwnModule = (path) => {
  const rel = relative(ROOT, path);
  return !rel.startsWith('..') && (rel.startsWith(`shared${sep}`) || rel.startsWith(`functions${sep}`)) && !rel.includes(`node_modules${sep}`);
};

/** @type {import('esbuild').Plugin} */
const pureCalls = {
  name: 'pure-calls',
  setup(build) {
    build.onLoad({ filter: OWN_MODULE }, async (args) => {
      if (!isOwnModule(args.path)) return undefined;
      const original = await readFile(args.path, 'utf8');
      const marked = markPureCalls(original, args.path);
      if (marked === original) return undefined;
      const loader = 'ts';
      await checkOnlyMarked(relative(ROOT, args.path), original, marked, loader);
      return { contents: marked, loader };
    });
  },
};

module.exports = { pureCalls, markPureCalls, checkOnlyMarked };
