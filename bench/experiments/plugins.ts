/**
 * esbuild plugins that build experimental variants of the production bundles, to measure what a change
 * would buy before anyone makes it. None touches a source file: each rewrites what esbuild loads.
 *
 * - zodNamespaceImport: `import { z } from 'zod'` → `import * as z from 'zod'` in project files (the
 *   same API; esbuild can then drop the parts of zod never used, the 40-odd locales among them).
 * - trimAxiosForNode: axios stays and is used as is, but what it never uses here is not loaded:
 *   `form-data` (and through it mime-types/mime-db, 133 KB) and `debug` become stubs, the fetch adapter
 *   (whose module touches globalThis.Request, which loads Node's bundled undici) becomes absent, and
 *   `http2` is required on first use only. Our client sends JSON over node:http/https only.
 * - lazyAxios: axios is required when first used (shared/http/client.ts creates its instance, shared/auth/
 *   iam-token.ts posts), not at load: the ESM source through axios's `unsafe/*` export, so that it is the
 *   same code the eager import bundles.
 */
import type { Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const PROJECT_SOURCE = /\/(shared|functions)\/.*\.ts$/;

/** A text transform of one project source file. */
export type SourceRewrite = (text: string, path: string) => string;

/** `import { z } from 'zod'` → `import * as z from 'zod'`. */
export const zodNamespaceImport: SourceRewrite = (text) => text.replace(/import \{ z \} from 'zod';/g, "import * as z from 'zod';");

/** `import axios(, { types })? from 'axios'` → the types, and a proxy that requires axios on first use. */
export const lazyAxios: SourceRewrite = (text) =>
  text.replace(/import axios(?:, \{([^}]*)\})? from 'axios';/, (_all, types: string | undefined) =>
    `${types ? `import {${types}} from 'axios';\n` : ''}` +
    "const axios: typeof import('axios').default = new Proxy({} as never, {" +
    " get: (_target, key) => (require('axios/unsafe/axios.js') as typeof import('axios')).default[key as never] });",
  );

/** The schedules' page walks use entries/collect-all-speculative.ts (first `concurrency` pages at once). */
export const speculativeFirstPages: SourceRewrite = (text, path) =>
  /\/shared\/schedules\//.test(path)
    ? text.replace(
        "import { collectAll } from '../http/paginate';",
        `import { collectAllSpeculative as collectAll } from ${JSON.stringify(join(__dirname, 'entries', 'collect-all-speculative'))};`,
      )
    : text;

/** Applies the rewrites to every project source esbuild loads (shared/, functions/). */
export function rewriteProjectSources(...rewrites: SourceRewrite[]): Plugin {
  return {
    name: 'rewrite-project-sources',
    setup(build) {
      build.onLoad({ filter: PROJECT_SOURCE }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        const out = rewrites.reduce((t, rewrite) => rewrite(t, args.path), text);
        return out === text ? undefined : { contents: out, loader: 'ts' };
      });
    },
  };
}

const STUBS: Record<string, string> = {
  'form-data': 'module.exports = class FormData {};',
  debug: 'module.exports = function debug() { return function noop() {}; };',
  http2:
    "let real; const load = () => (real ??= require('node:http2'));" +
    ' module.exports = new Proxy({}, { get: (_t, key) => (key === "__esModule" ? undefined : load()[key]), has: (_t, key) => key in load() });',
  'axios-fetch-adapter': 'export const getFetch = () => undefined; export default undefined;',
};

export function trimAxiosForNode(): Plugin {
  return {
    name: 'trim-axios-for-node',
    setup(build) {
      build.onResolve({ filter: /^(form-data|debug|http2)$/ }, (args) => ({ path: args.path, namespace: 'bench-stub' }));
      build.onResolve({ filter: /(^|\/)fetch\.js$/ }, (args) =>
        /\/node_modules\/axios\/lib\/adapters\//.test(args.importer) ? { path: 'axios-fetch-adapter', namespace: 'bench-stub' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'bench-stub' }, (args) => ({
        contents: STUBS[args.path] ?? '',
        loader: 'js',
        resolveDir: process.cwd(),
      }));
    },
  };
}

/**
 * axios's utils.js reads `globalThis.FormData` at load, which makes Node 20 load its bundled undici
 * (~10 ms). This moves that read into `isFormData`, after the checks that already rule out everything but
 * objects with an `append` method, so a JSON client never makes it. A patch of axios's source at bundle
 * time: it fails the build if the text it patches changes.
 */
export function axiosLazyGlobalFormData(): Plugin {
  const declaration = "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;";
  const eagerCheck = '  if (FormDataCtor && thing instanceof FormDataCtor) return true;\n';
  const appendCheck = '  if (!isFunction(thing.append)) return false;\n';
  return {
    name: 'axios-lazy-global-form-data',
    setup(build) {
      build.onLoad({ filter: /\/node_modules\/axios\/lib\/utils\.js$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes(declaration) || !text.includes(eagerCheck) || !text.includes(appendCheck)) {
          throw new Error('axios-lazy-global-form-data: axios/lib/utils.js changed; the patch no longer applies');
        }
        const lazyCheck =
          appendCheck +
          "  if (FormDataCtor === null) FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;\n" +
          '  if (FormDataCtor && thing instanceof FormDataCtor) return true;\n';
        return { contents: text.replace(declaration, 'let FormDataCtor = null;').replace(eagerCheck, '').replace(appendCheck, lazyCheck), loader: 'js' };
      });
    },
  };
}
