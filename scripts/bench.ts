/**
 * `npm run bench`: what the library costs over writing the same manifests by hand.
 *
 * Times are CPU time (user + system) of the process over the timed region, which other load on
 * the machine disturbs less than wall-clock time (printed too, for synthesis), and the fastest
 * of the repetitions (other load only ever adds time); memory is the median.
 *
 * 1. Synthesis: N = 50, 200, 500 CanaryReleases (nginx router, four release shapes in turn)
 *    against the floor: the very same manifests as raw cdk8s `ApiObject`s, built from the
 *    library's own JSON (synthesized once per shape, untimed, and renamed per release). Each
 *    side times only construction + `app.synthYaml()` (validation, resolution, YAML), each
 *    (side, N) runs in a fresh process (so peaks are clean), REPS times.
 * 2. Import: `require` of the library against `require('cdk8s-plus-27')`, each in a fresh
 *    process, IMPORT_REPS times.
 *
 * The library is src/ and imports/ compiled ahead of time with swc (the same CommonJS a tsc
 * or jsii build emits) into node_modules/.cache/cdk8s-pd-bench, so no transpiling is timed.
 * Run as `node -r @swc-node/register scripts/bench.ts`; children run the compiled copy of this
 * file with plain node. Options: BENCH_N (e.g. "50,200,500"), BENCH_REPS, BENCH_IMPORT_REPS,
 * BENCH_CPU_PROF=1 (writes a .cpuprofile per library child to the cache directory), BENCH_ENGINE
 * (manifests, argoRollouts or flagger: the engine every release runs under).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Children run the compiled copy of this file, in CACHE/scripts. */
const IN_CACHE = __dirname.includes(path.join('.cache', 'cdk8s-pd-bench'));
const ROOT = IN_CACHE ? path.resolve(__dirname, '..', '..', '..', '..') : path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'cdk8s-pd-bench');
const NS = (process.env.BENCH_N ?? '50,200,500').split(',').map(Number);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const IMPORT_REPS = Number(process.env.BENCH_IMPORT_REPS ?? 9);
const PLACEHOLDER = 'zzbenchzz';
const SHAPES = 4;
/** Which engine every release runs under: manifests (the default), argoRollouts or flagger. */
const ENGINE = process.env.BENCH_ENGINE ?? 'manifests';

// ------------------------------------------------------------------ child side

interface Result {
  /** CPU time (user + system, every thread) of construction + synthesis: robust to other load. */
  readonly ms: number;
  /** Wall-clock time of the same. */
  readonly wallMs: number;
  readonly objects: number;
  readonly baselineRssMb: number;
  readonly peakRssMb: number;
  readonly heapUsedMb: number;
}

function mb(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

/**
 * The props of release `i` of shape `i % SHAPES`, named `name`. Under a rollout controller
 * (BENCH_ENGINE) the same four shapes become what the controller accepts: a plan instead of a
 * weight (header and cookie shapes as an A/B plan), and no canary replicas.
 */
function releaseProps(lib: any, name: string, shape: number): any {
  const traffic = [
    { header: lib.HeaderMatch.exact('stage', 'gray') },
    { weight: 10 },
    { header: lib.HeaderMatch.regex('user-agent', '.*Android.*'), cookie: 'canary', weight: 25, weightTotal: 1000 },
    undefined,
  ][shape];
  const base = {
    name,
    containerPort: 8080,
    servicePort: 80,
    router: lib.TrafficRouter.nginx({ host: `${name}.example.com` }),
    stable: { version: 'v1', image: `${name}:v1`, replicas: 3 },
  };
  if (ENGINE === 'manifests') {
    return { ...base, canary: shape === 3 ? undefined : { version: 'v2', image: `${name}:v2`, replicas: 1, traffic } };
  }
  const { Duration } = require('cdk8s');
  const hour = lib.CanaryStep.pause(Duration.hours(1));
  const total = traffic?.weightTotal ?? 100;
  const abTest = traffic?.header !== undefined;
  const rules = traffic && { header: traffic.header, cookie: traffic.cookie, weightTotal: traffic.weightTotal };
  return {
    ...base,
    engine: ENGINE === 'flagger' ? lib.DeliveryEngine.flagger() : lib.DeliveryEngine.argoRollouts(),
    steps: abTest ? [hour, lib.CanaryStep.shiftTraffic(total)] : [lib.CanaryStep.shiftTraffic(10), hour, lib.CanaryStep.shiftTraffic(100)],
    canary: shape === 3 ? undefined : { version: 'v2', image: `${name}:v2`, traffic: rules },
  };
}

function childSynth(side: 'library' | 'floor', n: number): Result {
  const { ApiObject, App, Chart } = require('cdk8s');
  const lib = require(path.join(CACHE, 'src', 'index.js'));

  // Untimed, on both sides alike (so both start equally warm): synthesize each shape once with
  // the library. The floor keeps that JSON and renames it per release.
  const shapes: string[] = [];
  for (let s = 0; s < SHAPES; s++) {
    const app = new App();
    const chart = new Chart(app, 'bench', { namespace: 'bench' });
    new lib.CanaryRelease(chart, PLACEHOLDER, releaseProps(lib, PLACEHOLDER, s));
    app.synthYaml();
    shapes.push(JSON.stringify(chart.toJson()));
  }
  const floorObjects: any[][] = side === 'floor'
    ? Array.from({ length: n }, (_, i) => JSON.parse(shapes[i % SHAPES].split(PLACEHOLDER).join(`app${i}`)))
    : [];
  const propsList = side === 'library' ? Array.from({ length: n }, (_, i) => i) : [];
  if (global.gc) global.gc();
  const baseline = process.memoryUsage().rss;

  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const app = new App();
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  if (side === 'library') {
    for (const i of propsList) new lib.CanaryRelease(chart, `app${i}`, releaseProps(lib, `app${i}`, i % SHAPES));
  } else {
    floorObjects.forEach((objects, i) => objects.forEach((json, j) => new ApiObject(chart, `r${i}-${j}`, json)));
  }
  const yaml: string = app.synthYaml();
  const cpu = process.cpuUsage(c0);
  const t1 = process.hrtime.bigint();

  return {
    ms: (cpu.user + cpu.system) / 1000,
    wallMs: Number(t1 - t0) / 1e6,
    objects: (yaml.match(/^kind: /gm) ?? []).length,
    baselineRssMb: mb(baseline),
    peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    heapUsedMb: mb(process.memoryUsage().heapUsed),
  };
}

function childImport(target: 'library' | 'cdk8s-plus-27'): { ms: number } {
  const c0 = process.cpuUsage();
  require(target === 'library' ? path.join(CACHE, 'src', 'index.js') : 'cdk8s-plus-27');
  const cpu = process.cpuUsage(c0);
  return { ms: (cpu.user + cpu.system) / 1000 };
}

// ------------------------------------------------------------------ parent side

/** Compiles src/ (every folder), imports/ and this script with swc into CACHE (only what changed). */
function compile(): void {
  const swc = require('@swc/core');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(rel);
    }
  };
  for (const dir of ['src', 'imports', 'scripts']) walk(dir);
  for (const rel of files) {
    const src = path.join(ROOT, rel);
    const out = path.join(CACHE, rel.replace(/\.ts$/, '.js'));
    if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs) continue;
    const { code } = swc.transformFileSync(src, {
      jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2020' },
      module: { type: 'commonjs' },
      sourceMaps: false,
    });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, code);
  }
}

function runChild(args: string[], nodeArgs: string[] = []): any {
  const r = spawnSync(process.execPath, [...nodeArgs, path.join(CACHE, 'scripts', 'bench.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const fmt = (x: number, digits = 0) => x.toFixed(digits);

function parent(): void {
  process.stdout.write('compiling src/ and imports/ with swc into node_modules/.cache/cdk8s-pd-bench ... ');
  compile();
  console.log('done');
  console.log(`node ${process.version}, ${require('os').cpus().length} CPUs, load average ${require('os').loadavg()[0].toFixed(2)}; ${REPS} fresh processes per (side, N): fastest time, median memory\n`);

  const rows: Array<{ n: number; lib: Result; floor: Result }> = [];
  for (const n of NS) {
    const runs: Record<string, Result[]> = { library: [], floor: [] };
    for (let r = 0; r < REPS; r++) {
      for (const side of ['floor', 'library'] as const) {
        const prof = process.env.BENCH_CPU_PROF && side === 'library' ? ['--cpu-prof', `--cpu-prof-dir=${CACHE}/profiles`] : [];
        runs[side].push(runChild(['synth', side, String(n)], ['--expose-gc', ...prof]));
      }
    }
    // Times: the fastest run (other load only ever adds time); memory: the median.
    const pick = (side: string): Result => ({
      ms: Math.min(...runs[side].map((x) => x.ms)),
      wallMs: Math.min(...runs[side].map((x) => x.wallMs)),
      objects: runs[side][0].objects,
      baselineRssMb: median(runs[side].map((x) => x.baselineRssMb)),
      peakRssMb: median(runs[side].map((x) => x.peakRssMb)),
      heapUsedMb: median(runs[side].map((x) => x.heapUsedMb)),
    });
    const lib = pick('library');
    const floor = pick('floor');
    if (lib.objects !== floor.objects) throw new Error(`N=${n}: the library emitted ${lib.objects} objects, the floor ${floor.objects}`);
    rows.push({ n, lib, floor });
  }

  console.log(`synthesis: construction + app.synthYaml(), nginx router, ${ENGINE} engine; CPU ms (wall ms in parentheses)`);
  console.log('     N  objects     library ms       floor ms  time ratio   lib ms/release  lib peak RSS MB (+over import)  floor peak RSS MB (+over import)  RSS ratio');
  for (const { n, lib, floor } of rows) {
    const libGrowth = lib.peakRssMb - lib.baselineRssMb;
    const floorGrowth = floor.peakRssMb - floor.baselineRssMb;
    console.log([
      fmt(n).padStart(6), fmt(lib.objects).padStart(8), `${fmt(lib.ms)} (${fmt(lib.wallMs)})`.padStart(14), `${fmt(floor.ms)} (${fmt(floor.wallMs)})`.padStart(14), fmt(lib.ms / floor.ms, 2).padStart(11),
      fmt(lib.ms / n, 2).padStart(16),
      `${fmt(lib.peakRssMb)} (+${fmt(libGrowth)})`.padStart(32), `${fmt(floor.peakRssMb)} (+${fmt(floorGrowth)})`.padStart(34),
      fmt(lib.peakRssMb / floor.peakRssMb, 2).padStart(10),
    ].join(' '));
  }
  const first = rows[0];
  const last = rows[rows.length - 1];
  const perRelease = (r: { n: number; lib: Result }) => r.lib.ms / r.n;
  console.log(`\nlinearity: library ms per release at N=${last.n} / at N=${first.n} = ${fmt(perRelease(last) / perRelease(first), 2)} (1.00 is linear; below 1, fixed costs amortized)`);
  console.log(`           floor ms per object at N=${last.n} / at N=${first.n} = ${fmt((last.floor.ms / last.floor.objects) / (first.floor.ms / first.floor.objects), 2)}`);

  const imports: Record<string, number[]> = { 'library': [], 'cdk8s-plus-27': [] };
  for (let r = 0; r < IMPORT_REPS; r++) {
    for (const target of ['cdk8s-plus-27', 'library']) imports[target].push(runChild(['import', target]).ms);
  }
  const libImport = Math.min(...imports.library);
  const plusImport = Math.min(...imports['cdk8s-plus-27']);
  console.log(`\nimport: require() in a fresh process, CPU ms, fastest of ${IMPORT_REPS} (medians: ${fmt(median(imports['cdk8s-plus-27']), 1)} and ${fmt(median(imports.library), 1)})`);
  console.log(`  cdk8s-plus-27  ${fmt(plusImport, 1)} ms`);
  console.log(`  library        ${fmt(libImport, 1)} ms (cdk8s-plus-27 included: the library requires it)`);
  console.log(`  overhead       ${fmt((libImport / plusImport - 1) * 100, 1)}% over require('cdk8s-plus-27')`);

  const ratio500 = rows.find((r) => r.n === 500);
  console.log('\ntargets:');
  if (ratio500) console.log(`  time ratio at N=500 <= 1.5: ${fmt(ratio500.lib.ms / ratio500.floor.ms, 2)} ${ratio500.lib.ms / ratio500.floor.ms <= 1.5 ? 'met' : 'MISSED'}`);
  console.log(`  linear in N (per-release ratio <= 1.25): ${fmt(perRelease(last) / perRelease(first), 2)} ${perRelease(last) / perRelease(first) <= 1.25 ? 'met' : 'MISSED'}`);
  console.log(`  import overhead <= 10%: ${fmt((libImport / plusImport - 1) * 100, 1)}% ${libImport / plusImport - 1 <= 0.1 ? 'met' : 'MISSED'}`);
}

if (process.argv[2] === 'synth') {
  console.log(JSON.stringify(childSynth(process.argv[3] as 'library' | 'floor', Number(process.argv[4]))));
} else if (process.argv[2] === 'import') {
  console.log(JSON.stringify(childImport(process.argv[3] as 'library' | 'cdk8s-plus-27')));
} else {
  parent();
}
