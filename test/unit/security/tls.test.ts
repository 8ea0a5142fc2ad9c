/**
 * TLS verification is never turned off (../shared/reliability.md §17): no source or config file of the project
 * may mention the Node TLS kill switch or pass a false rejectUnauthorized.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const THIS_FILE = relative(ROOT, __filename);
/** Everything that runs or ships: the build's esbuild plugins and CI's script too. */
const SOURCE_DIRS = ['functions', 'shared', 'emulator', 'scripts', 'bench', 'test', 'events', 'build', '.ci'];
/** Folders whose every file is scanned, whatever its name (CI's scripts have no extension). */
const ALL_FILES_DIRS = new Set(['.ci']);
const ROOT_CONFIG_FILES = ['serverless.yml', 'package.json', 'tsconfig.json', 'jest.config.js'];
/** serverless.yml sets useDotenv, so the root .env files are configuration too. */
const ROOT_ENV_FILE = /^\.env(\..*)?$/;
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.serverless', '.esbuild', 'coverage', 'dist']);
const SOURCE_FILE = /\.(c|m)?(t|j)sx?$|\.json$|\.ya?ml$|\.env(\..*)?$|\.sh$/;

// Assembled so that this file does not contain the patterns it bans.
const KILL_SWITCH = ['NODE', 'TLS', 'REJECT', 'UNAUTHORIZED'].join('_');
const BANNED: readonly RegExp[] = [new RegExp(KILL_SWITCH), new RegExp(`["']?${'reject'}Unauthorized["']?\\s*[:=]\\s*(false|0|!1|["']false["'])`)];

function walk(dir: string, allFiles = ALL_FILES_DIRS.has(relative(ROOT, dir))): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return []; // a directory that does not exist (yet) holds no files
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    const stats = statSync(path);
    if (stats.isDirectory()) return SKIPPED_DIRS.has(name) ? [] : walk(path, allFiles);
    return allFiles || SOURCE_FILE.test(name) ? [relative(ROOT, path)] : [];
  });
}

function projectFiles(): string[] {
  const files = SOURCE_DIRS.flatMap((dir) => walk(join(ROOT, dir)));
  for (const name of [...ROOT_CONFIG_FILES, ...readdirSync(ROOT).filter((entry) => ROOT_ENV_FILE.test(entry))]) {
    try {
      if (statSync(join(ROOT, name)).isFile()) files.push(name);
    } catch {
      // absent config file: nothing to scan
    }
  }
  return files.filter((file) => file !== THIS_FILE).sort();
}

function findings(text: string): string[] {
  return text
    .split('\n')
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => BANNED.some((pattern) => pattern.test(line)))
    .map(({ line, index }) => `${index + 1}: ${line.trim()}`);
}

describe('Security: TLS verification stays on', () => {
  it('finds the banned patterns in the forms they are written', () => {
    // Prepare
    const samples = [
      `process.env.${KILL_SWITCH} = '0';`,
      `${KILL_SWITCH}=0 node app.js`,
      `new https.Agent({ ${'reject'}Unauthorized: false })`,
      `{ "${'reject'}Unauthorized": false }`,
      `agent.options.${'reject'}Unauthorized = false;`,
      `new https.Agent({ ${'reject'}Unauthorized: true })`,
    ];

    // Act
    const found = samples.map((sample) => findings(sample).length > 0);

    // Assess
    expect(found).toStrictEqual([true, true, true, true, true, false]);
  });

  it('scans the project sources, including the signer, the emulator, the build plugins, CI and the .env files', () => {
    // Prepare
    const expected = ['shared/signing/signer.ts', 'shared/config/env.ts', 'package.json', 'serverless.yml', 'build/esbuild-plugins.js', '.ci/run', '.env.local'];

    // Act
    const files = projectFiles();

    // Assess
    expect(expected.filter((file) => !files.includes(file))).toStrictEqual([]);
    expect(files.some((file) => file.startsWith('emulator/'))).toBe(true);
    expect(files.includes(THIS_FILE)).toBe(false);
  });

  it('finds no file that disables TLS verification', () => {
    // Prepare
    const files = projectFiles();

    // Act
    const offenders = files.flatMap((file) => findings(readFileSync(join(ROOT, file), 'utf8')).map((finding) => `${file}:${finding}`));

    // Assess
    expect(offenders).toStrictEqual([]);
  });
});
