/**
 * Test helpers: synthesize a chart and check every object against the upstream schemas.
 *
 * `synthValid(chart)` is the only way tests synthesize: it fails on any schema error and on
 * any object whose apiVersion/kind has no model below, so nothing reaches a snapshot unchecked.
 */
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { Chart, Testing } from 'cdk8s';
import { AnalysisTemplate, Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import { VirtualService as IstioVirtualService, DestinationRule as IstioDestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
// ESM only: jest transpiles it (jest.config.js) and test/esm-resolver.js resolves its exports.
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';

/** One synthesized Kubernetes object, as `Testing.synth` returns it. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: { [key: string]: string };
    readonly annotations?: { [key: string]: string };
  };
  readonly spec?: any;
  readonly [key: string]: any;
}

/** Validates one object (plain JSON) against its schema; throws on the first error set. */
type Validator = (obj: K8sObject) => void;

/** A validator from a kubernetes-models class: `new Model(obj).validate()`. */
function model<T>(cls: new (data: T) => { validate(): void }, apiVersionOverride?: string): Validator {
  return (obj) => {
    const data = apiVersionOverride ? { ...obj, apiVersion: apiVersionOverride } : obj;
    new cls(data as unknown as T).validate();
  };
}

/** Core Kubernetes kinds, from `kubernetes-models` (the upstream OpenAPI schemas). */
const KUBERNETES_MODELS: { [apiVersionKind: string]: Validator } = {
  'apps/v1/Deployment': model(Deployment),
  'v1/Service': model(Service),
  'v1/ServiceAccount': model(ServiceAccount),
  'v1/ConfigMap': model(ConfigMap),
  'v1/Secret': model(Secret),
  'networking.k8s.io/v1/Ingress': model(Ingress),
  'policy/v1/PodDisruptionBudget': model(PodDisruptionBudget),
};

/**
 * EXTENSION POINT: custom resources (`apiVersion/kind` -> validator).
 *
 * Add a router's kinds here when it starts emitting them; an object of a kind found neither
 * here nor in KUBERNETES_MODELS fails the test.
 *
 * - Istio: `@kubernetes-models/istio` ships no networking.istio.io/v1 models; the v1 API is
 *   the v1beta1 schema promoted unchanged (Istio 1.22), so v1 objects are validated with the
 *   v1beta1 model under a v1beta1 apiVersion.
 * - Gateway API: `@kubernetes-models/gateway-api` (gateway.networking.k8s.io/v1).
 * - Argo Rollouts: `@kubernetes-models/argo-rollouts` (argoproj.io/v1alpha1 Rollout and
 *   AnalysisTemplate).
 * - prometheus-operator: `@kubernetes-models/prometheus-operator` (monitoring.coreos.com/v1
 *   PrometheusRule), an ES module only package: see jest.config.js.
 */
export const CUSTOM_RESOURCE_MODELS: { [apiVersionKind: string]: Validator } = {
  'networking.istio.io/v1/VirtualService': model(IstioVirtualService, 'networking.istio.io/v1beta1'),
  'networking.istio.io/v1/DestinationRule': model(IstioDestinationRule, 'networking.istio.io/v1beta1'),
  'networking.istio.io/v1beta1/VirtualService': model(IstioVirtualService),
  'networking.istio.io/v1beta1/DestinationRule': model(IstioDestinationRule),
  'gateway.networking.k8s.io/v1/HTTPRoute': model(HTTPRoute),
  'argoproj.io/v1alpha1/Rollout': model(Rollout),
  'argoproj.io/v1alpha1/AnalysisTemplate': model(AnalysisTemplate),
  'monitoring.coreos.com/v1/PrometheusRule': model(PrometheusRule),
};

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * What the API server checks and the OpenAPI schemas do not: names (every object we emit
 * becomes a DNS label: Services DNS-1035, the rest DNS-1123, at most 63 characters), label
 * syntax, and a Deployment's selector matching its own pod template.
 */
function checkApiServerRules(obj: K8sObject): void {
  const where = `${obj.kind} "${obj.metadata?.name}"`;
  const name = obj.metadata?.name;
  const nameRule = obj.kind === 'Service' ? DNS_1035_LABEL : DNS_1123_LABEL;
  if (typeof name !== 'string' || name.length > 63 || !nameRule.test(name)) {
    throw new Error(`${where}: metadata.name is not a valid ${obj.kind === 'Service' ? 'DNS-1035' : 'DNS-1123'} label of at most 63 characters`);
  }
  const labelMaps: Array<[string, { [key: string]: string } | undefined]> = [['metadata.labels', obj.metadata.labels]];
  if (obj.kind === 'Deployment') {
    labelMaps.push(['spec.selector.matchLabels', obj.spec.selector.matchLabels]);
    labelMaps.push(['spec.template.metadata.labels', obj.spec.template.metadata?.labels]);
    const template = obj.spec.template.metadata?.labels ?? {};
    for (const [k, v] of Object.entries<string>(obj.spec.selector.matchLabels ?? {})) {
      if (template[k] !== v) throw new Error(`${where}: spec.selector ${k}=${v} does not match the pod template labels`);
    }
  }
  if (obj.kind === 'Rollout') {
    // Argo Rollouts, like a Deployment, rejects a selector that its own pod template does not match.
    const template = obj.spec.template?.metadata?.labels ?? {};
    for (const [k, v] of Object.entries<string>(obj.spec.selector?.matchLabels ?? {})) {
      if (template[k] !== v) throw new Error(`${where}: spec.selector ${k}=${v} does not match the pod template labels`);
    }
  }
  if (obj.kind === 'Service') labelMaps.push(['spec.selector', obj.spec.selector]);
  for (const [path, labels] of labelMaps) {
    for (const [k, v] of Object.entries(labels ?? {})) {
      if (!LABEL_KEY.test(k)) throw new Error(`${where}: ${path} has an invalid label key ${JSON.stringify(k)}`);
      if (typeof v !== 'string' || !LABEL_VALUE.test(v)) throw new Error(`${where}: ${path}.${k} has an invalid label value ${JSON.stringify(v)}`);
    }
  }
}

/** Validates one object: fails on an unknown kind and on any schema error, naming the object. */
export function validateObject(obj: K8sObject): void {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const validate = KUBERNETES_MODELS[key] ?? CUSTOM_RESOURCE_MODELS[key];
  if (!validate) {
    throw new Error(`no schema model for ${key} (${obj.metadata?.name}): add one to KUBERNETES_MODELS or CUSTOM_RESOURCE_MODELS in test/util.ts`);
  }
  try {
    validate(obj);
    checkApiServerRules(obj);
  } catch (e) {
    throw new Error(`${key} "${obj.metadata?.name}" is invalid: ${(e as Error).message}`);
  }
}

/** `Testing.synth(chart)`, with every object validated against its upstream schema. */
export function synthValid(chart: Chart): K8sObject[] {
  const manifests = Testing.synth(chart) as K8sObject[];
  for (const obj of manifests) validateObject(obj);
  return manifests;
}

/** The one object of `kind` named `name`; fails when there is none or more than one. */
export function find(manifests: K8sObject[], kind: string, name: string): K8sObject {
  const found = manifests.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${kind} "${name}", found ${found.length}; objects: ${objectIds(manifests).join(', ')}`);
  }
  return found[0];
}

/** Every object of `kind`. */
export function ofKind(manifests: K8sObject[], kind: string): K8sObject[] {
  return manifests.filter((o) => o.kind === kind);
}

/** `Kind/name` of every object, in order: what a test expects the chart to contain. */
export function objectIds(manifests: K8sObject[]): string[] {
  return manifests.map((o) => `${o.kind}/${o.metadata.name}`);
}

/**
 * The names of the Deployments whose pods `service` selects (its selector is a subset of the
 * pod template's labels), sorted. A Service without a selector selects nothing here.
 */
export function podsSelectedBy(service: K8sObject, deployments: K8sObject[]): string[] {
  if (service.kind !== 'Service') throw new Error(`podsSelectedBy: ${service.kind} is not a Service`);
  const selector: { [key: string]: string } = service.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) return [];
  return deployments
    .filter((d) => d.kind === 'Deployment')
    .filter((d) => {
      const labels: { [key: string]: string } = d.spec.template.metadata?.labels ?? {};
      return Object.entries(selector).every(([k, v]) => labels[k] === v);
    })
    .map((d) => d.metadata.name)
    .sort();
}

/** The label key cdk8s-plus derives from the construct path. */
export const PATH_LABEL = 'cdk8s.io/metadata.addr';

/**
 * Every label key found in a selector or a pod template anywhere in the manifests
 * (Deployment selector and template, Service selector), for asserting what is absent.
 */
export function selectorAndPodLabelKeys(manifests: K8sObject[]): string[] {
  const keys = new Set<string>();
  for (const o of manifests) {
    if (o.kind === 'Deployment') {
      Object.keys(o.spec.selector?.matchLabels ?? {}).forEach((k) => keys.add(k));
      for (const e of o.spec.selector?.matchExpressions ?? []) keys.add(e.key);
      Object.keys(o.spec.template.metadata?.labels ?? {}).forEach((k) => keys.add(k));
    }
    if (o.kind === 'Service') Object.keys(o.spec?.selector ?? {}).forEach((k) => keys.add(k));
  }
  return [...keys].sort();
}

/** The first (only) container of a Deployment's pod template. */
export function container(deployment: K8sObject): any {
  const containers = deployment.spec.template.spec.containers;
  if (containers.length !== 1) throw new Error(`${deployment.metadata.name}: expected one container, found ${containers.length}`);
  return containers[0];
}

/**
 * The syntax errors of a PromQL expression, parsed with Prometheus's own grammar
 * (`@prometheus-io/lezer-promql`, the parser of the Prometheus web UI): one entry per error
 * node, with its offset and surroundings. Empty when the expression parses.
 */
export function promqlSyntaxErrors(query: string): string[] {
  const errors: string[] = [];
  if (query.trim() === '') return ['the expression is empty'];
  promqlParser.parse(query).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: ...${query.slice(Math.max(0, node.from - 20), node.from)}⚠${query.slice(node.from, node.from + 20)}...`);
    },
  });
  return errors;
}

/**
 * Every PromQL expression in the manifests, as `[where, expression]`: the `expr` of each
 * PrometheusRule rule and the query of each AnalysisTemplate Prometheus metric.
 */
export function promqlExpressions(manifests: K8sObject[]): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const o of manifests) {
    if (o.kind === 'PrometheusRule') {
      for (const group of o.spec.groups ?? []) {
        for (const rule of group.rules ?? []) found.push([`PrometheusRule ${o.metadata.name} ${rule.alert ?? rule.record}`, String(rule.expr)]);
      }
    }
    if (o.kind === 'AnalysisTemplate') {
      for (const metric of o.spec.metrics ?? []) {
        if (metric.provider?.prometheus) found.push([`AnalysisTemplate ${o.metadata.name} ${metric.name}`, metric.provider.prometheus.query]);
      }
    }
  }
  return found;
}
