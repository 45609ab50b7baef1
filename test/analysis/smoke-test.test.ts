/**
 * A smoke test before traffic: requests sent to the new version before any user request
 * reaches it, failing unless every answer has the expected status, and saying how many answers
 * came from each version. A Job under plain manifests, an analysis step under Argo Rollouts, a
 * pre-rollout webhook under Flagger.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import {
  BlueGreenColor, BlueGreenRelease, BlueGreenReleaseProps, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch,
  TrafficRouter,
} from '../../src';
import { checkPodSecurity } from '../pod-security';
import { K8sObject, find, objectIds, ofKind, podsSelectedBy, synthValid } from '../util';

const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2' };
const PLAN = [CanaryStep.shiftTraffic(10), CanaryStep.pause(Duration.minutes(10)), CanaryStep.shiftTraffic(100)];

function canary(props: Partial<CanaryReleaseProps> = {}, chart: Chart = Testing.chart()): K8sObject[] {
  new CanaryRelease(chart, 'myapp', { containerPort: 80, servicePort: 8080, router: TrafficRouter.nginx(), stable: v1, canary: v2, smokeTest: { path: '/healthz' }, ...props });
  return synthValid(chart);
}

function blueGreen(props: Partial<BlueGreenReleaseProps> = {}): K8sObject[] {
  const chart = Testing.chart();
  new BlueGreenRelease(chart, 'myapp', { containerPort: 80, servicePort: 8080, blue: v1, green: v2, active: BlueGreenColor.BLUE, smokeTest: {}, ...props });
  return synthValid(chart);
}

const scriptOf = (podTemplate: any): string => podTemplate.spec.containers[0].command[2];

/** Runs a smoke script with `sh`, `curl` replaced by a fake that answers with `answers` in turn (status and version). */
function runScript(script: string, answers: Array<[number, string]>): { code: number; out: string; calls: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-'));
  const state = path.join(dir, 'n');
  fs.writeFileSync(state, '0');
  const lines = answers.map(([status, version], i) => `  ${i}) printf 'HTTP/1.1 ${status} X\\r\\nx-app-version: ${version}\\r\\n\\r\\nstatus:${status}\\n' ;;`).join('\n');
  fs.writeFileSync(path.join(dir, 'curl'), `#!/bin/sh\nprintf "%s\\n" "$*" >> ${dir}/calls\nn=$(cat ${state}); echo $((n + 1)) > ${state}\ncase $n in\n${lines}\nesac\n`, { mode: 0o755 });
  const r = spawnSync('sh', ['-c', script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: 'utf8' });
  const calls = fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n') : [];
  fs.rmSync(dir, { recursive: true });
  return { code: r.status ?? -1, out: r.stdout + r.stderr, calls };
}

describe('plain manifests: a Job per new version', () => {
  test('<name>-smoke-<v> calls the canary through <name>-canary: no retry, deleted a day after it finished', () => {
    const manifests = canary();
    const job = find(manifests, 'Job', 'myapp-smoke-v2');
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.ttlSecondsAfterFinished).toBe(86400);
    expect(job.spec.template.spec.containers[0].image).toBe('curlimages/curl:8.11.1');
    expect(scriptOf(job.spec.template)).toContain("'http://myapp-canary:8080/healthz'");
    expect(objectIds(manifests)).toContain('Job/myapp-smoke-v2');
  });

  test('its pod passes Pod Security "restricted", mounts no token, and no Service of the release selects it', () => {
    const manifests = canary();
    const job = find(manifests, 'Job', 'myapp-smoke-v2');
    expect(checkPodSecurity(job.spec.template.spec)).toEqual([]);
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(false);
    const pod = { kind: 'Deployment', metadata: { name: 'smoke-pod' }, spec: { template: job.spec.template } } as K8sObject;
    for (const service of ofKind(manifests, 'Service')) expect(podsSelectedBy(service, [pod])).toEqual([]);
  });

  test('no canary, no Job: the smoke test waits for the next version', () => {
    expect(ofKind(canary({ canary: undefined }), 'Job')).toEqual([]);
  });

  test('blue-green: the Job calls the idle color through <name>-preview', () => {
    const job = find(blueGreen(), 'Job', 'myapp-smoke-v2');
    expect(scriptOf(job.spec.template)).toContain("'http://myapp-preview:8080/'");
  });

  test('throws when a blue-green release has no preview Service to call', () => {
    expect(() => blueGreen({ preview: false }))
      .toThrow('BlueGreenRelease \'myapp\': smokeTest ({}) needs the preview Service: the smoke test calls the idle color through <name>-preview (or through the router at its preview host); set preview to true');
  });
});

describe('the loop, run with a fake curl', () => {
  const script = (props: object = {}) => scriptOf(find(canary({ smokeTest: { requests: 3, versionHeader: 'x-app-version', ...props } }), 'Job', 'myapp-smoke-v2').spec.template);

  test('passes when every answer has the expected status, and counts the answers per version', () => {
    const r = runScript(script(), [[200, 'v2'], [200, 'v2'], [200, 'v2']]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/3 status 200 version v2/);
    expect(r.out).toContain('passed: 3 of 3 answers had status 200');
    expect(r.calls).toHaveLength(3);
  });

  test('fails when one answer has another status, saying how many did not', () => {
    const r = runScript(script(), [[200, 'v2'], [503, 'v2'], [200, 'v2']]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/1 status 503 version v2/);
    expect(r.out).toContain('failed: 2 of 3 answers had status 200');
  });

  test('through the router, the requests carry the canary\'s header, and the report shows which version answered', () => {
    const s = scriptOf(find(canary({
      canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray') } },
      smokeTest: { requests: 2, versionHeader: 'x-app-version', throughRouter: 'http://myapp.example.com' },
    }), 'Job', 'myapp-smoke-v2').spec.template);
    const r = runScript(s, [[200, 'v2'], [200, 'v1']]);
    expect(r.calls[0]).toContain('-H stage: gray');
    expect(r.calls[0]).toContain('http://myapp.example.com/');
    expect(r.out).toMatch(/1 status 200 version v1/);
    expect(r.out).toMatch(/1 status 200 version v2/);
  });

  test('through the router with a cookie rule, the requests carry <cookie>=always', () => {
    const s = scriptOf(find(canary({ canary: { ...v2, traffic: { cookie: 'canary' } }, smokeTest: { throughRouter: 'http://myapp.example.com' } }), 'Job', 'myapp-smoke-v2').spec.template);
    expect(s).toContain("-H 'Cookie: canary=always'");
  });

  test('the script is valid sh', () => {
    expect(() => execFileSync('sh', ['-n', '-c', script()])).not.toThrow();
  });
});

describe('Argo Rollouts: an analysis before the first weight', () => {
  test('canary: the canary gets its pods, the smoke test runs as a Job metric, and only then the first weight', () => {
    const manifests = canary({ engine: DeliveryEngine.argoRollouts(), steps: PLAN });
    const steps = find(manifests, 'Rollout', 'myapp').spec.strategy.canary.steps;
    expect(steps).toEqual([
      { setCanaryScale: { replicas: 1 } },
      { analysis: { templates: [{ templateName: 'myapp-smoke' }] } },
      { setCanaryScale: { weight: 10 } },
      { setWeight: 10 },
      { setCanaryScale: { matchTrafficWeight: true } },
      { pause: { duration: '10m' } },
      { setWeight: 100 },
    ]);
    const template = find(manifests, 'AnalysisTemplate', 'myapp-smoke');
    const job = template.spec.metrics[0].provider.job.spec;
    expect(job.backoffLimit).toBe(0);
    expect(scriptOf(job.template)).toContain("'http://myapp-canary:8080/healthz'");
    expect(checkPodSecurity(job.template.spec)).toEqual([]);
  });

  test('blue-green: the smoke test is part of the pre-promotion analysis', () => {
    const manifests = blueGreen({ engine: DeliveryEngine.argoRollouts() });
    expect(find(manifests, 'Rollout', 'myapp').spec.strategy.blueGreen.prePromotionAnalysis).toEqual({ templates: [{ templateName: 'myapp-smoke' }] });
    expect(scriptOf(find(manifests, 'AnalysisTemplate', 'myapp-smoke').spec.metrics[0].provider.job.spec.template)).toContain("'http://myapp-preview:8080/'");
  });

  test('throws with TrafficRouter.service(): the canary has no pods before its first weight', () => {
    expect(() => canary({ engine: DeliveryEngine.argoRollouts(), steps: PLAN, router: TrafficRouter.service() }))
      .toThrow('CanaryRelease \'myapp\': smokeTest ({"path":"/healthz","requests":10,"expectedStatus":200,"image":"curlimages/curl:8.11.1"}) needs a router that steers traffic under DeliveryEngine.argoRollouts()');
  });
});

describe('Flagger: a pre-rollout webhook to its load tester', () => {
  const flagger = (props: Partial<CanaryReleaseProps> = {}) => canary({ engine: DeliveryEngine.flagger(), steps: PLAN, ...props }, Testing.chart());

  test('the load tester runs the loop against <name>-canary.<namespace> before any traffic', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const webhooks = find(canary({ engine: DeliveryEngine.flagger(), steps: PLAN }, chart), 'Canary', 'myapp').spec.analysis.webhooks;
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]).toMatchObject({ name: 'smoke-test', type: 'pre-rollout', url: 'http://flagger-loadtester.test/', timeout: '160s' });
    expect(webhooks[0].metadata.type).toBe('bash');
    expect(webhooks[0].metadata.cmd).toContain("'http://myapp-canary.shop:8080/healthz'");
  });

  test('loadTesterUrl names another load tester', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const url = find(canary({ engine: DeliveryEngine.flagger({ loadTesterUrl: 'http://loadtester.flagger-system/' }), steps: PLAN }, chart), 'Canary', 'myapp').spec.analysis.webhooks[0].url;
    expect(url).toBe('http://loadtester.flagger-system/');
  });

  test('throws without the chart\'s namespace: the load tester calls from its own', () => {
    expect(() => flagger()).toThrow('CanaryRelease \'myapp\': smokeTest ("straight to the Service") needs the chart\'s namespace here');
  });
});

describe('the whole smoke test object, once per engine (its shape is what the cluster runs)', () => {
  test('plain manifests: the Job', () => {
    expect(find(canary({ smokeTest: { path: '/healthz', versionHeader: 'x-app-version' } }), 'Job', 'myapp-smoke-v2')).toMatchSnapshot();
  });

  test('Argo Rollouts: the AnalysisTemplate with its Job metric', () => {
    expect(find(canary({ engine: DeliveryEngine.argoRollouts(), steps: PLAN }), 'AnalysisTemplate', 'myapp-smoke')).toMatchSnapshot();
  });

  test('Flagger: the pre-rollout webhook', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    expect(find(canary({ engine: DeliveryEngine.flagger(), steps: PLAN }, chart), 'Canary', 'myapp').spec.analysis.webhooks).toMatchSnapshot();
  });
});

describe('bad input', () => {
  test.each([
    ['requests', { requests: 0 }, 'smokeTest.requests (0) must be a whole number between 1 and 1000'],
    ['expectedStatus', { expectedStatus: 700 }, 'smokeTest.expectedStatus (700) must be a whole number between 100 and 599'],
    ['path', { path: 'healthz' }, 'smokeTest.path ("healthz") must start with \'/\''],
    ['versionHeader', { versionHeader: 'x_version' }, 'smokeTest.versionHeader ("x_version") must be an HTTP header name'],
    ['image', { image: 'curl 8' }, 'smokeTest.image ("curl 8") must be a container image reference without white space'],
    ['throughRouter', { throughRouter: 'myapp.example.com' }, 'smokeTest.throughRouter ("myapp.example.com") must be an http:// or https:// URL of the router'],
  ])('throws on a bad %s', (_what, smokeTest, message) => {
    expect(() => canary({ smokeTest })).toThrow(`CanaryRelease 'myapp': ${message}`);
  });

  test('throws through the router with only a regex header rule: there is no value to send', () => {
    expect(() => canary({ canary: { ...v2, traffic: { header: HeaderMatch.regex('user-agent', '.*Android.*') } }, smokeTest: { throughRouter: 'http://myapp.example.com' } }))
      .toThrow('CanaryRelease \'myapp\': smokeTest.throughRouter ("a regex header rule") needs an exact header rule or a cookie rule on the canary');
  });

  test('throws on a bad loadTesterUrl', () => {
    expect(() => DeliveryEngine.flagger({ loadTesterUrl: 'loadtester' }))
      .toThrow('DeliveryEngine.flagger: options.loadTesterUrl ("loadtester") must be an http:// or https:// URL of Flagger\'s load tester');
  });
});
