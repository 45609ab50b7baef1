/**
 * The routing report beside the YAML: per release and route, the rules in order, which requests
 * go to which version with which share, the plan and the step reached, who owns the weights, and
 * what the last step or the cut-over changes. Written from the release's routing record, never
 * changing the YAML.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration, Testing, YamlOutputType } from 'cdk8s';
import {
  BlueGreenColor, BlueGreenRelease, BlueGreenReleaseProps, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine,
  AppProtocol, HeaderMatch, PathMatch, RoutingReport, TrafficRouter,
} from '../../src';
import { synthValid } from '../util';

const ports = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };
const PLAN = [
  CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(2)),
  CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(4)),
  CanaryStep.shiftTraffic(100),
];

function canaryChart(props: Partial<CanaryReleaseProps>, chart: Chart = Testing.chart()): Chart {
  new CanaryRelease(chart, 'myapp', { ...ports, router: TrafficRouter.istio({ hosts: ['myapp.example.com'] }), stable: v1, ...props });
  return chart;
}

function canaryReport(props: Partial<CanaryReleaseProps>): string {
  return RoutingReport.markdown(canaryChart(props));
}

function blueGreenReport(props: Partial<BlueGreenReleaseProps>): string {
  const chart = Testing.chart();
  new BlueGreenRelease(chart, 'myapp', {
    ...ports, router: TrafficRouter.nginx({ host: 'myapp.example.com' }), blue: v1, green: v2, active: BlueGreenColor.BLUE, previewHost: 'preview.myapp.example.com', ...props,
  });
  return RoutingReport.markdown(chart);
}

/** The table rows of a report (`| 1 | ... |`), cells trimmed. */
function rows(markdown: string): string[][] {
  return markdown.split('\n').filter((l) => /^\| \d+ \|/.test(l)).map((l) => l.slice(2, -2).split(' | ').map((c) => c.trim()));
}

/** The route table's rows of a report: rule, match, goes to, mirror, sticky. */
function rules(markdown: string): string[][] {
  const section = markdown.split('### Plan')[0];
  return rows(section).map((r) => r.slice(1));
}

const made: string[] = [];
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A fresh output directory, removed after the tests. */
function tmpdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routing-report-'));
  made.push(dir);
  return dir;
}

test('the whole report of a header, cookie and sticky canary at a step of its plan, on Istio', () => {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  canaryChart({
    steps: PLAN,
    canary: { ...v2, step: 2, traffic: { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', sticky: true } },
  }, chart);
  expect(RoutingReport.markdown(chart)).toMatchSnapshot();
});

test('the rules are listed in the order a request tries them: header, cookie always, cookie never, weighted', () => {
  const report = canaryReport({ canary: { ...v2, traffic: { header: HeaderMatch.regex('stage', 'gr.*'), cookie: 'canary', weight: 10 } } });
  expect(rules(report)).toEqual([
    ['`canary-by-header`', 'header `stage` matches `gr.*` (the whole value)', 'v2 100%', '', ''],
    ['`canary-by-cookie`', 'cookie `canary=always`', 'v2 100%', '', ''],
    ['`stable-by-cookie`', 'cookie `canary=never`', 'v1 100%', '', ''],
    ['`weighted`', 'every other request', 'v1 90% / v2 10%', '', ''],
  ]);
});

test('the shares at the step reached are out of weightTotal, and the previous step\'s are beside them', () => {
  const report = canaryReport({
    steps: [CanaryStep.shiftTraffic(10), CanaryStep.shiftTraffic(125), CanaryStep.shiftTraffic(1000)],
    canary: { ...v2, step: 1, traffic: { weightTotal: 1000 } },
  });
  expect(rules(report)).toEqual([['`weighted`', 'every request', 'v1 87.5% / v2 12.5%', '', '']]);
  expect(report).toContain('| 1 | `shiftTraffic(125)` | v1 87.5% / v2 12.5% | ◀ reached (`canary.step`) |');
  expect(report).toContain('At `steps[0]` the weighted rule was v1 99% / v2 1%; at `steps[1]` it is v1 87.5% / v2 12.5%.');
});

test('at a pause the report says the step changes no route', () => {
  const report = canaryReport({ steps: PLAN, canary: { ...v2, step: 1 } });
  expect(report).toContain('| 1 | `pause(2h)` | v1 95% / v2 5% | ◀ reached (`canary.step`) |');
  expect(report).toContain('At `steps[0]` the weighted rule was already v1 95% / v2 5%: `steps[1]` changes no route.');
});

test('at the first step the report compares with the canary at no weight', () => {
  expect(canaryReport({ steps: PLAN, canary: { ...v2, step: 0 } }))
    .toContain('Before the plan the weighted rule was v1 100% / v2 0%; at `steps[0]` it is v1 95% / v2 5%.');
});

test('under Argo Rollouts the controller owns the weights: the weighted rule is where it starts, and no step is marked', () => {
  const report = canaryReport({ engine: DeliveryEngine.argoRollouts(), steps: PLAN, canary: v2 });
  expect(report).toContain('- Engine: `DeliveryEngine.argoRollouts()`; **Argo Rollouts owns the weights**: the weighted rule below is where it starts, and it moves the weights itself.');
  expect(rules(report)).toEqual([['`weighted`', 'every request', 'v1 100% / v2 0%', '', '']]);
  expect(report).toContain('Argo Rollouts walks these steps in the cluster; git does not say which one it has reached.');
  expect(report).not.toContain('reached (`canary.step`)');
  expect(report).not.toContain('### Since the previous step');
});

test('under Flagger the versions come from the tracks, not from the subsets Flagger names primary and canary', () => {
  const report = canaryReport({ engine: DeliveryEngine.flagger(), steps: [CanaryStep.shiftTraffic(10), CanaryStep.pause(Duration.hours(1)), CanaryStep.shiftTraffic(100)], canary: { version: 'v2', image: 'myapp:v2' } });
  expect(report).toContain('**Flagger owns the weights**');
  expect(report).toContain('- Versions: stable v1, canary v2.');
  expect(report).not.toMatch(/primary/);
});

test('under Flagger a header rule is an A/B test: Flagger never moves the weights', () => {
  const report = canaryReport({ engine: DeliveryEngine.flagger(), canary: { version: 'v2', image: 'myapp:v2', traffic: { header: HeaderMatch.exact('stage', 'gray') } } });
  expect(report).toContain('**Flagger runs an A/B test**: the requests the rules before the weighted one match go to the canary while Flagger analyses it;');
  expect(report).not.toContain('moves the weights itself');
});

test('plain manifests: git owns the weights', () => {
  expect(canaryReport({ canary: { ...v2, traffic: { weight: 20 } } }))
    .toContain('- Engine: `DeliveryEngine.manifests()`; **git owns the weights**: the cluster routes requests as written below.');
});

test('a mirror is shown on the weighted rule with the share copied', () => {
  const report = canaryReport({ canary: { ...v2, traffic: { mirror: 10 } } });
  expect(rules(report)).toEqual([['`weighted`', 'every request', 'v1 100% / v2 0%', '10% copied to v2 (its answers discarded)', '']]);
});

test('a sticky canary: the weighted rule\'s canary sets the cookie, and the rule before it keeps those users', () => {
  const report = canaryReport({ canary: { ...v2, traffic: { weight: 20, sticky: true } } });
  expect(rules(report)).toEqual([
    ['`canary-by-sticky-cookie`', 'cookie `myapp-canary=v2`', 'v2 100%', '', 'keeps the users the weighted rule sent to the canary there'],
    ['`weighted`', 'every other request', 'v1 80% / v2 20%', '', 'v2\'s answers set `myapp-canary=v2` for 1 day'],
  ]);
});

test('blue-green under plain manifests: the active color, the preview, and what the cut-over changes', () => {
  const report = blueGreenReport({});
  expect(report).toContain('**git owns the cut-over**');
  expect(rows(report)).toEqual([['1', '`active`', 'every request', 'v1 100%', '', ''], ['1', '`preview`', 'every request', 'v2 100%', '', '']]);
  expect(report).toContain('### Route `myapp-preview` at `preview.myapp.example.com`');
  expect(report).toContain('Active: **blue** (v1), behind the route `myapp`. Idle: **green** (v2), at the route `myapp-preview` (`preview.myapp.example.com`).');
  expect(report).toContain('`active: BlueGreenColor.GREEN` sends `myapp` to v2 (green) and `myapp-preview` to v1 (blue)');
});

test('blue-green after the cut-over: green active, and cutting back names blue', () => {
  const report = blueGreenReport({ active: BlueGreenColor.GREEN });
  expect(report).toContain('Active: **green** (v2)');
  expect(report).toContain('`active: BlueGreenColor.BLUE` sends `myapp` to v1 (blue) and `myapp-preview` to v2 (green)');
});

test('blue-green under Argo Rollouts: the controller cuts over when it promotes, the routes stay', () => {
  const report = blueGreenReport({ engine: DeliveryEngine.argoRollouts() });
  expect(report).toContain('**Argo Rollouts owns the cut-over**');
  expect(report).toContain('Argo Rollouts cuts over when it promotes v2: the Service behind `myapp` then selects v2\'s pods; the routes above do not change.');
});

test('blue-green with one color: nothing to cut over to', () => {
  const report = blueGreenReport({ green: undefined, previewHost: undefined });
  expect(report).toContain('Active: **blue** (v1), behind the route `myapp`. No idle color: the next version goes in as green.');
  expect(report).not.toContain('### The cut-over');
});

test('with TrafficRouter.service() a canary splits by replica ratio, and the report does not claim a weighted rule', () => {
  const report = canaryReport({ router: TrafficRouter.service(), canary: v2 });
  expect(report).toContain('`TrafficRouter.service()` steers no request: the Service `myapp` selects every track\'s pods, and requests split by their replica ratio.');
  expect(rules(report)).toEqual([]);
});

test('no report for a scope without a release', () => {
  const chart = Testing.chart();
  expect(RoutingReport.markdown(chart)).toBe('');
});

test('a chart\'s report holds its own releases only, and the app\'s report all of them', () => {
  const app = Testing.app();
  canaryChart({ canary: { ...v2, traffic: { weight: 10 } } }, new Chart(app, 'a', { namespace: 'a' }));
  canaryChart({ canary: { ...v2, traffic: { weight: 30 } } }, new Chart(app, 'b', { namespace: 'b' }));
  const [a, b] = app.charts;
  expect(RoutingReport.markdown(a)).toContain('v1 90% / v2 10%');
  expect(RoutingReport.markdown(a)).not.toContain('v1 70% / v2 30%');
  const whole = RoutingReport.markdown(app);
  expect(whole.indexOf('in namespace `a`')).toBeLessThan(whole.indexOf('in namespace `b`'));
  expect(RoutingReport.markdown(b)).toContain('v1 70% / v2 30%');
});

test('write puts <chart>.routing.md beside <chart>.k8s.yaml, none for a chart without a release, and removes a stale one', () => {
  const outdir = tmpdir();
  const app = new App({ outdir });
  canaryChart({ canary: { ...v2, traffic: { weight: 10 } } }, new Chart(app, 'shop', { namespace: 'shop' }));
  new Chart(app, 'empty');
  fs.writeFileSync(path.join(outdir, 'empty.routing.md'), 'stale');
  app.synth();
  const written = RoutingReport.write(app);
  expect(written).toEqual([path.join(outdir, 'shop.routing.md')]);
  expect(fs.readdirSync(outdir).sort()).toEqual(['empty.k8s.yaml', 'shop.k8s.yaml', 'shop.routing.md']);
  expect(fs.readFileSync(written[0], 'utf8')).toBe(RoutingReport.markdown(app.charts.find((c) => c.node.id === 'shop')!));
});

test('write numbers the reports as cdk8s numbers the chart files when charts depend on each other', () => {
  const outdir = tmpdir();
  const app = new App({ outdir });
  const base = new Chart(app, 'base');
  const shop = canaryChart({ canary: v2 }, new Chart(app, 'shop', { namespace: 'shop' }));
  shop.addDependency(base);
  app.synth();
  RoutingReport.write(app);
  const files = fs.readdirSync(outdir).sort();
  const yaml = files.filter((f) => f.endsWith('.k8s.yaml'));
  expect(yaml).toEqual(['0000-base.k8s.yaml', '0001-shop.k8s.yaml']);
  expect(files.filter((f) => f.endsWith('.routing.md'))).toEqual(['0001-shop.routing.md']);
});

test('write puts one app.routing.md when the YAML is one file for the app', () => {
  const outdir = tmpdir();
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_APP });
  canaryChart({ canary: v2 }, new Chart(app, 'shop'));
  app.synth();
  expect(RoutingReport.write(app)).toEqual([path.join(outdir, 'app.routing.md')]);
  expect(fs.readdirSync(outdir).sort()).toEqual(['app.k8s.yaml', 'app.routing.md']);
});

test('the YAML is byte-identical with and without the report', () => {
  const synth = (report: boolean) => {
    const outdir = tmpdir();
    const app = new App({ outdir });
    canaryChart({ steps: PLAN, canary: { ...v2, step: 2, traffic: { header: HeaderMatch.exact('stage', 'gray'), sticky: true } } }, new Chart(app, 'shop', { namespace: 'shop' }));
    if (report) RoutingReport.markdown(app);
    app.synth();
    if (report) RoutingReport.write(app);
    return fs.readFileSync(path.join(outdir, 'shop.k8s.yaml'), 'utf8');
  };
  const without = synth(false);
  expect(without.length).toBeGreaterThan(1000);
  expect(synth(true)).toBe(without);
});

test('reading the routing record changes no object', () => {
  const chart = canaryChart({ canary: { ...v2, traffic: { weight: 10 } } });
  const before = JSON.stringify(synthValid(chart));
  const release = chart.node.findChild('myapp') as CanaryRelease;
  expect(release.routing.routes.main.rules.map((r) => r.name)).toEqual(['weighted']);
  RoutingReport.markdown(chart);
  expect(JSON.stringify(synthValid(chart))).toBe(before);
});

test('the report says where the router takes requests: every host with its paths, and gRPC', () => {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', {
    containerPort: 8080,
    appProtocol: AppProtocol.GRPC,
    router: TrafficRouter.istio({ hosts: ['a.example.com', 'b.example.com'], gateways: ['istio-system/public'], paths: [PathMatch.prefix('/api')] }),
    stable: { version: 'v1', image: 'myapp:v1' },
  });
  const report = RoutingReport.markdown(chart);
  expect(report).toContain('- Router: `TrafficRouter.istio()` (gRPC).');
  expect(report).toContain('- Serves: `a.example.com, b.example.com through istio-system/public: Prefix /api`.');
});

test('nginx routes are listed host by host; a mesh-only Istio router names the Service', () => {
  const serves = (router: TrafficRouter) => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'myapp', { containerPort: 8080, router, stable: { version: 'v1', image: 'myapp:v1' } });
    return RoutingReport.markdown(chart).split('\n').find((l) => l.startsWith('- Serves:'));
  };
  expect(serves(TrafficRouter.nginx({ routes: [{ host: 'api.example.com' }, { host: 'example.com', paths: [PathMatch.prefix('/api'), PathMatch.exact('/healthz')] }] })))
    .toBe('- Serves: `api.example.com: Prefix /`; `example.com: Prefix /api, Exact /healthz`.');
  expect(serves(TrafficRouter.istio())).toBe('- Serves: `the Service myapp (in the mesh): every path`.');
  expect(serves(TrafficRouter.service())).toBeUndefined();
});

test('under Flagger a sticky cookie\'s value is Flagger\'s own, and under a controller the mirror runs only before the first weight', () => {
  const plan = [CanaryStep.pause(Duration.minutes(10)), CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.minutes(10)), CanaryStep.shiftTraffic(100)];
  const sticky = canaryReport({ engine: DeliveryEngine.flagger(), router: TrafficRouter.istio({ hosts: ['myapp'] }), steps: plan.slice(1), canary: { version: 'v2', image: 'myapp:v2', traffic: { sticky: true } } });
  expect(sticky).toContain('`myapp-canary=<Flagger\'s value for the run>`');
  expect(sticky).not.toContain('myapp-canary=v2');
  const mirrored = canaryReport({ engine: DeliveryEngine.argoRollouts(), router: TrafficRouter.istio({ hosts: ['myapp'] }), steps: plan, canary: { ...v2, traffic: { mirror: 30 } } });
  expect(mirrored).toContain('30% copied to v2 (its answers discarded), only from Argo Rollouts\' first `setMirrorRoute` step to the first weight above 0');
});
