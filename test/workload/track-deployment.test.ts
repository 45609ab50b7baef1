/** The Deployment `<name>-<v>` of each track: labels, selector, container, probe, strategy. */
import { ApiObject, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, CanaryReleaseProps } from '../../src';
import { K8sObject, PATH_LABEL, container, find, ofKind, synthValid } from '../util';

const myapp = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };

function synth(props: Partial<CanaryReleaseProps>): K8sObject[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', { ...myapp, stable: v1, canary: v2, ...props });
  return synthValid(chart);
}

describe('labels and selector', () => {
  test('the selector is exactly {app, version}; the pod template carries those labels, the recommended app.kubernetes.io/name and /version, and no path-derived one', () => {
    const manifests = synth({});

    for (const [name, version] of [['myapp-v1', 'v1'], ['myapp-v2', 'v2']]) {
      const deployment = find(manifests, 'Deployment', name);
      expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'myapp', version } });
      // The recommended labels are the pods' only: a selector is immutable, and they say what the pods are, not which ones a workload owns.
      expect(deployment.spec.selector.matchLabels).not.toHaveProperty(['app.kubernetes.io/name']);
      expect(deployment.spec.selector.matchLabels).not.toHaveProperty(['app.kubernetes.io/version']);
      expect(deployment.spec.template.metadata.labels).toEqual({ 'app': 'myapp', version, 'app.kubernetes.io/name': 'myapp', 'app.kubernetes.io/version': version });
      expect(deployment.metadata.labels).toEqual({ app: 'myapp', version });
      expect(Object.keys(deployment.spec.template.metadata.labels)).not.toContain(PATH_LABEL);
    }
  });

  test('podMetadata labels join the pod template, never the selector', () => {
    const manifests = synth({ podMetadata: { labels: { tier: 'web' } } });

    const deployment = find(manifests, 'Deployment', 'myapp-v1');
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'myapp', version: 'v1' } });
    expect(deployment.spec.template.metadata.labels).toEqual({ 'app': 'myapp', 'version': 'v1', 'tier': 'web', 'app.kubernetes.io/name': 'myapp', 'app.kubernetes.io/version': 'v1' });
  });

  test('podMetadata labels win over the recommended ones, and stay out of the selector too', () => {
    const manifests = synth({ podMetadata: { labels: { 'app.kubernetes.io/name': 'shop-frontend', 'app.kubernetes.io/version': 'release-7' } } });

    for (const [name, version] of [['myapp-v1', 'v1'], ['myapp-v2', 'v2']]) {
      const deployment = find(manifests, 'Deployment', name);
      expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'myapp', version } });
      expect(deployment.spec.template.metadata.labels).toEqual({ 'app': 'myapp', version, 'app.kubernetes.io/name': 'shop-frontend', 'app.kubernetes.io/version': 'release-7' });
    }
  });

  test('the Deployment keeps the same selector and template whatever else the chart contains', () => {
    // The construct path differs (different parent), the Deployment must not.
    const alone = synth({});
    const chart = Testing.chart();
    const nested = new kplus.ConfigMap(chart, 'unrelated', { metadata: { name: 'unrelated' } });
    new CanaryRelease(nested, 'myapp', { ...myapp, stable: v1, canary: v2 });
    const elsewhere = synthValid(chart);

    expect(JSON.stringify(find(elsewhere, 'Deployment', 'myapp-v2'))).toBe(JSON.stringify(find(alone, 'Deployment', 'myapp-v2')));
  });
});

describe('the container', () => {
  test('is named after the app, runs the track image and listens on containerPort as `http`', () => {
    const manifests = synth({});

    const c = container(find(manifests, 'Deployment', 'myapp-v2'));
    expect(c.name).toBe('myapp');
    expect(c.image).toBe('myapp:v2');
    expect(c.ports).toEqual([{ containerPort: 80, name: 'http' }]);
  });

  test('keeps the cdk8s-plus secure defaults', () => {
    const manifests = synth({});

    const deployment = find(manifests, 'Deployment', 'myapp-v1');
    expect(container(deployment).securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('the readiness probe defaults to TCP on containerPort', () => {
    const manifests = synth({});

    for (const d of ofKind(manifests, 'Deployment')) {
      expect(container(d).readinessProbe).toMatchObject({ tcpSocket: { port: 80 } });
    }
  });

  test('a readiness probe in the shared container wins over the default', () => {
    const manifests = synth({ container: { readiness: kplus.Probe.fromHttpGet('/healthz', { periodSeconds: Duration.seconds(5) }) } });

    for (const d of ofKind(manifests, 'Deployment')) {
      const probe = container(d).readinessProbe;
      expect(probe).toMatchObject({ httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 });
      expect(probe.tcpSocket).toBeUndefined();
    }
  });

  test("a readiness probe in a track's container wins for that track only", () => {
    const manifests = synth({
      container: { readiness: kplus.Probe.fromHttpGet('/healthz') },
      canary: { ...v2, container: { readiness: kplus.Probe.fromHttpGet('/ready') } },
    });

    expect(container(find(manifests, 'Deployment', 'myapp-v1')).readinessProbe.httpGet.path).toBe('/healthz');
    expect(container(find(manifests, 'Deployment', 'myapp-v2')).readinessProbe.httpGet.path).toBe('/ready');
  });

  test("env is merged by name: the track's value wins, the shared rest stays", () => {
    const manifests = synth({
      container: { envVariables: { LOG_LEVEL: kplus.EnvValue.fromValue('info'), REGION: kplus.EnvValue.fromValue('eu') } },
      canary: { ...v2, container: { envVariables: { LOG_LEVEL: kplus.EnvValue.fromValue('debug'), FEATURE_X: kplus.EnvValue.fromValue('on') } } },
    });

    const env = (name: string): { [key: string]: string } =>
      Object.fromEntries(container(find(manifests, 'Deployment', name)).env.map((e: { name: string; value: string }) => [e.name, e.value]));
    // Beside the user's, each track's own version variables (see version-signals.test.ts).
    const signals = (version: string) => ({ APP_NAME: 'myapp', APP_VERSION: version, OTEL_SERVICE_NAME: 'myapp', OTEL_RESOURCE_ATTRIBUTES: `service.version=${version}` });
    expect(env('myapp-v1')).toEqual({ ...signals('v1'), LOG_LEVEL: 'info', REGION: 'eu' });
    expect(env('myapp-v2')).toEqual({ ...signals('v2'), LOG_LEVEL: 'debug', REGION: 'eu', FEATURE_X: 'on' });
  });

  // A variable can use $(OTHER) only if OTHER comes earlier in the list: the library's come first.
  test('the library\'s variables come before the user\'s, OTEL_RESOURCE_ATTRIBUTES too', () => {
    const manifests = synth({ container: { envVariables: { LOG_LEVEL: kplus.EnvValue.fromValue('info') } } });

    expect(container(find(manifests, 'Deployment', 'myapp-v1')).env.map((e: { name: string }) => e.name))
      .toEqual(['APP_NAME', 'APP_VERSION', 'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES', 'LOG_LEVEL']);
  });

  test("the security context is merged field by field: the opt-out from root and read-only shared, the track's own on top", () => {
    const manifests = synth({
      container: { securityContext: { ensureNonRoot: false } },
      canary: { ...v2, container: { securityContext: { readOnlyRootFilesystem: false } } },
    });

    expect(container(find(manifests, 'Deployment', 'myapp-v1')).securityContext).toMatchObject({ runAsNonRoot: false, readOnlyRootFilesystem: true });
    expect(container(find(manifests, 'Deployment', 'myapp-v2')).securityContext).toMatchObject({ runAsNonRoot: false, readOnlyRootFilesystem: false });
  });

  test("other track settings replace the shared ones (resources, args)", () => {
    const manifests = synth({
      container: { args: ['--shared'], resources: { cpu: { request: kplus.Cpu.millis(100) } } },
      canary: { ...v2, container: { args: ['--canary'] } },
    });

    expect(container(find(manifests, 'Deployment', 'myapp-v1')).args).toEqual(['--shared']);
    expect(container(find(manifests, 'Deployment', 'myapp-v2')).args).toEqual(['--canary']);
    expect(container(find(manifests, 'Deployment', 'myapp-v2')).resources.requests.cpu).toBe('100m');
  });
});

describe('replicas and strategy', () => {
  test('replicas default to 1; 0 is allowed (a track scaled down)', () => {
    const manifests = synth({ stable: { version: 'v1', image: 'myapp:v1' }, canary: { ...v2, replicas: 0 } });

    expect(find(manifests, 'Deployment', 'myapp-v1').spec.replicas).toBe(1);
    expect(find(manifests, 'Deployment', 'myapp-v2').spec.replicas).toBe(0);
  });

  test('the default strategy is a rolling update with maxSurge 25% and maxUnavailable 0', () => {
    const manifests = synth({});

    for (const d of ofKind(manifests, 'Deployment')) {
      expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    }
  });

  test('strategy overrides it: rolling update of 10 replicas with maxSurge 1, maxUnavailable 0', () => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'myapp', {
      ...myapp,
      stable: { ...v1, replicas: 10 },
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
    });
    const manifests = synthValid(chart);

    const deployment = find(manifests, 'Deployment', 'myapp-v1');
    expect(deployment.spec.replicas).toBe(10);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test('strategy applies to every track, blue-green too: Recreate', () => {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'myapp', { ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE, strategy: kplus.DeploymentStrategy.recreate() });
    const manifests = synthValid(chart);

    for (const d of ofKind(manifests, 'Deployment')) {
      expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    }
  });
});

describe('secure defaults beyond cdk8s-plus (Pod Security Standards "restricted")', () => {
  test('every container drops ALL capabilities and every pod has the RuntimeDefault seccomp profile', () => {
    const manifests = synth({});

    for (const d of ofKind(manifests, 'Deployment')) {
      expect(container(d).securityContext).toEqual({
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(d.spec.template.spec.securityContext).toEqual({ fsGroupChangePolicy: 'Always', runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    }
  });

  test('adding NET_BIND_SERVICE keeps drop ALL and is written without the CAP_ prefix of the cdk8s-plus enum', () => {
    const manifests = synth({ container: { securityContext: { capabilities: { add: [kplus.Capability.NET_BIND_SERVICE] } } } });

    expect(container(find(manifests, 'Deployment', 'myapp-v1')).securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
  });

  test('an explicit capabilities.drop replaces the default: drop: [] keeps the runtime default set', () => {
    const manifests = synth({ canary: { ...v2, container: { securityContext: { capabilities: { drop: [] } } } } });

    expect(container(find(manifests, 'Deployment', 'myapp-v1')).securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(container(find(manifests, 'Deployment', 'myapp-v2')).securityContext.capabilities).toEqual({ drop: [] });
  });

  test('the opt-outs the examples use still work, and only loosen what they name', () => {
    const manifests = synth({ container: { securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false } } });

    const d = find(manifests, 'Deployment', 'myapp-v1');
    expect(container(d).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: false,
      runAsNonRoot: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(d.spec.template.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  test('the seccomp profile can be loosened with a JSON patch on the Deployment', () => {
    const chart = Testing.chart();
    const release = new CanaryRelease(chart, 'myapp', { ...myapp, stable: v1 });
    ApiObject.of(release.stableDeployment).addJsonPatch(JsonPatch.replace('/spec/template/spec/securityContext/seccompProfile', { type: 'Unconfined' }));

    expect(find(synthValid(chart), 'Deployment', 'myapp-v1').spec.template.spec.securityContext.seccompProfile).toEqual({ type: 'Unconfined' });
  });
});

describe('resources', () => {
  test('without resources, cdk8s-plus defaults apply: requests 1000m / 512Mi, limits 1500m / 2048Mi', () => {
    const manifests = synth({});

    for (const d of ofKind(manifests, 'Deployment')) {
      expect(container(d).resources).toEqual({ requests: { cpu: '1000m', memory: '512Mi' }, limits: { cpu: '1500m', memory: '2048Mi' } });
    }
  });

  test("shared resources go on every track; a track's resources replace them for that track, whole", () => {
    const manifests = synth({
      container: { resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) } } },
      canary: { ...v2, container: { resources: { memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) } } } },
    });

    expect(container(find(manifests, 'Deployment', 'myapp-v1')).resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } });
    expect(container(find(manifests, 'Deployment', 'myapp-v2')).resources).toEqual({ requests: { memory: '128Mi' }, limits: { memory: '512Mi' } });
  });

  test('ephemeral storage in whole GiB and CPU in units are accepted', () => {
    const manifests = synth({ container: { resources: { cpu: { request: kplus.Cpu.units(0.5), limit: kplus.Cpu.units(2) }, ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(2) } } } });

    expect(container(find(manifests, 'Deployment', 'myapp-v1')).resources).toEqual({ requests: { 'cpu': '0.5', 'ephemeral-storage': '1Gi' }, limits: { 'cpu': '2', 'ephemeral-storage': '2Gi' } });
  });

  const owner = "CanaryRelease 'myapp'";
  test('throws when a CPU request exceeds its limit', () => {
    expect(() => synth({ container: { resources: { cpu: { request: kplus.Cpu.millis(2000), limit: kplus.Cpu.units(1) } } } }))
      .toThrow(`${owner}: container.resources.cpu.request ("2000m") must not exceed cpu.limit ("1"): Kubernetes rejects a request above its limit`);
  });

  test("throws when a track's memory request exceeds its limit, naming the track", () => {
    expect(() => synth({ canary: { ...v2, container: { resources: { memory: { request: Size.gibibytes(1), limit: Size.mebibytes(512) } } } } }))
      .toThrow(`${owner}: canary.container.resources.memory.request ("1024MiB") must not exceed memory.limit (512MiB)`);
  });

  test('throws when memory is not a whole number of MiB (cdk8s-plus would fail at synth without naming the prop)', () => {
    expect(() => synth({ container: { resources: { memory: { limit: Size.kibibytes(1536) } } } }))
      .toThrow(`${owner}: container.resources.memory.limit ("1.5MiB") must be a cdk8s Size of a whole number of MiB`);
  });

  test('throws when ephemeral storage is not a whole number of GiB', () => {
    expect(() => synth({ container: { resources: { ephemeralStorage: { request: Size.mebibytes(512) } } } }))
      .toThrow(`${owner}: container.resources.ephemeralStorage.request ("0.5GiB") must be a cdk8s Size of a whole number of GiB`);
  });

  test('throws when a CPU amount is negative or finer than a millicore', () => {
    expect(() => synth({ container: { resources: { cpu: { limit: kplus.Cpu.millis(-5) } } } }))
      .toThrow(`${owner}: container.resources.cpu.limit ("-5m") must be a whole number of millicores, at least 0`);
    expect(() => synth({ container: { resources: { cpu: { request: kplus.Cpu.millis(0.5) } } } }))
      .toThrow(`${owner}: container.resources.cpu.request ("0.5m") must be a whole number of millicores`);
  });
});
