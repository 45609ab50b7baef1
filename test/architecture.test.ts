/**
 * The layout of src/ (docs/ARCHITECTURE.md): a folder per concept, `src/index.ts` only
 * re-exports, and no import cycle between files, type-only imports included.
 */
import * as fs from 'fs';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const madge = require('madge') as (dir: string, config: object) => Promise<{ circular(): string[][] }>;

const ROOT = path.resolve(__dirname, '..');

/** Import cycles among the .ts files under `dir`, counting `import type` too. */
async function cycles(dir: string): Promise<string[][]> {
  const result = await madge(dir, {
    fileExtensions: ['ts'],
    tsConfig: path.join(ROOT, 'tsconfig.json'),
    detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
  });
  return result.circular();
}

jest.setTimeout(60_000);

test('no file of src/ imports itself through others, type-only imports included', async () => {
  expect(await cycles(path.join(ROOT, 'src'))).toEqual([]);
});

test('the cycle check sees a cycle made of a type-only import', async () => {
  expect(await cycles(path.join(ROOT, 'test', 'fixtures', 'type-cycle'))).toEqual([['a.ts', 'b.ts']]);
});

test('src/index.ts only re-exports, and every other source file sits in a concept folder', () => {
  const index = fs.readFileSync(path.join(ROOT, 'src', 'index.ts'), 'utf8').trim().split('\n');
  expect(index.filter((line) => !/^export (\*|\{[^}]+\}) from '\.\/[a-z/-]+';$/.test(line))).toEqual([]);
  const top = fs.readdirSync(path.join(ROOT, 'src'), { withFileTypes: true });
  expect(top.filter((e) => e.isFile()).map((e) => e.name)).toEqual(['index.ts']);
  expect(top.filter((e) => e.isDirectory()).map((e) => e.name).sort())
    .toEqual(['analysis', 'engines', 'private', 'releases', 'routing', 'workload']);
});
