/**
 * The version in every signal: each track's pods say which app and version they are, in the
 * environment variables logs and OpenTelemetry read and in the recommended labels, without a
 * change to the app. The user's own values win.
 */
import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, TrafficRouter } from '../../src';
import { K8sObject, container, find, synthValid } from '../util';

const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: '2.0.1', image: 'myapp:2.0.1' };

function canary(props: Partial<CanaryReleaseProps> = {}): K8sObject[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', { containerPort: 80, stable: v1, canary: v2, ...props });
  return synthValid(chart);
}

/** The container's environment as name -> value (or the source it comes from). */
const envOf = (workload: K8sObject) => Object.fromEntries((container(workload).env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('every track says which app and version it is', () => {
  test('APP_NAME, APP_VERSION and OpenTelemetry\'s service name and version, per track', () => {
    const manifests = canary();
    expect(envOf(find(manifests, 'Deployment', 'myapp-v1'))).toEqual({
      APP_NAME: 'myapp', APP_VERSION: 'v1', OTEL_SERVICE_NAME: 'myapp', OTEL_RESOURCE_ATTRIBUTES: 'service.version=v1',
    });
    expect(envOf(find(manifests, 'Deployment', 'myapp-2-0-1'))).toEqual({
      APP_NAME: 'myapp', APP_VERSION: '2.0.1', OTEL_SERVICE_NAME: 'myapp', OTEL_RESOURCE_ATTRIBUTES: 'service.version=2.0.1',
    });
  });

  test('the recommended labels are on the pods, never in the selector', () => {
    const deployment = find(canary(), 'Deployment', 'myapp-2-0-1');
    expect(deployment.spec.template.metadata.labels).toEqual({
      'app': 'myapp', 'version': '2.0.1', 'app.kubernetes.io/name': 'myapp', 'app.kubernetes.io/version': '2.0.1',
    });
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'myapp', version: '2.0.1' } });
  });

  test('environment adds deployment.environment.name, and the older deployment.environment that many SDKs and backends still read', () => {
    const env = envOf(find(canary({ environment: 'production' }), 'Deployment', 'myapp-v1'));
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toBe('service.version=v1,deployment.environment.name=production,deployment.environment=production');
  });

  test('under Argo Rollouts the Rollout\'s pods say the newest version; under Flagger the Deployment <name>\'s', () => {
    const steps = [CanaryStep.shiftTraffic(10), CanaryStep.pause(), CanaryStep.shiftTraffic(100)];
    const rollout = find(canary({ engine: DeliveryEngine.argoRollouts(), router: TrafficRouter.nginx(), steps }), 'Rollout', 'myapp');
    expect(envOf(rollout).APP_VERSION).toBe('2.0.1');
    expect(rollout.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('2.0.1');
    const flaggerSteps = [CanaryStep.shiftTraffic(10), CanaryStep.pause(Duration.minutes(5)), CanaryStep.shiftTraffic(100)];
    const deployment = find(canary({ engine: DeliveryEngine.flagger(), router: TrafficRouter.nginx(), steps: flaggerSteps }), 'Deployment', 'myapp');
    expect(envOf(deployment).APP_VERSION).toBe('2.0.1');
  });

  test('a blue-green release: each color its own version', () => {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'myapp', { containerPort: 80, blue: v1, green: v2, active: BlueGreenColor.BLUE });
    const manifests = synthValid(chart);
    expect(envOf(find(manifests, 'Deployment', 'myapp-v1')).APP_VERSION).toBe('v1');
    expect(envOf(find(manifests, 'Deployment', 'myapp-2-0-1')).APP_VERSION).toBe('2.0.1');
  });
});

describe('the user\'s values win', () => {
  test('a variable the user sets is kept as it is; their OTEL_RESOURCE_ATTRIBUTES keep their keys, the library adds the others', () => {
    const env = envOf(find(canary({
      environment: 'production',
      container: {
        envVariables: {
          APP_VERSION: kplus.EnvValue.fromValue('custom'),
          OTEL_RESOURCE_ATTRIBUTES: kplus.EnvValue.fromValue('team=shop,deployment.environment.name=staging'),
          LOG_LEVEL: kplus.EnvValue.fromValue('info'),
        },
      },
    }), 'Deployment', 'myapp-v1'));
    expect(env).toEqual({
      APP_NAME: 'myapp',
      APP_VERSION: 'custom',
      OTEL_SERVICE_NAME: 'myapp',
      OTEL_RESOURCE_ATTRIBUTES: 'team=shop,deployment.environment.name=staging,service.version=v1,deployment.environment=production',
      LOG_LEVEL: 'info',
    });
  });

  test('OTEL_RESOURCE_ATTRIBUTES from a Secret is left alone', () => {
    const secret = kplus.Secret.fromSecretName(Testing.chart(), 'otel', 'otel');
    const env = envOf(find(canary({ container: { envVariables: { OTEL_RESOURCE_ATTRIBUTES: kplus.EnvValue.fromSecretValue({ secret, key: 'attributes' }) } } }), 'Deployment', 'myapp-v1'));
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toEqual({ secretKeyRef: { key: 'attributes', name: 'otel' } });
  });

  test('pod labels the user sets win over the recommended ones', () => {
    const deployment = find(canary({ podMetadata: { labels: { 'app.kubernetes.io/name': 'shop-frontend' } } }), 'Deployment', 'myapp-v1');
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/name']).toBe('shop-frontend');
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('v1');
  });
});

test.each([
  ['', '""'],
  ['prod,eu', '"prod,eu"'],
  ['a=b', '"a=b"'],
  ['x'.repeat(64), JSON.stringify('x'.repeat(64))],
])('throws when environment is %p: it is an OpenTelemetry attribute value and a label value', (environment, shown) => {
  expect(() => canary({ environment }))
    .toThrow(`CanaryRelease 'myapp': environment (${shown}) must be at most 63 letters, digits, '-', '_' and '.', alphanumeric at both ends`);
});
