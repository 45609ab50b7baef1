/**
 * Every ```ts block of README.md is a complete file of a user's cdk8s app: its imports are
 * there and whatever it uses is defined, so it copies as-is.
 *
 * The blocks are type-checked with the TypeScript compiler API, all in one program (the
 * library's sources are loaded once), with tsconfig.json's compiler options, whose `paths` map
 * `cdk8s-progressive-delivery` to src/index.ts. Each block is its own module, served from
 * memory in a directory of the repository (so that node_modules resolves). A block whose first
 * line names a file (`// myapp.ts`) is served under that name, beside the others, so
 * `import ... from './myapp'` in a recipe reads the README's own myapp.ts, not examples/.
 * Only the blocks' own diagnostics are asked for (`tsc --noEmit` checks src/ itself); each
 * names the block's index among the ```ts blocks, its first line, the heading it is under and
 * its line in README.md. Two altered copies of a recipe (a misspelled prop, `chart` used but
 * not defined) go into the same program and must fail, so the check cannot pass vacuously.
 *
 * Then every block runs, as `cdk8s synth` would run it, and the README's myapp.ts is compared
 * with examples/myapp.ts, which the examples import.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as exampleMyapp from '../examples/myapp';

const ROOT = path.resolve(__dirname, '..');
const README = path.join(ROOT, 'README.md');
const PACKAGE_NAME = 'cdk8s-progressive-delivery';
/** Where the blocks are served from memory; nothing is written there. Forward slashes, as TypeScript spells paths. */
const BLOCK_DIR = `${ROOT.split(path.sep).join('/')}/.readme-blocks`;

/** Fence languages of README.md other than `ts`: none of them is checked, so none may hold TypeScript. */
const OTHER_LANGUAGES = ['sh', 'diff', 'yaml', 'text', 'xml'];
/** Code of the other jsii languages: built and run against the built packages by `npm run test:packages` (test/packages/). */
const PACKAGE_LANGUAGES = ['python', 'java', 'go'];

/** One fenced code block of README.md. */
interface Fence {
  /** The language after the opening fence ('' when none). */
  readonly lang: string;
  /** README.md line (1-based) of the block's first line of code. */
  readonly line: number;
  readonly code: string;
  /** The heading the block is under. */
  readonly section: string;
}

/** One ```ts block, as served to the compiler. */
interface Block extends Fence {
  /** Its index among the ```ts blocks of README.md, from 0. */
  readonly index: number;
  readonly firstLine: string;
  /** The file it is served as: the name on its first line (`// myapp.ts`), else `block-<index>.ts`. */
  readonly file: string;
}

/** The fenced code blocks of a Markdown text (``` or ~~~ fences, indented ones included). */
function fences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const result: Fence[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    if (/^#{1,6}\s/.test(lines[i])) section = lines[i].replace(/^#+\s*/, '');
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const close = new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`);
    const code: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]); j++) {
      code.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    }
    result.push({ lang, line: i + 2, code: code.join('\n') + '\n', section });
    i = j;
  }
  return result;
}

function tsBlocks(markdown: string): Block[] {
  return fences(markdown).filter((f) => f.lang === 'ts').map((f, index) => {
    const firstLine = f.code.split('\n')[0];
    const named = /^\/\/\s*([\w.-]+\.ts)\s*$/.exec(firstLine);
    return { ...f, index, firstLine, file: named ? named[1] : `block-${index}.ts` };
  });
}

/** Where a block is, for messages: `README.md:<line>, ts block <index> ("<first line>", under "<heading>")`. */
function where(block: Block, lineInBlock = 0): string {
  return `README.md:${block.line + lineInBlock}, ts block ${block.index} (${JSON.stringify(block.firstLine)}, under ${JSON.stringify(block.section)})`;
}

/** tsconfig.json's compiler options, without jest's globals (a user's app has none). */
function compilerOptions(): ts.CompilerOptions {
  const { config, error } = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options, errors } = ts.convertCompilerOptionsFromJson(config.compilerOptions, ROOT, 'tsconfig.json');
  if (errors.length > 0) throw new Error(errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('\n'));
  return { ...options, types: ['node'], noEmit: true };
}

/**
 * Type-checks the blocks in one program; returns one line per diagnostic of a block (or of the
 * options), located in README.md.
 */
function typeCheck(blocks: readonly Block[]): string[] {
  const options = compilerOptions();
  const served = new Map(blocks.map((b) => [`${BLOCK_DIR}/${b.file}`, b]));
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile, directoryExists } = host;
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const block = served.get(fileName);
    return block
      ? ts.createSourceFile(fileName, block.code, languageVersion, true, ts.ScriptKind.TS)
      : getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate);
  };
  host.fileExists = (fileName) => served.has(fileName) || fileExists.call(host, fileName);
  host.readFile = (fileName) => served.get(fileName)?.code ?? readFile.call(host, fileName);
  // Module resolution only looks for `./myapp` in a directory that exists.
  host.directoryExists = (dir) => dir === BLOCK_DIR || (directoryExists?.call(host, dir) ?? ts.sys.directoryExists(dir));

  const program = ts.createProgram({ rootNames: [...served.keys()], options, host });
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const fileName of served.keys()) {
    const sourceFile = program.getSourceFile(fileName)!;
    diagnostics.push(...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile));
  }
  return diagnostics.map((d) => {
    const message = `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    const block = d.file && served.get(d.file.fileName);
    if (!d.file || !block) return `${d.file?.fileName ?? 'tsconfig.json'}: ${message}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    return `${where(block, line)}, column ${character + 1}: ${message}`;
  });
}

/**
 * Runs the blocks as CommonJS, each `./<name>` import served by the block of that name
 * (evaluated once, as node caches modules) and every other import by jest (jest.config.js maps
 * the package name to src/). Returns each block's exports, by file.
 */
function runBlocks(blocks: readonly Block[], eachProgram: (block: Block, run: () => void) => void): Map<string, any> {
  const byFile = new Map(blocks.map((b) => [b.file, b]));
  const loaded = new Map<string, any>();
  const load = (block: Block): any => {
    if (loaded.has(block.file)) return loaded.get(block.file);
    const js = ts.transpileModule(block.code, {
      fileName: block.file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
    }).outputText;
    const module = { exports: {} as any };
    loaded.set(block.file, module.exports);
    const requireFromBlock = (name: string) => {
      if (!name.startsWith('./')) return require(name);
      const dependency = byFile.get(`${name.slice(2)}.ts`);
      if (!dependency) throw new Error(`${where(block)}: imports ${name}, which no block of README.md is`);
      return load(dependency);
    };
    try {
      new Function('exports', 'require', 'module', js)(module.exports, requireFromBlock, module);
    } catch (e) {
      throw new Error(`${where(block)} throws: ${(e as Error).message}`);
    }
    return module.exports;
  };
  for (const block of blocks) {
    if (block.file.startsWith('block-')) eachProgram(block, () => load(block));
    else load(block);
  }
  return loaded;
}

const markdown = fs.readFileSync(README, 'utf-8');
const blocks = tsBlocks(markdown);

test('all TypeScript is in ```ts blocks: no other fence language holds code that escapes the check', () => {
  const misplaced = fences(markdown)
    .filter((f) => f.lang !== 'ts' && !PACKAGE_LANGUAGES.includes(f.lang))
    .filter((f) => !OTHER_LANGUAGES.includes(f.lang)
      || /^\s*import\s.*\sfrom\s+['"]|\bnew\s+(CanaryRelease|BlueGreenRelease|App|Chart)\s*\(/m.test(f.code))
    .map((f) => `README.md:${f.line}: a \`\`\`${f.lang || '(no language)'} block; TypeScript goes in \`\`\`ts (checked), other text in ${OTHER_LANGUAGES.map((l) => `\`\`\`${l}`).join(', ')}`);
  expect(misplaced).toEqual([]);
});

test('the README holds its own myapp.ts, once, and the recipes import it as ./myapp', () => {
  expect(blocks.length).toBeGreaterThan(10);
  expect(blocks.filter((b) => b.file === 'myapp.ts').map((b) => b.index)).toHaveLength(1);
  const files = blocks.map((b) => b.file);
  expect(new Set(files).size).toBe(files.length);
  expect(blocks.filter((b) => /from '\.\/myapp'/.test(b.code)).length).toBeGreaterThan(5);
});

test('tsconfig.json maps the package name to src/index.ts', () => {
  const options = compilerOptions();
  const resolved = ts.resolveModuleName(PACKAGE_NAME, `${BLOCK_DIR}/block.ts`, options, ts.sys).resolvedModule;
  expect(resolved && path.relative(ROOT, resolved.resolvedFileName)).toBe(path.join('src', 'index.ts'));
});

test('every ```ts block type-checks as a file of a cdk8s app that imports the library by its package name', () => {
  // Two controls in the same program (they cost nothing more): a misspelled prop and a block
  // that uses `chart` without defining it must each fail, at the line of README.md they are on.
  const recipe = blocks.find((b) => /^new CanaryRelease\(chart, 'myapp', \{\n  \.\.\.MYAPP_PORTS,$/m.test(b.code) && /^ {2}stable: \{ version/m.test(b.code))!;
  expect(recipe).toBeDefined();
  const controls: Block[] = [
    { ...recipe, index: -1, file: 'control-misspelled-prop.ts', code: recipe.code.replace(/^ {2}stable: /m, '  stabel: ') },
    { ...recipe, index: -2, file: 'control-undefined-chart.ts', code: recipe.code.replace(/^const chart = .*$/m, '') },
  ];
  const lineOf = (code: string, re: RegExp) => recipe.line + code.split('\n').findIndex((l) => re.test(l));

  const diagnostics = typeCheck([...blocks, ...controls]);

  const ofControl = (control: Block) => diagnostics.filter((d) => d.includes(`ts block ${control.index} `));
  expect(ofControl(controls[0]).join('\n')).toContain(`README.md:${lineOf(controls[0].code, /^ {2}stabel: /)}, ts block -1`);
  expect(ofControl(controls[0]).join('\n')).toMatch(/TS2561: .*'stabel'/);
  expect(ofControl(controls[1]).join('\n')).toContain(`README.md:${lineOf(recipe.code, /^new CanaryRelease\(chart/)}, ts block -2`);
  expect(ofControl(controls[1]).join('\n')).toMatch(/TS\d+: Cannot find name 'chart'/);

  expect(diagnostics.filter((d) => !/ts block -\d /.test(d))).toEqual([]);
});

test('every ```ts block runs: each app synthesizes its chart', () => {
  const previous = process.env.CDK8S_OUTDIR;
  const synthesized: string[] = [];
  try {
    runBlocks(blocks, (block, run) => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-block-'));
      process.env.CDK8S_OUTDIR = outdir;
      try {
        run();
        synthesized.push(`${block.index}: ${fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).join(', ')}`);
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    });
  } finally {
    if (previous === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = previous;
  }
  const programs = blocks.filter((b) => b.file.startsWith('block-'));
  // One file per chart the program names, in the order cdk8s lists them (sorted).
  const charts = (code: string) => [...code.matchAll(/new Chart\(app, '([^']+)'/g)].map((m) => `${m[1]}.k8s.yaml`).sort().join(', ');
  expect(synthesized).toEqual(programs.map((b) => `${b.index}: ${charts(b.code)}`));
});

test('examples/myapp.ts exports what the README\'s myapp.ts exports, with the same values', () => {
  const readme = runBlocks(blocks.filter((b) => b.file === 'myapp.ts'), () => undefined).get('myapp.ts');
  const example: Record<string, any> = exampleMyapp;
  const names = Object.keys(readme);
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) {
    expect([name, typeof example[name]]).toEqual([name, typeof readme[name]]);
    // Functions are compared by what they return (the recipes call them without arguments).
    if (typeof readme[name] === 'function') expect([name, example[name]()]).toEqual([name, readme[name]()]);
    else expect([name, example[name]]).toEqual([name, readme[name]]);
  }
});

test('every relative link of the README names a file or folder of this repository', () => {
  const text = fs.readFileSync(README, 'utf-8');
  const targets = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/.test(t));
  expect(targets.length).toBeGreaterThan(5);
  const outside = targets.filter((t) => path.relative(ROOT, path.resolve(ROOT, t)).startsWith('..'));
  const missing = targets.filter((t) => !fs.existsSync(path.resolve(ROOT, t)));
  expect({ outside, missing }).toEqual({ outside: [], missing: [] });
});
