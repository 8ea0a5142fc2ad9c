/**
 * zod is configured (English messages, jitless) by shared/zod-config.ts, which must run before any schema
 * is built: every module under shared/ and functions/ that builds schemas with zod/mini imports it first.
 * The schemas still parse without it, but a module that forgets would build objects that compile parsers
 * with `new Function` at cold start, and a bundle whose first schema module forgets answers 4xx without
 * messages.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('Schemas: zod is configured first', () => {
  it('every module that imports zod/mini values imports shared/zod-config.ts before anything else', () => {
    // Prepare
    const files = [...sources(join(ROOT, 'shared')), ...sources(join(ROOT, 'functions'))].filter((file) => !file.endsWith('zod-config.ts'));

    // Act
    const building = files.filter((file) => /^import \* as z from 'zod\/mini';$/m.test(readFileSync(file, 'utf8')));
    const offenders = building
      .filter((file) => {
        const firstImport = readFileSync(file, 'utf8').split('\n').find((line) => line.startsWith('import '));
        return !/^import '(\.\.?\/)+(shared\/)?zod-config';$/.test(firstImport ?? '');
      })
      .map((file) => relative(ROOT, file));

    // Assess
    expect(building.length).toBeGreaterThan(10);
    expect(offenders).toStrictEqual([]);
  });
});
