/**
 * Every pod the library generates passes the Pod Security Standards "restricted" profile by
 * default; an explicit opt-out through `container` shows up as exactly the control it loosens.
 * The checker (pod-security.ts) is tested first, rule by rule, so a pass means something.
 */
import { ApiObject, App, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { addBlueGreen } from '../examples/blue-green';
import { addGatewayApi } from '../examples/gateway-api';
import { addHeaderCanary } from '../examples/header-canary';
import { addIstio } from '../examples/istio';
import { addPromotion } from '../examples/promotion';
import { addRollingUpdate } from '../examples/rolling-update';
import { addWeightCanary } from '../examples/weight-canary';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, CanaryStep, DeliveryEngine, HeaderMatch, ReleaseOptions, TrafficRouter } from '../src';
import { PssViolation, checkPodSecurity, describeViolations, podSecurityViolations } from './pod-security';
import { K8sObject, ofKind, synthValid } from './util';

/** A pod that passes restricted: the reference every checker test loosens one field of. */
function restrictedPod(): any {
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      name: 'app',
      image: 'app:v1',
      ports: [{ containerPort: 8080 }],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    }],
    volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'config', configMap: { name: 'c' } }],
  };
}

const controls = (violations: PssViolation[]) => [...new Set(violations.map((v) => `${v.profile}/${v.control}`))].sort();

describe('the checker', () => {
  test('passes the reference restricted pod', () => {
    expect(describeViolations(checkPodSecurity(restrictedPod()))).toEqual([]);
  });

  const loosened: Array<[string, (pod: any) => void, string[]]> = [
    ['privileged', (p) => { p.containers[0].securityContext.privileged = true; }, ['baseline/Privileged Containers']],
    ['hostNetwork', (p) => { p.hostNetwork = true; }, ['baseline/Host Namespaces']],
    ['hostPID', (p) => { p.hostPID = true; }, ['baseline/Host Namespaces']],
    ['hostIPC', (p) => { p.hostIPC = true; }, ['baseline/Host Namespaces']],
    ['a hostPath volume', (p) => { p.volumes.push({ name: 'h', hostPath: { path: '/' } }); }, ['baseline/HostPath Volumes', 'restricted/Volume Types']],
    ['a hostPort', (p) => { p.containers[0].ports[0].hostPort = 80; }, ['baseline/Host Ports']],
    ['SYS_ADMIN added', (p) => { p.containers[0].securityContext.capabilities.add = ['SYS_ADMIN']; }, ['baseline/Capabilities', 'restricted/Capabilities']],
    ['CHOWN added (baseline only)', (p) => { p.containers[0].securityContext.capabilities.add = ['CHOWN']; }, ['restricted/Capabilities']],
    ['the CAP_-prefixed spelling', (p) => { p.containers[0].securityContext.capabilities.add = ['CAP_NET_BIND_SERVICE']; }, ['baseline/Capabilities', 'restricted/Capabilities']],
    ['no drop ALL', (p) => { p.containers[0].securityContext.capabilities.drop = ['NET_RAW']; }, ['restricted/Capabilities']],
    ['no capabilities at all', (p) => { delete p.containers[0].securityContext.capabilities; }, ['restricted/Capabilities']],
    ['allowPrivilegeEscalation unset', (p) => { delete p.containers[0].securityContext.allowPrivilegeEscalation; }, ['restricted/Privilege Escalation']],
    ['runAsNonRoot false on the container', (p) => { p.containers[0].securityContext.runAsNonRoot = false; }, ['restricted/Running as Non-root']],
    ['runAsNonRoot unset everywhere', (p) => { delete p.securityContext.runAsNonRoot; }, ['restricted/Running as Non-root']],
    ['runAsUser 0 on the pod', (p) => { p.securityContext.runAsUser = 0; }, ['restricted/Running as Non-root user']],
    ['runAsUser 0 on the container', (p) => { p.containers[0].securityContext.runAsUser = 0; }, ['restricted/Running as Non-root user']],
    ['no seccomp profile', (p) => { delete p.securityContext.seccompProfile; }, ['restricted/Seccomp']],
    ['seccomp Unconfined on the container', (p) => { p.containers[0].securityContext.seccompProfile = { type: 'Unconfined' }; }, ['baseline/Seccomp', 'restricted/Seccomp']],
    ['an unsafe sysctl', (p) => { p.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]; }, ['baseline/Sysctls']],
    ['procMount Unmasked', (p) => { p.containers[0].securityContext.procMount = 'Unmasked'; }, ['baseline//proc Mount Type']],
    ['AppArmor unconfined', (p) => { p.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' }; }, ['baseline/AppArmor']],
    ['SELinux type spc_t', (p) => { p.securityContext.seLinuxOptions = { type: 'spc_t' }; }, ['baseline/SELinux']],
    ['SELinux user', (p) => { p.containers[0].securityContext.seLinuxOptions = { user: 'root' }; }, ['baseline/SELinux']],
    ['a gcePersistentDisk volume', (p) => { p.volumes.push({ name: 'g', gcePersistentDisk: { pdName: 'x' } }); }, ['restricted/Volume Types']],
    ['an init container without the settings', (p) => { p.initContainers = [{ name: 'init', image: 'i' }]; }, ['restricted/Capabilities', 'restricted/Privilege Escalation']],
    ['hostProcess', (p) => { p.securityContext.windowsOptions = { hostProcess: true }; }, ['baseline/HostProcess']],
  ];
  test.each(loosened)('fails a pod with %s', (_what, loosen, expected) => {
    const pod = restrictedPod();
    loosen(pod);
    expect(controls(checkPodSecurity(pod))).toEqual(expected);
    expect(controls(checkPodSecurity(pod, {}, 'baseline'))).toEqual(expected.filter((c) => c.startsWith('baseline/')));
  });

  test('accepts seccomp on every container instead of the pod, Localhost, NET_BIND_SERVICE, and per-container runAsNonRoot', () => {
    const pod = restrictedPod();
    delete pod.securityContext;
    pod.containers[0].securityContext = {
      allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000,
      seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' },
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
    };
    expect(describeViolations(checkPodSecurity(pod))).toEqual([]);
  });

  test('the AppArmor annotation: runtime/default and localhost/* pass, unconfined fails', () => {
    const annotation = 'container.apparmor.security.beta.kubernetes.io/app';
    expect(checkPodSecurity(restrictedPod(), { annotations: { [annotation]: 'runtime/default' } })).toEqual([]);
    expect(checkPodSecurity(restrictedPod(), { annotations: { [annotation]: 'localhost/k8s-nginx' } })).toEqual([]);
    expect(controls(checkPodSecurity(restrictedPod(), { annotations: { [annotation]: 'unconfined' } }))).toEqual(['baseline/AppArmor']);
  });
});

const routers: Array<[string, () => TrafficRouter]> = [
  ['service', () => TrafficRouter.service()],
  ['nginx', () => TrafficRouter.nginx({ host: 'myapp.example.com', tlsSecretName: 'myapp-tls' })],
  ['istio by host', () => TrafficRouter.istio()],
  ['istio by subset', () => TrafficRouter.istio({ subsets: true })],
  ['gateway api', () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] })],
];

function canary(router: TrafficRouter, options: Partial<ReleaseOptions> = {}, canaryContainer?: kplus.ContainerOpts): K8sObject[] {
  const chart = Testing.chart();
  const splits = router.splitsTraffic;
  new CanaryRelease(chart, 'myapp', {
    containerPort: 8080,
    ...options,
    router,
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    canary: {
      version: 'v2', image: 'myapp:v2', container: canaryContainer,
      traffic: splits ? { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', weight: 10 } : undefined,
    },
  });
  return synthValid(chart);
}

function blueGreen(router: TrafficRouter): K8sObject[] {
  const chart = Testing.chart();
  new BlueGreenRelease(chart, 'myapp', {
    containerPort: 8080,
    router,
    blue: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    green: { version: 'v2', image: 'myapp:v2', replicas: 3 },
    active: BlueGreenColor.BLUE,
    previewHost: router.servesHosts ? 'preview.myapp.example.com' : undefined,
  });
  return synthValid(chart);
}

describe.each(routers)('default props pass "restricted" with %s', (_label, router) => {
  test('canary: every pod', () => {
    const manifests = canary(router());
    const violations = podSecurityViolations(manifests);
    expect(Object.keys(violations)).toEqual(['Deployment/myapp-v1', 'Deployment/myapp-v2']);
    for (const [name, list] of Object.entries(violations)) expect({ name, violations: describeViolations(list) }).toEqual({ name, violations: [] });
  });

  test('blue-green: every pod', () => {
    const manifests = blueGreen(router());
    const violations = podSecurityViolations(manifests);
    expect(Object.keys(violations)).toEqual(['Deployment/myapp-v1', 'Deployment/myapp-v2']);
    for (const [name, list] of Object.entries(violations)) expect({ name, violations: describeViolations(list) }).toEqual({ name, violations: [] });
  });
});

describe('what passes "restricted" with everything shared and per track set', () => {
  test('a service account, pod metadata, env, resources, a probe, NET_BIND_SERVICE and a non-root user id still pass', () => {
    const chart = Testing.chart();
    const serviceAccount = kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'myapp');
    const manifests = (() => {
      new CanaryRelease(chart, 'myapp', {
        containerPort: 80,
        serviceAccount,
        podMetadata: { labels: { 'sidecar.istio.io/inject': 'true' } },
        container: {
          envVariables: { LOG_LEVEL: kplus.EnvValue.fromValue('info') },
          securityContext: { user: 101, group: 101, capabilities: { add: [kplus.Capability.NET_BIND_SERVICE] } },
          readiness: kplus.Probe.fromHttpGet('/healthz'),
        },
        stable: { version: 'v1', image: 'myapp:v1' },
        canary: { version: 'v2', image: 'myapp:v2', container: { securityContext: { readOnlyRootFilesystem: false } } },
        router: TrafficRouter.istio({ subsets: true }),
      });
      return synthValid(chart);
    })();
    for (const list of Object.values(podSecurityViolations(manifests))) expect(describeViolations(list)).toEqual([]);
  });
});

describe('an explicit opt-out is visible: the pod fails exactly the control it loosens', () => {
  const optOuts: Array<[string, kplus.ContainerSecurityContextProps, string[]]> = [
    ['ensureNonRoot: false', { ensureNonRoot: false }, ['restricted/Running as Non-root']],
    ['user: 0 with ensureNonRoot: false', { user: 0, ensureNonRoot: false }, ['restricted/Running as Non-root', 'restricted/Running as Non-root user']],
    ['allowPrivilegeEscalation: true', { allowPrivilegeEscalation: true }, ['restricted/Privilege Escalation']],
    ['privileged', { privileged: true, allowPrivilegeEscalation: true }, ['baseline/Privileged Containers', 'restricted/Privilege Escalation']],
    ['capabilities.drop: []', { capabilities: { drop: [] } }, ['restricted/Capabilities']],
    ['capabilities.add: [NET_ADMIN]', { capabilities: { add: [kplus.Capability.NET_ADMIN] } }, ['baseline/Capabilities', 'restricted/Capabilities']],
    ['readOnlyRootFilesystem: false (not a PSS control)', { readOnlyRootFilesystem: false }, []],
  ];

  test.each(optOuts)('shared: %s', (_what, securityContext, expected) => {
    const manifests = canary(TrafficRouter.nginx(), { container: { securityContext } });
    for (const list of Object.values(podSecurityViolations(manifests))) expect(controls(list)).toEqual(expected);
  });

  test.each(optOuts)("one track's: %s, and the other track still passes", (_what, securityContext, expected) => {
    const manifests = canary(TrafficRouter.nginx(), {}, { securityContext });
    const violations = podSecurityViolations(manifests);
    expect(controls(violations['Deployment/myapp-v1'])).toEqual([]);
    expect(controls(violations['Deployment/myapp-v2'])).toEqual(expected);
  });

  test('the seccomp profile, loosened by JSON patch, fails Seccomp', () => {
    const chart = Testing.chart();
    const release = new CanaryRelease(chart, 'myapp', { containerPort: 80, stable: { version: 'v1', image: 'myapp:v1' } });
    ApiObject.of(release.stableDeployment).addJsonPatch(JsonPatch.remove('/spec/template/spec/securityContext/seccompProfile'));
    const violations = podSecurityViolations(synthValid(chart));
    expect(controls(violations['Deployment/myapp-v1'])).toEqual(['restricted/Seccomp']);
  });
});

describe('the examples opt out of running as non-root, and of nothing else PSS checks', () => {
  const app = new App();
  const charts: Chart[] = [
    addHeaderCanary(app), addWeightCanary(app), addRollingUpdate(app), addPromotion(app), addBlueGreen(app), addIstio(app), addGatewayApi(app),
  ].flat();

  test.each(charts.map((c) => [c.node.id, c] as [string, Chart]))('%s', (_id, chart) => {
    const manifests = synthValid(chart);
    const deployments = ofKind(manifests, 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const [name, list] of Object.entries(podSecurityViolations(manifests))) {
      expect({ name, controls: controls(list) }).toEqual({ name, controls: ['restricted/Running as Non-root'] });
    }
  });
});

test('throws when a container is privileged without allowPrivilegeEscalation (Kubernetes rejects it)', () => {
  expect(() => canary(TrafficRouter.nginx(), {}, { securityContext: { privileged: true } }))
    .toThrow('CanaryRelease \'myapp\': container.securityContext.privileged (true) for version "v2" needs allowPrivilegeEscalation: true as well');
});

test('throws when user is 0 while runAsNonRoot is on (the kubelet would never start it)', () => {
  expect(() => canary(TrafficRouter.nginx(), { container: { securityContext: { user: 0 } } }))
    .toThrow('CanaryRelease \'myapp\': container.securityContext.user (0) for version "v1" is root while runAsNonRoot is on');
});

describe('the pod templates of the other delivery engines pass "restricted" too', () => {
  const steps = [CanaryStep.shiftTraffic(10), CanaryStep.pause(Duration.minutes(5)), CanaryStep.shiftTraffic(100)];
  const engines: Array<[string, () => DeliveryEngine]> = [
    ['Argo Rollouts', () => DeliveryEngine.argoRollouts()],
    ['Flagger', () => DeliveryEngine.flagger()],
  ];
  test.each(engines)('%s: canary and blue-green', (_label, engine) => {
    const router = () => TrafficRouter.nginx({ host: 'myapp.example.com' });
    const canaryChart = Testing.chart();
    new CanaryRelease(canaryChart, 'myapp', {
      containerPort: 8080, engine: engine(), router: router(), steps,
      stable: { version: 'v1', image: 'myapp:v1', replicas: 3 }, canary: { version: 'v2', image: 'myapp:v2' },
    });
    const blueGreenChart = Testing.chart();
    new BlueGreenRelease(blueGreenChart, 'myapp', {
      containerPort: 8080, engine: engine(), router: router(),
      blue: { version: 'v1', image: 'myapp:v1', replicas: 3 }, green: { version: 'v2', image: 'myapp:v2', replicas: 3 }, active: BlueGreenColor.BLUE,
    });
    for (const chart of [canaryChart, blueGreenChart]) {
      // Testing.synth: the schemas of these engines' kinds are other tests' business (test/util.ts).
      const violations = podSecurityViolations(Testing.synth(chart) as K8sObject[]);
      expect(Object.keys(violations).length).toBeGreaterThan(0);
      for (const [name, list] of Object.entries(violations)) expect({ name, violations: describeViolations(list) }).toEqual({ name, violations: [] });
    }
  });
});
