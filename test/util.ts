/**
 * Test helpers: synthesize a chart and check every object against the upstream schemas.
 *
 * `synthValid(chart)` is the only way tests synthesize: it fails on any schema error and on
 * any object whose apiVersion/kind has no model below, so nothing reaches a snapshot unchecked.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import Ajv, { AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import { Chart, Testing } from 'cdk8s';
import { RE2JS } from 're2js';
import { parseAllDocuments } from 'yaml';
import { AnalysisTemplate, Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import { VirtualService as IstioVirtualService, DestinationRule as IstioDestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
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
  'batch/v1/Job': model(Job),
  'v1/Service': model(Service),
  'v1/ServiceAccount': model(ServiceAccount),
  'v1/ConfigMap': model(ConfigMap),
  'v1/Secret': model(Secret),
  'networking.k8s.io/v1/Ingress': model(Ingress),
  'policy/v1/PodDisruptionBudget': model(PodDisruptionBudget),
  'autoscaling/v2/HorizontalPodAutoscaler': model(HorizontalPodAutoscaler),
};

/**
 * Flagger's CRDs (flagger.app: Canary, MetricTemplate, AlertProvider), as published upstream
 * (v1.44.0, see crds/SOURCE.md).
 */
export const FLAGGER_CRD = path.join(__dirname, '..', 'crds', 'flagger.yaml');

/**
 * Gateway API's standard-channel CRDs (v1.6.1, see crds/SOURCE.md): the GRPCRoute, for which
 * `@kubernetes-models/gateway-api` has no model.
 */
export const GATEWAY_API_CRD = path.join(__dirname, '..', 'crds', 'gateway-api.yaml');

/** prometheus-operator's CRDs (monitoring.coreos.com: PrometheusRule, ServiceMonitor), v0.93.0. */
export const PROMETHEUS_OPERATOR_CRD = path.join(__dirname, '..', 'crds', 'prometheus-operator.yaml');

/** Every `openAPIV3Schema` of a CRD file, by `<group>/<version>/<kind>`; read once per file. */
const crdSchemas = new Map<string, Map<string, AnySchemaObject>>();

function loadCrdSchemas(file: string): Map<string, AnySchemaObject> {
  const cached = crdSchemas.get(file);
  if (cached) return cached;
  if (!fs.existsSync(file)) {
    throw new Error(`the CRD file ${file} does not exist: it holds the upstream schemas some objects are validated against. `
      + 'It is part of the repository (crds/, see crds/SOURCE.md); tests do not skip this check');
  }
  const schemas = new Map<string, AnySchemaObject>();
  for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const version of crd.spec.versions ?? []) {
      const schema = version.schema?.openAPIV3Schema;
      if (schema) schemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, schema);
    }
  }
  crdSchemas.set(file, schemas);
  return schemas;
}

/** Formats the CRDs use: `int32`/`int64` are range checks, the rest are not checked (as by the API server for unknown formats). */
const INT_FORMATS: { [name: string]: [number, number] } = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] };

/**
 * A Kubernetes structural schema as JSON Schema for ajv:
 * - `x-kubernetes-int-or-string: true` allows an integer or a string;
 * - other `x-kubernetes-*` keywords (list types, CEL validations, ...) are left in place,
 *   unknown to ajv and ignored (`strict: false`);
 * - an object schema that lists `properties` and says nothing of other fields gets
 *   `additionalProperties: false`: the API server prunes (or, with strict field validation,
 *   rejects) unknown fields of a structural schema, so a misspelled field is an error here
 *   rather than silently gone in the cluster. Not inside `oneOf`/`anyOf`/`allOf`/`not`, whose
 *   branches only constrain the fields the enclosing schema declares.
 */
function structuralToJsonSchema(node: unknown, formats: Set<string>, inCombinator = false): unknown {
  if (Array.isArray(node)) return node.map((n) => structuralToJsonSchema(n, formats, inCombinator));
  if (node === null || typeof node !== 'object') return node;
  const out: AnySchemaObject = {};
  for (const [key, value] of Object.entries(node as AnySchemaObject)) {
    if (key === 'properties' || key === 'patternProperties') {
      out[key] = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, structuralToJsonSchema(v, formats)]));
    } else if (key === 'oneOf' || key === 'anyOf' || key === 'allOf' || key === 'not') {
      out[key] = structuralToJsonSchema(value, formats, true);
    } else if (key === 'items' || key === 'additionalProperties') {
      out[key] = typeof value === 'boolean' ? value : structuralToJsonSchema(value, formats);
    } else {
      out[key] = value;
    }
  }
  if (typeof out.format === 'string') formats.add(out.format);
  if (out['x-kubernetes-int-or-string'] === true && out.type === undefined) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }, ...(out.anyOf ?? [])];
  }
  if (!inCombinator && out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/** `data/spec/x must ...`, naming the unknown field or the allowed values where ajv's message does not. */
function describeError(e: ErrorObject): string {
  const detail = e.keyword === 'additionalProperties' ? `: ${JSON.stringify(e.params.additionalProperty)}`
    : e.keyword === 'enum' ? `: ${JSON.stringify(e.params.allowedValues)}` : '';
  return `data${e.instancePath} ${e.message}${detail}`;
}

/**
 * ajv's `code.regExp`: RE2 semantics (Go's regexp, which the API server uses for `pattern`).
 * ajv keys compiled patterns by `toString()`, so each must print its own pattern.
 */
const re2RegExp = Object.assign((pattern: string) => {
  const re = RE2JS.compile(pattern);
  return { test: (value: string) => re.matcher(value).find(), toString: () => `RE2(${pattern})` };
}, { code: 'RE2JS' });

/**
 * A validator for one kind of a CRD file, compiled once, on first use (so a test run that
 * emits no such object does not read the file). `file` is a function so that tests can point
 * it elsewhere; a missing file fails, naming it.
 */
export function crdValidator(file: () => string, group: string, version: string, kind: string): Validator {
  let validate: ValidateFunction | undefined;
  let ajv: Ajv | undefined;
  return (obj) => {
    if (!validate || !ajv) {
      const schema = loadCrdSchemas(file()).get(`${group}/${version}/${kind}`);
      if (!schema) throw new Error(`${file()} has no schema for ${group}/${version} ${kind}`);
      const formats = new Set<string>();
      const jsonSchema = structuralToJsonSchema(schema, formats) as AnySchemaObject;
      // CRD patterns are Go (RE2) regular expressions, e.g. `^(?i)(abort|warn)?$`, which
      // JavaScript's RegExp does not parse: match them with RE2, as the API server does.
      ajv = new Ajv({ strict: false, allErrors: false, code: { regExp: re2RegExp } });
      for (const name of formats) {
        const range = INT_FORMATS[name];
        ajv.addFormat(name, range ? { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= range[0] && n <= range[1] } : true);
      }
      validate = ajv.compile(jsonSchema);
    }
    if (!validate(obj)) {
      throw new Error((validate.errors ?? []).map(describeError).join(', '));
    }
  };
}

/**
 * EXTENSION POINT: custom resources (`apiVersion/kind` -> validator).
 *
 * Add a router's kinds here when it starts emitting them; an object of a kind found neither
 * here nor in KUBERNETES_MODELS fails the test.
 *
 * - Istio: `@kubernetes-models/istio` ships no networking.istio.io/v1 models; the v1 API is
 *   the v1beta1 schema promoted unchanged (Istio 1.22), so v1 objects are validated with the
 *   v1beta1 model under a v1beta1 apiVersion.
 * - Gateway API: `@kubernetes-models/gateway-api` (gateway.networking.k8s.io/v1) for the
 *   HTTPRoute; the GRPCRoute, which it does not model, against the upstream CRD in crds/.
 * - Argo Rollouts: `@kubernetes-models/argo-rollouts` (argoproj.io/v1alpha1 Rollout and
 *   AnalysisTemplate).
 * - Flagger and prometheus-operator: validated against the OpenAPI v3 schema of the upstream
 *   CRDs in crds/ themselves (`FLAGGER_CRD`, `PROMETHEUS_OPERATOR_CRD`), with ajv: see
 *   `crdValidator`. (No @kubernetes-models package exists for Flagger; the one for
 *   prometheus-operator needs Node 22 and lags the pinned version.)
 */
export const CUSTOM_RESOURCE_MODELS: { [apiVersionKind: string]: Validator } = {
  'networking.istio.io/v1/VirtualService': model(IstioVirtualService, 'networking.istio.io/v1beta1'),
  'networking.istio.io/v1/DestinationRule': model(IstioDestinationRule, 'networking.istio.io/v1beta1'),
  'networking.istio.io/v1beta1/VirtualService': model(IstioVirtualService),
  'networking.istio.io/v1beta1/DestinationRule': model(IstioDestinationRule),
  'gateway.networking.k8s.io/v1/HTTPRoute': model(HTTPRoute),
  'gateway.networking.k8s.io/v1/GRPCRoute': crdValidator(() => GATEWAY_API_CRD, 'gateway.networking.k8s.io', 'v1', 'GRPCRoute'),
  'argoproj.io/v1alpha1/Rollout': model(Rollout),
  'argoproj.io/v1alpha1/AnalysisTemplate': model(AnalysisTemplate),
  'monitoring.coreos.com/v1/PrometheusRule': crdValidator(() => PROMETHEUS_OPERATOR_CRD, 'monitoring.coreos.com', 'v1', 'PrometheusRule'),
  'flagger.app/v1beta1/Canary': crdValidator(() => FLAGGER_CRD, 'flagger.app', 'v1beta1', 'Canary'),
  'flagger.app/v1beta1/MetricTemplate': crdValidator(() => FLAGGER_CRD, 'flagger.app', 'v1beta1', 'MetricTemplate'),
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

/**
 * The objects of any of `kinds`, in chart order. A router test snapshots its own kinds only
 * (`ofKinds(manifests, 'VirtualService', 'DestinationRule')`), never the Deployments and
 * Services every router shares: a Deployment default then rewrites six whole-chart snapshots,
 * not every router scenario.
 */
export function ofKinds(manifests: K8sObject[], ...kinds: string[]): K8sObject[] {
  if (kinds.length === 0) throw new Error('ofKinds: name at least one kind');
  return manifests.filter((o) => kinds.includes(o.kind));
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

/** Every label key found in a selector anywhere in the manifests (Deployment selector, Service selector). */
export function selectorLabelKeys(manifests: K8sObject[]): string[] {
  const keys = new Set<string>();
  for (const o of manifests) {
    if (o.kind === 'Deployment') {
      Object.keys(o.spec.selector?.matchLabels ?? {}).forEach((k) => keys.add(k));
      for (const e of o.spec.selector?.matchExpressions ?? []) keys.add(e.key);
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
 * PrometheusRule rule, the query of each AnalysisTemplate Prometheus metric and of each Flagger
 * MetricTemplate of type prometheus.
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
    if (o.kind === 'MetricTemplate' && o.spec.provider?.type === 'prometheus') found.push([`MetricTemplate ${o.metadata.name}`, o.spec.query]);
  }
  return found;
}
