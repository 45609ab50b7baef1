import { ApiObjectMetadata } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryAnalysis } from '../analysis/canary-analysis';
import { resolveSmokeTest } from '../analysis/smoke-test';
import { DeliveryEngine } from '../engines/delivery-engine';
import { ResolvedRelease } from '../engines/release-plan';
import { QUALIFIED_NAME, RESERVED_LABELS, checkDns1035Label, checkLabels, checkPort, fail, isQualifiedName } from '../private/validation';
import { TrafficRouter } from '../routing/traffic-router';
import { AppProtocol } from '../workload/app-protocol';
import { resolveAutoscaling } from '../workload/autoscaling';
import { checkContainerOpts } from '../workload/container-opts';
import { checkDisruptionBudget } from '../workload/disruption-budget';
import { checkConfig, checkMountPath } from '../workload/track-config';
import { ReleaseOptions } from './release-options';

/** What `environment` may be: a label value, so it needs no escaping in OTEL_RESOURCE_ATTRIBUTES either. */
const ENVIRONMENT = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A validated release and the engine that moves it. */
export interface ResolvedOptions extends ResolvedRelease {
  readonly engine: DeliveryEngine;
}

/** Validates the props both constructs share and fills in their defaults. */
export function resolveRelease(owner: string, id: string, props: ReleaseOptions): ResolvedOptions {
  if (props === undefined || props === null || typeof props !== 'object') {
    fail(owner, 'props', props, 'must be an object');
  }
  const name = checkDns1035Label(owner, 'name', props.name ?? id);
  const containerPort = checkPort(owner, 'containerPort', props.containerPort);
  const servicePort = checkPort(owner, 'servicePort', props.servicePort ?? containerPort);
  const appProtocol = props.appProtocol ?? AppProtocol.HTTP;
  if (!Object.values(AppProtocol).includes(appProtocol)) {
    fail(owner, 'appProtocol', appProtocol, `must be an AppProtocol: ${Object.keys(AppProtocol).map((k) => `AppProtocol.${k}`).join(' or ')}`);
  }
  if (appProtocol === AppProtocol.GRPC && props.smokeTest !== undefined) {
    fail(owner, 'smokeTest', props.smokeTest, 'is not allowed with appProtocol AppProtocol.GRPC: a smoke test sends HTTP/1.1 GET requests with curl and checks their HTTP status, while a gRPC server answers HTTP/2 POSTs of a method and says how a call went in its grpc-status trailer; leave smokeTest out (or run a gRPC health check of your own)');
  }
  checkContainerOpts(owner, 'container', props.container);
  checkMetadata(owner, 'metadata', props.metadata);
  checkMetadata(owner, 'podMetadata', props.podMetadata);
  if (props.automountServiceAccountToken !== undefined && typeof props.automountServiceAccountToken !== 'boolean') {
    fail(owner, 'automountServiceAccountToken', props.automountServiceAccountToken, 'must be true or false');
  }
  if (props.environment !== undefined && (typeof props.environment !== 'string' || !ENVIRONMENT.test(props.environment))) {
    fail(owner, 'environment', props.environment, 'must be at most 63 letters, digits, \'-\', \'_\' and \'.\', alphanumeric at both ends (it is an OpenTelemetry resource attribute and a label value), e.g. \'production\'');
  }
  const configMountPath = props.configMountPath === undefined ? undefined : checkMountPath(owner, 'configMountPath', props.configMountPath);
  const config = checkConfig(owner, 'config', props.config, configMountPath !== undefined);
  if (props.analysis !== undefined && !(props.analysis instanceof CanaryAnalysis)) {
    fail(owner, 'analysis', props.analysis, 'must be a CanaryAnalysis, e.g. CanaryAnalysis.prometheus({ address, maxErrorRate })');
  }
  if (props.engine !== undefined && !(props.engine instanceof DeliveryEngine)) {
    fail(owner, 'engine', props.engine, 'must be a DeliveryEngine: DeliveryEngine.manifests(), DeliveryEngine.argoRollouts() or DeliveryEngine.flagger()');
  }
  if (props.router !== undefined && !(props.router instanceof TrafficRouter)) {
    fail(owner, 'router', props.router, 'must be a TrafficRouter, e.g. TrafficRouter.nginx()');
  }
  return {
    owner,
    name,
    containerPort,
    servicePort,
    appProtocol,
    container: props.container ?? {},
    strategy: props.strategy ?? kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.percent(25),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    metadata: { labels: props.metadata?.labels, annotations: props.metadata?.annotations },
    podMetadata: { labels: props.podMetadata?.labels, annotations: props.podMetadata?.annotations },
    serviceAccount: props.serviceAccount,
    automountServiceAccountToken: props.automountServiceAccountToken ?? false,
    environment: props.environment,
    config,
    configMountPath,
    smokeTest: resolveSmokeTest(owner, props.smokeTest),
    disruptionBudget: checkDisruptionBudget(owner, props.disruptionBudget),
    autoscaling: resolveAutoscaling(owner, props.autoscaling),
    router: props.router ?? TrafficRouter.service(),
    analysis: props.analysis,
    engine: props.engine ?? DeliveryEngine.manifests(),
  };
}

function checkMetadata(owner: string, prop: string, metadata: ApiObjectMetadata | undefined): void {
  if (metadata === undefined) return;
  for (const key of ['name', 'namespace', 'generateName'] as const) {
    if (metadata[key] !== undefined) {
      fail(owner, `${prop}.${key}`, metadata[key], 'is not allowed: names come from `name` and the namespace from the chart');
    }
  }
  for (const key of RESERVED_LABELS) {
    if (metadata.labels?.[key] !== undefined) {
      fail(owner, `${prop}.labels.${key}`, metadata.labels[key], `is not allowed: the library sets the '${key}' label and selects pods by it`);
    }
  }
  checkLabels(owner, `${prop}.labels`, metadata.labels);
  // The API server checks annotation keys like label keys, and their total size.
  let size = 0;
  for (const [key, value] of Object.entries({ ...metadata.annotations })) {
    if (!isQualifiedName(key)) {
      fail(owner, `${prop}.annotations key`, key, `must be an annotation key: ${QUALIFIED_NAME}`);
    }
    if (typeof value !== 'string') {
      fail(owner, `${prop}.annotations[${JSON.stringify(key)}]`, value, 'must be a string');
    }
    size += key.length + value.length;
  }
  if (size > 256 * 1024) {
    fail(owner, `${prop}.annotations`, `${size} characters`, 'must total at most 256 KiB (keys and values), the API server\'s limit');
  }
}
