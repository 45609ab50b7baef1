import { ApiObjectMetadata } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { objectMetadata } from '../private/metadata';
import { ReleaseOptions } from './release-options';
import { checkContainerOpts } from '../workload/track-deployment';
import { CanaryAnalysis } from '../analysis/canary-analysis';
import { DeliveryEngine } from '../engines/delivery-engine';
import { TrafficRouter } from '../routing/traffic-router';
import { QUALIFIED_NAME, RESERVED_LABELS, checkDns1035Label, checkLabels, checkPort, fail, isQualifiedName } from '../private/validation';

/** A validated release: what every track's Deployment and every Service share. */
export interface ResolvedRelease {
  readonly owner: string;
  readonly name: string;
  readonly containerPort: number;
  readonly servicePort: number;
  readonly container: kplus.ContainerOpts;
  readonly strategy: kplus.DeploymentStrategy;
  readonly metadata: ApiObjectMetadata;
  readonly podMetadata: ApiObjectMetadata;
  readonly serviceAccount?: kplus.IServiceAccount;
  readonly automountServiceAccountToken: boolean;
  readonly router: TrafficRouter;
  readonly analysis?: CanaryAnalysis;
  readonly engine: DeliveryEngine;
}

/** Validates the props both constructs share and fills in their defaults. */
export function resolveRelease(owner: string, id: string, props: ReleaseOptions): ResolvedRelease {
  if (props === undefined || props === null || typeof props !== 'object') {
    fail(owner, 'props', props, 'must be an object');
  }
  const name = checkDns1035Label(owner, 'name', props.name ?? id);
  const containerPort = checkPort(owner, 'containerPort', props.containerPort);
  const servicePort = checkPort(owner, 'servicePort', props.servicePort ?? containerPort);
  checkContainerOpts(owner, 'container', props.container);
  checkMetadata(owner, 'metadata', props.metadata);
  checkMetadata(owner, 'podMetadata', props.podMetadata);
  if (props.automountServiceAccountToken !== undefined && typeof props.automountServiceAccountToken !== 'boolean') {
    fail(owner, 'automountServiceAccountToken', props.automountServiceAccountToken, 'must be true or false');
  }
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
    container: props.container ?? {},
    strategy: props.strategy ?? kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.percent(25),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    metadata: { labels: props.metadata?.labels, annotations: props.metadata?.annotations },
    podMetadata: { labels: props.podMetadata?.labels, annotations: props.podMetadata?.annotations },
    serviceAccount: props.serviceAccount,
    automountServiceAccountToken: props.automountServiceAccountToken ?? false,
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

/** The labels (the release's plus `app: <name>`) and annotations every routing object carries. */
export function appMetadata(release: ResolvedRelease): ApiObjectMetadata {
  return { labels: { ...release.metadata.labels, app: release.name }, annotations: release.metadata.annotations };
}

/** What every router binding starts with: who asks, the app name, the port and the metadata. */
export function routingBase(release: ResolvedRelease): { owner: string; name: string; servicePort: number; metadata: ApiObjectMetadata } {
  return { owner: release.owner, name: release.name, servicePort: release.servicePort, metadata: appMetadata(release) };
}

/** Every generated object name must be a DNS label of at most 63 characters. */
export function checkObjectName(release: ResolvedRelease, objectName: string, what: string): void {
  if (objectName.length > 63) {
    fail(release.owner, 'name', release.name, `is too long: the ${what} "${objectName}" would have ${objectName.length} characters, and at most 63 are allowed; shorten the name or the version`);
  }
}

/** A Service `name` with port `http` to containerPort, selecting pods by `selector`. */
export function releaseService(scope: Construct, id: string, release: ResolvedRelease, name: string, selector: { [key: string]: string }): kplus.Service {
  const service = new kplus.Service(scope, id, {
    metadata: objectMetadata(name, { ...release.metadata.labels, app: release.name }, release.metadata.annotations),
    ports: [{ name: 'http', port: release.servicePort, targetPort: release.containerPort }],
  });
  for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
  return service;
}
