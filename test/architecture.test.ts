/**
 * The layout of src/ (docs/ARCHITECTURE.md): a folder per concept, `src/index.ts` only
 * re-exports, and no import cycle between files, type-only imports included.
 */
import * as fs from 'fs';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const madge = require('madge') as (dir: string, config: object) => Promise<{ circular(): string[][]; obj(): { [file: string]: string[] } }>;

const ROOT = path.resolve(__dirname, '..');

/** The import graph of the .ts files under `dir`, counting `import type` too. */
function graph(dir: string) {
  return madge(dir, {
    fileExtensions: ['ts'],
    tsConfig: path.join(ROOT, 'tsconfig.json'),
    detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
  });
}

/** Import cycles among the .ts files under `dir`. */
async function cycles(dir: string): Promise<string[][]> {
  return (await graph(dir)).circular();
}

/** The concept folders, top down (docs/ARCHITECTURE.md): a file imports only from folders below its own. */
const LAYERS = ['testing', 'releases', 'engines', 'routing', 'analysis', 'workload', 'validation', 'private'];

jest.setTimeout(60_000);

let src: Awaited<ReturnType<typeof graph>>;
beforeAll(async () => {
  src = await graph(path.join(ROOT, 'src'));
});

test('no file of src/ imports itself through others, type-only imports included', () => {
  expect(src.circular()).toEqual([]);
});

test('the cycle check sees a cycle made of a type-only import', async () => {
  expect(await cycles(path.join(ROOT, 'test', 'fixtures', 'type-cycle'))).toEqual([['a.ts', 'b.ts']]);
});

test('every import between concept folders goes down the layers: testing, releases, engines, routing, analysis, workload, validation, private', () => {
  const upward: string[] = [];
  for (const [file, imports] of Object.entries(src.obj())) {
    const from = LAYERS.indexOf(file.split('/')[0]);
    if (from < 0) continue; // index.ts re-exports every layer
    for (const target of imports) {
      const to = LAYERS.indexOf(target.split('/')[0]);
      if (to >= 0 && to < from) upward.push(`${file} -> ${target}`);
    }
  }
  expect(upward).toEqual([]);
});

test('the route simulator (src/testing) reads only manifests: it imports nothing of the library but src/private, so it can disagree with the renderers', () => {
  const imports = Object.entries(src.obj())
    .filter(([file]) => file.startsWith('testing/'))
    .flatMap(([file, targets]) => targets.filter((t) => !t.startsWith('testing/') && !t.startsWith('private/')).map((t) => `${file} -> ${t}`));
  expect(imports).toEqual([]);
  expect(Object.keys(src.obj()).filter((file) => file.startsWith('testing/')).length).toBeGreaterThan(0);
});

test('src/index.ts only re-exports, and every other source file sits in a concept folder', () => {
  const index = fs.readFileSync(path.join(ROOT, 'src', 'index.ts'), 'utf8').trim().split('\n');
  expect(index.filter((line) => !/^export (\*|\{[^}]+\}) from '\.\/[a-z/-]+';$/.test(line))).toEqual([]);
  const top = fs.readdirSync(path.join(ROOT, 'src'), { withFileTypes: true });
  expect(top.filter((e) => e.isFile()).map((e) => e.name)).toEqual(['index.ts']);
  expect(top.filter((e) => e.isDirectory()).map((e) => e.name).sort())
    .toEqual(['analysis', 'engines', 'private', 'releases', 'routing', 'testing', 'validation', 'workload']);
});
