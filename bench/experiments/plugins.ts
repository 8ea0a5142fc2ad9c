/**
 * esbuild plugins that build experimental variants of the production bundles, to measure what a change
 * would buy before anyone makes it. None touches a source file: each rewrites what esbuild loads.
 *
 * - trimAxiosForNode: axios stays and is used as is, but what it never uses here is not loaded:
 *   `form-data` (and through it mime-types/mime-db, 133 KB) and `debug` become stubs, the fetch adapter
 *   (whose module touches globalThis.Request, which loads Node's bundled undici) becomes absent, and
 *   `http2` is required on first use only. Our client sends JSON over node:http/https only.
 * - lazyAxios: axios is required when first used (shared/http/client.ts creates its instance, shared/auth/
 *   iam-token.ts posts), not at load: the ESM source through axios's `unsafe/*` export, so that it is the
 *   same code the eager import bundles.
 * - unmarkedProjectSources: the project sources as written, without build/pure-calls.js's marks.
 *
 * A rewritten source is marked by build/pure-calls.js afterwards, as production would mark it, so a
 * variant differs from the deployed build by its rewrite only.
 */
import type { Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const PROJECT_SOURCE = /\/(shared|functions)\/.*\.ts$/;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pureCallsModule = require('../../build/pure-calls.js') as { markPureCalls: (text: string, fileName?: string) => string };

/** A text transform of one project source file. */
export type SourceRewrite = (text: string, path: string) => string;

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
        return out === text ? undefined : { contents: pureCallsModule.markPureCalls(out, args.path), loader: 'ts' };
      });
    },
  };
}

/** The project sources exactly as written: esbuild keeps every schema and contract of a module it imports. */
export function unmarkedProjectSources(): Plugin {
  return {
    name: 'unmarked-project-sources',
    setup(build) {
      build.onLoad({ filter: PROJECT_SOURCE }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'ts' }));
    },
  };
}

/** The production plugins (build/esbuild-plugins.js), applied one at a time by the experiments. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const production = require('../../build/esbuild-plugins.js') as { trimAxiosForNode: Plugin; axiosLazyGlobalFormData: Plugin };

export function trimAxiosForNode(): Plugin {
  return production.trimAxiosForNode;
}

export function axiosLazyGlobalFormData(): Plugin {
  return production.axiosLazyGlobalFormData;
}
