/** The test helpers fail when they should: a schema check that cannot fail checks nothing. */
import { ApiObject, Testing } from 'cdk8s';
import * as path from 'path';
import { FLAGGER_CRD, K8sObject, crdValidator, objectIds, ofKinds, podsSelectedBy, promqlExpressions, promqlSyntaxErrors, synthValid, validateObject } from './util';
import { promqlOperators } from './promql-operators';

const deployment = (spec: object): K8sObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec });
const validSpec = {
  selector: { matchLabels: { app: 'a' } },
  template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
};

describe('synthValid', () => {
  test('fails on a schema error, naming the object', () => {
    const chart = Testing.chart();
    new ApiObject(chart, 'bad', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad' }, spec: { ports: [{ port: 'eighty' }] } });

    expect(() => synthValid(chart)).toThrow('v1/Service "bad" is invalid: data/spec/ports/0/port must be integer');
  });

  test('fails on a kind it has no model for', () => {
    const chart = Testing.chart();
    new ApiObject(chart, 'x', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } });

    expect(() => synthValid(chart)).toThrow('no schema model for example.com/v1/Widget');
  });

  test('validates Istio v1 objects with the v1beta1 schema', () => {
    const bad: K8sObject = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'v' }, spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' }, weight: '10' }] }] } };
    expect(() => validateObject(bad)).toThrow('data/spec/http/0/route/0/weight must be integer');
    expect(() => validateObject({ ...bad, spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' }, weight: 10 }] }] } })).not.toThrow();
  });

  test('validates Gateway API HTTPRoutes', () => {
    const route: K8sObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { parentRefs: [{ name: 'g' }], rules: [{ backendRefs: [{ name: 's', port: 80, weight: 1_000_001 }] }] } };
    expect(() => validateObject(route)).toThrow('weight must be <= 1000000');
  });

  test('validates Argo Rollouts Rollouts and AnalysisTemplates', () => {
    const rollout: K8sObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r' }, spec: { ...validSpec, strategy: { canary: { steps: [{ setWeight: 'five' }] } } } };
    expect(() => validateObject(rollout)).toThrow('argoproj.io/v1alpha1/Rollout "r" is invalid: data/spec/strategy/canary/steps/0/setWeight must be integer');
    expect(() => validateObject({ ...rollout, spec: { ...validSpec, strategy: { canary: { steps: [{ setWeight: 5 }] } } } })).not.toThrow();
    expect(() => validateObject({ ...rollout, spec: { ...validSpec, selector: { matchLabels: { app: 'b' } }, strategy: { canary: {} } } }))
      .toThrow('spec.selector app=b does not match the pod template labels');
    const template: K8sObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 't' }, spec: { metrics: [{ provider: { prometheus: { query: 'up' } } }] } };
    expect(() => validateObject(template)).toThrow('data/spec/metrics/0 must have required property \'name\'');
  });

  test('validates prometheus-operator PrometheusRules', () => {
    const rule = (r: object): K8sObject => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'p' }, spec: { groups: [{ name: 'g', rules: [r] }] } });
    expect(() => validateObject(rule({ alert: 'A', expr: 'up == 0', for: '5m' }))).not.toThrow();
    expect(() => validateObject(rule({ alert: 'A', expr: 'up == 0', for: 'five minutes' }))).toThrow('monitoring.coreos.com/v1/PrometheusRule "p" is invalid: data/spec/groups/0/rules/0/for must match pattern');
    // The CRD's patterns are Go regular expressions, matched with RE2 as the API server does.
    const group = (strategy: string): K8sObject => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'p' }, spec: { groups: [{ name: 'g', partial_response_strategy: strategy, rules: [] }] } });
    expect(() => validateObject(group('WARN'))).not.toThrow();
    expect(() => validateObject(group('ignore'))).toThrow('data/spec/groups/0/partial_response_strategy must match pattern "^(?i)(abort|warn)?$"');
  });

  describe('Flagger objects, against the upstream CRD schema', () => {
    const canary = (analysis: object, service: object = { port: 8080, targetPort: 80 }): K8sObject => ({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'c' },
      spec: { provider: 'nginx', targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'c' }, service, analysis },
    });
    const analysis = { interval: '1m', threshold: 3, stepWeights: [5, 50] };

    test('accepts a valid Canary', () => {
      expect(() => validateObject(canary(analysis))).not.toThrow();
    });

    test('rejects a wrong type, an unknown enum value and a bad duration', () => {
      expect(() => validateObject(canary({ ...analysis, threshold: '3' })))
        .toThrow('flagger.app/v1beta1/Canary "c" is invalid: data/spec/analysis/threshold must be number');
      expect(() => validateObject({ ...canary(analysis), spec: { ...canary(analysis).spec, provider: 'nginx-ingress' } }))
        .toThrow('data/spec/provider must be equal to one of the allowed values: ["apisix"');
      // Flagger's CRD takes durations in minutes or seconds only.
      expect(() => validateObject(canary({ ...analysis, interval: '1h' }))).toThrow('data/spec/analysis/interval must match pattern "^[0-9]+(m|s)"');
    });

    test('rejects an unknown field, which the API server would prune', () => {
      expect(() => validateObject(canary({ ...analysis, stepWeigths: [5] })))
        .toThrow('data/spec/analysis must NOT have additional properties: "stepWeigths"');
    });

    test('the analysis is exactly one of iterations, stepWeight, stepWeights', () => {
      expect(() => validateObject(canary({ interval: '1m', threshold: 3, iterations: 10, stepWeights: [5] })))
        .toThrow('data/spec/analysis must match exactly one schema in oneOf');
      expect(() => validateObject(canary({ interval: '1m', threshold: 3 }))).toThrow('must match exactly one schema in oneOf');
    });

    test('x-kubernetes-int-or-string: targetPort is an integer or a string, nothing else', () => {
      expect(() => validateObject(canary(analysis, { port: 8080, targetPort: 'http' }))).not.toThrow();
      expect(() => validateObject(canary(analysis, { port: 8080, targetPort: 80 }))).not.toThrow();
      expect(() => validateObject(canary(analysis, { port: 8080, targetPort: 80.5 }))).toThrow('data/spec/service/targetPort must be integer');
      expect(() => validateObject(canary(analysis, { port: 8080, targetPort: true }))).toThrow('data/spec/service/targetPort must be integer');
    });

    test('validates MetricTemplates', () => {
      const template = (spec: object): K8sObject => ({ apiVersion: 'flagger.app/v1beta1', kind: 'MetricTemplate', metadata: { name: 'm' }, spec });
      expect(() => validateObject(template({ provider: { type: 'prometheus', address: 'http://p:9090' }, query: 'up' }))).not.toThrow();
      expect(() => validateObject(template({ provider: { type: 'Prometheus' }, query: 'up' }))).toThrow('data/spec/provider/type must be equal to one of the allowed values');
      expect(() => validateObject(template({ provider: { type: 'prometheus' } }))).toThrow('data/spec must have required property \'query\'');
    });

    test('fails, naming the file, when the CRD file is missing', () => {
      expect(FLAGGER_CRD).toBe(path.resolve(__dirname, '..', 'crds', 'flagger.yaml'));
      const missing = path.join(__dirname, 'no-such-crds', 'flagger.yaml');
      const validate = crdValidator(() => missing, 'flagger.app', 'v1beta1', 'Canary');
      expect(() => validate(canary(analysis))).toThrow(`the CRD file ${missing} does not exist`);
    });
  });

  test('accepts a valid Deployment and rejects one without a selector', () => {
    expect(() => validateObject(deployment(validSpec))).not.toThrow();
    expect(() => validateObject(deployment({ template: validSpec.template }))).toThrow('data/spec must have required property selector');
  });

  test('rejects a Deployment whose selector does not match its pod template', () => {
    expect(() => validateObject(deployment({ ...validSpec, selector: { matchLabels: { app: 'b' } } })))
      .toThrow('spec.selector app=b does not match the pod template labels');
  });

  test('rejects an object name that is not a DNS label of at most 63 characters', () => {
    expect(() => validateObject({ ...deployment(validSpec), metadata: { name: 'a'.repeat(64) } })).toThrow('metadata.name is not a valid DNS-1123 label');
    expect(() => validateObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: '1svc' }, spec: {} })).toThrow('metadata.name is not a valid DNS-1035 label');
  });

  test('rejects an invalid label value', () => {
    expect(() => validateObject({ ...deployment(validSpec), metadata: { name: 'd', labels: { app: 'a b' } } })).toThrow('metadata.labels.app has an invalid label value');
  });
});

describe('podsSelectedBy', () => {
  const pod = (name: string, labels: { [key: string]: string }): K8sObject => ({ ...deployment({ ...validSpec, template: { ...validSpec.template, metadata: { labels } } }), metadata: { name } });
  const service = (selector?: { [key: string]: string }): K8sObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector } });
  const deployments = [pod('a-v1', { app: 'a', version: 'v1' }), pod('a-v2', { app: 'a', version: 'v2' }), pod('b-v1', { app: 'b', version: 'v1' })];

  test('a selector picks the Deployments whose pod labels include it', () => {
    expect(podsSelectedBy(service({ app: 'a' }), deployments)).toEqual(['a-v1', 'a-v2']);
    expect(podsSelectedBy(service({ app: 'a', version: 'v2' }), deployments)).toEqual(['a-v2']);
    expect(podsSelectedBy(service({ app: 'c' }), deployments)).toEqual([]);
  });

  test('a Service without a selector selects nothing', () => {
    expect(podsSelectedBy(service(undefined), deployments)).toEqual([]);
  });
});

describe('ofKinds', () => {
  const object = (kind: string, name: string): K8sObject => ({ apiVersion: 'v1', kind, metadata: { name } });
  const manifests = [object('Deployment', 'a'), object('VirtualService', 'a'), object('Service', 'a'), object('DestinationRule', 'a')];

  test('keeps the objects of the kinds named, in chart order', () => {
    expect(objectIds(ofKinds(manifests, 'DestinationRule', 'VirtualService'))).toEqual(['VirtualService/a', 'DestinationRule/a']);
    expect(ofKinds(manifests, 'Ingress')).toEqual([]);
  });

  test('throws when no kind is named (it would keep nothing, and a snapshot of nothing asserts nothing)', () => {
    expect(() => ofKinds(manifests)).toThrow('ofKinds: name at least one kind');
  });
});

describe('promqlSyntaxErrors', () => {
  test('accepts the kinds of expressions the library writes', () => {
    for (const q of [
      '100 * sum(rate(x_total{a="b",c!="",d=~"5.."}[2m])) / sum(rate(x_total{a="b"}[2m]))',
      'histogram_quantile(0.99, sum by (le) (rate(x_bucket{a="b"}[90s]))) / 1000',
      '(up) > 0.5',
    ]) {
      expect({ q, errors: promqlSyntaxErrors(q) }).toEqual({ q, errors: [] });
    }
  });

  test.each([
    ['an unclosed parenthesis', 'sum(rate(x_total[2m])'],
    ['a dangling operator', 'sum(rate(x_total[2m])) >'],
    ['an unfilled placeholder', 'rate(x_total{app="{{name}}"}[{{window}}])'],
    ['a bad range', 'rate(x_total[2 minutes])'],
    ['an empty expression', ' '],
  ])('finds %s', (_what, q) => {
    expect(promqlSyntaxErrors(q)).not.toEqual([]);
  });

  test('promqlExpressions finds PrometheusRule exprs, AnalysisTemplate and MetricTemplate queries', () => {
    const manifests: K8sObject[] = [
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'p' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0' }] }] } },
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 't' }, spec: { metrics: [{ name: 'm', provider: { prometheus: { query: 'up' } } }] } },
      { apiVersion: 'flagger.app/v1beta1', kind: 'MetricTemplate', metadata: { name: 'f' }, spec: { provider: { type: 'prometheus' }, query: 'up > 0' } },
    ];
    expect(promqlExpressions(manifests)).toEqual([['PrometheusRule p A', 'up == 0'], ['AnalysisTemplate t m', 'up'], ['MetricTemplate f', 'up > 0']]);
  });
});

describe('promqlOperators', () => {
  test('groups operators as Prometheus does: `or` binds loosest, `bool` and `on()` kept as modifiers', () => {
    expect(promqlOperators('a / b >= 0 or on() vector(0)', 2)).toEqual([['a / b', '>=', '0'], 'or', 'on()', 'vector(0)']);
    expect(promqlOperators('a / (b >= 0 or on() vector(0))', 1)).toEqual(['a', '/', '(b >= 0 or on() vector(0))']);
    expect(promqlOperators('(x) > bool 5', 1)).toEqual(['(x)', '>', 'bool', '5']);
    expect(promqlOperators('((x))', 3)).toBe('x');
  });

  test('throws when an expression does not parse', () => {
    expect(() => promqlOperators('sum(x >', 1)).toThrow('not PromQL');
  });
});
