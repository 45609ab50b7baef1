import { Testing } from 'cdk8s';
import { CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, TrafficRouter } from '../../src';
import { K8sObject, PATH_LABEL, find, objectIds, ofKind, podsSelectedBy, selectorAndPodLabelKeys, selectorLabelKeys, synthValid } from '../util';

/** The library's reference app: service port 8080 to container port 80. */
const myapp = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };

function synth(props: CanaryReleaseProps, id = 'myapp'): { release: CanaryRelease; manifests: K8sObject[] } {
  const chart = Testing.chart();
  const release = new CanaryRelease(chart, id, props);
  return { release, manifests: synthValid(chart) };
}

describe('CanaryRelease with TrafficRouter.service() (the default router)', () => {
  test('stable only: one Deployment, its PodDisruptionBudget and the Service clients call', () => {
    const { manifests } = synth({ ...myapp, stable: v1 });

    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v1', 'PodDisruptionBudget/myapp-v1', 'Service/myapp']);
    const deployment = find(manifests, 'Deployment', 'myapp-v1');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'myapp', version: 'v1' } });
    expect(deployment.spec.template.metadata.labels).toEqual({ 'app': 'myapp', 'version': 'v1', 'app.kubernetes.io/name': 'myapp', 'app.kubernetes.io/version': 'v1' });
    const service = find(manifests, 'Service', 'myapp');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 80 }]);
    expect(podsSelectedBy(service, manifests)).toEqual(['myapp-v1']);
    // <name> selects the app, not the version: a canary added later joins the split.
    expect(service.spec.selector).toEqual({ app: 'myapp' });
  });

  test('a canary is a replica-ratio split: <name> selects every track, <name>-canary only the canary', () => {
    const { manifests } = synth({ ...myapp, stable: v1, canary: v2, router: TrafficRouter.service() });

    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-canary']);
    expect(find(manifests, 'Deployment', 'myapp-v1').spec.replicas).toBe(3);
    expect(find(manifests, 'Deployment', 'myapp-v2').spec.replicas).toBe(1);
    expect(find(manifests, 'Service', 'myapp').spec.selector).toEqual({ app: 'myapp' });
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v1', 'myapp-v2']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-canary'), manifests)).toEqual(['myapp-v2']);
    expect(find(manifests, 'Service', 'myapp-canary').spec.selector).toEqual({ app: 'myapp', version: 'v2' });
  });

  test('no path-derived label in any selector or pod template; the recommended labels on the pods only', () => {
    const { manifests } = synth({ ...myapp, stable: v1, canary: v2 });

    expect(selectorAndPodLabelKeys(manifests)).toEqual(['app', 'app.kubernetes.io/name', 'app.kubernetes.io/version', 'version']);
    expect(selectorLabelKeys(manifests)).toEqual(['app', 'version']);
    expect(JSON.stringify(manifests)).not.toContain(PATH_LABEL);
  });

  test('the construct exposes its cdk8s-plus objects', () => {
    const { release } = synth({ ...myapp, stable: v1, canary: v2 });

    expect(release.name).toBe('myapp');
    expect(release.stableDeployment.name).toBe('myapp-v1');
    expect(release.canaryDeployment?.name).toBe('myapp-v2');
    expect(release.service.name).toBe('myapp');
    expect(release.canaryService?.name).toBe('myapp-canary');
  });

  test('without a canary there is no canary Deployment or Service', () => {
    const { release } = synth({ ...myapp, stable: v1 });

    expect(release.canaryDeployment).toBeUndefined();
    expect(release.canaryService).toBeUndefined();
  });

  test('`name` names the objects instead of the construct id', () => {
    const { release, manifests } = synth({ ...myapp, name: 'shop', stable: v1, canary: v2 }, 'ShopRelease');

    expect(release.name).toBe('shop');
    expect(objectIds(manifests)).toEqual(['Deployment/shop-v1', 'Deployment/shop-v2', 'PodDisruptionBudget/shop-v1', 'PodDisruptionBudget/shop-v2', 'Service/shop', 'Service/shop-canary']);
    expect(find(manifests, 'Deployment', 'shop-v1').spec.template.metadata.labels.app).toBe('shop');
  });

  test('servicePort defaults to containerPort', () => {
    const { manifests } = synth({ containerPort: 8080, stable: v1 });

    expect(find(manifests, 'Service', 'myapp').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080 }]);
  });

  test('a dotted version names the Deployment with dashes and labels the pods with the version as given', () => {
    const { manifests } = synth({ ...myapp, stable: { version: '1.4.2', image: 'myapp:1.4.2' }, canary: { version: '1.5.0', image: 'myapp:1.5.0' } });

    const deployment = find(manifests, 'Deployment', 'myapp-1-4-2');
    expect(deployment.spec.selector.matchLabels).toEqual({ app: 'myapp', version: '1.4.2' });
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-canary'), manifests)).toEqual(['myapp-1-5-0']);
    expect(objectIds(manifests)).toEqual(['Deployment/myapp-1-4-2', 'Deployment/myapp-1-5-0', 'PodDisruptionBudget/myapp-1-4-2', 'PodDisruptionBudget/myapp-1-5-0', 'Service/myapp', 'Service/myapp-canary']);
    expect(find(manifests, 'Deployment', 'myapp-1-5-0').spec.template.metadata.labels).toEqual({ 'app': 'myapp', 'version': '1.5.0', 'app.kubernetes.io/name': 'myapp', 'app.kubernetes.io/version': '1.5.0' });
    expect(find(manifests, 'Service', 'myapp-canary').spec.selector).toEqual({ app: 'myapp', version: '1.5.0' });
  });
});

describe('CanaryRelease with TrafficRouter.nginx()', () => {
  test('the DESIGN.md example: header, then cookie, then 10% weight', () => {
    const { manifests } = synth({
      ...myapp,
      stable: v1,
      canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', weight: 10 } },
      router: TrafficRouter.nginx({ host: 'myapp.example.com' }),
    });

    expect(objectIds(manifests)).toEqual([
      'Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-canary', 'Ingress/myapp', 'Ingress/myapp-canary',
    ]);
    // A client that bypasses the Ingress never lands on the canary.
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v1']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-canary'), manifests)).toEqual(['myapp-v2']);
    expect(find(manifests, 'Ingress', 'myapp').spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'myapp', port: { number: 8080 } } });
    expect(find(manifests, 'Ingress', 'myapp-canary').spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'myapp-canary', port: { number: 8080 } } });
    expect(find(manifests, 'Ingress', 'myapp-canary').metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-by-header': 'stage',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'gray',
      'nginx.ingress.kubernetes.io/canary-by-cookie': 'canary',
      'nginx.ingress.kubernetes.io/canary-weight': '10',
      'nginx.ingress.kubernetes.io/canary-weight-total': '100',
    });
    for (const name of ['myapp', 'myapp-canary']) {
      const rule = find(manifests, 'Ingress', name).spec.rules[0];
      expect([name, rule.host, rule.http.paths[0].path, rule.http.paths[0].pathType]).toEqual([name, 'myapp.example.com', '/', 'Prefix']);
    }
  });

  test('no canary: the stable Deployment and its PodDisruptionBudget, the Service and the main Ingress only', () => {
    const { manifests } = synth({ ...myapp, stable: v1, router: TrafficRouter.nginx() });

    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v1', 'PodDisruptionBudget/myapp-v1', 'Service/myapp', 'Ingress/myapp']);
    expect(find(manifests, 'Ingress', 'myapp').metadata.annotations).toBeUndefined();
    // Behind a router <name> selects the stable version: a client that bypasses the Ingress never lands on a canary.
    expect(find(manifests, 'Service', 'myapp').spec.selector).toEqual({ app: 'myapp', version: 'v1' });
    expect(find(manifests, 'Ingress', 'myapp').spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'myapp', port: { number: 8080 } } });
  });

  test('a canary with no traffic rules runs and receives nothing: weight 0', () => {
    const { manifests } = synth({ ...myapp, stable: v1, canary: v2, router: TrafficRouter.nginx() });

    const annotations = find(manifests, 'Ingress', 'myapp-canary').metadata.annotations;
    expect(annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '0',
      'nginx.ingress.kubernetes.io/canary-weight-total': '100',
    });
  });
});

describe('promotion', () => {
  /** Commit 1 of the README's procedure: the canary gets the stable replica count and the whole weight. */
  const fullCanary = (router: TrafficRouter): CanaryReleaseProps => ({
    ...myapp,
    stable: v1,
    canary: { ...v2, replicas: 3, traffic: { weight: 100 } },
    router,
  });
  /** Commit 2: stable becomes v2, the canary goes away. */
  const promoted = (router: TrafficRouter): CanaryReleaseProps => ({ ...myapp, stable: { ...v2, replicas: 3 }, router });

  test('nginx: the v2 Deployment keeps its name, selector and pod template; Service and Ingress names stay', () => {
    const before = synth(fullCanary(TrafficRouter.nginx({ host: 'myapp.example.com' })));
    const after = synth(promoted(TrafficRouter.nginx({ host: 'myapp.example.com' })));

    expect(find(before.manifests, 'Ingress', 'myapp-canary').metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight']).toBe('100');

    const v2Before = find(before.manifests, 'Deployment', 'myapp-v2');
    const v2After = find(after.manifests, 'Deployment', 'myapp-v2');
    expect(JSON.stringify(v2After.metadata.name)).toBe(JSON.stringify(v2Before.metadata.name));
    expect(JSON.stringify(v2After.spec.selector)).toBe(JSON.stringify(v2Before.spec.selector));
    expect(JSON.stringify(v2After.spec.template)).toBe(JSON.stringify(v2Before.spec.template));
    expect(v2After.spec.replicas).toBe(v2Before.spec.replicas);
    // Same construct path: cdk8s keeps the same object, whatever role the version plays.
    expect(after.release.stableDeployment.node.path).toBe(before.release.canaryDeployment!.node.path);

    expect(objectIds(after.manifests)).toEqual(['Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Ingress/myapp']);
    expect(podsSelectedBy(find(after.manifests, 'Service', 'myapp'), after.manifests)).toEqual(['myapp-v2']);
    expect(JSON.stringify(find(after.manifests, 'Ingress', 'myapp'))).toBe(JSON.stringify(find(before.manifests, 'Ingress', 'myapp')));
    // Commit 1: v2 runs as many pods as v1 and gets every request through the canary Ingress.
    expect(objectIds(before.manifests)).toEqual(['Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-canary', 'Ingress/myapp', 'Ingress/myapp-canary']);
    expect(v2Before.spec.replicas).toBe(3);
    expect(podsSelectedBy(find(before.manifests, 'Service', 'myapp'), before.manifests)).toEqual(['myapp-v1']);
    expect(podsSelectedBy(find(before.manifests, 'Service', 'myapp-canary'), before.manifests)).toEqual(['myapp-v2']);
    expect(find(after.manifests, 'Service', 'myapp').spec.selector).toEqual({ app: 'myapp', version: 'v2' });
  });

  test('service(): the v2 Deployment is byte-identical before and after, the Service keeps its name', () => {
    const before = synth({ ...myapp, stable: v1, canary: { ...v2, replicas: 3 } });
    const after = synth(promoted(TrafficRouter.service()));

    const v2Before = find(before.manifests, 'Deployment', 'myapp-v2');
    const v2After = find(after.manifests, 'Deployment', 'myapp-v2');
    expect(JSON.stringify(v2After)).toBe(JSON.stringify(v2Before));
    expect(objectIds(after.manifests)).toEqual(['Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v2', 'Service/myapp']);
    expect(JSON.stringify(find(after.manifests, 'Service', 'myapp'))).toBe(JSON.stringify(find(before.manifests, 'Service', 'myapp')));
  });

  test('the old stable Deployment and the canary objects go away', () => {
    const after = synth(promoted(TrafficRouter.nginx()));

    expect(ofKind(after.manifests, 'Deployment').map((d) => d.metadata.name)).toEqual(['myapp-v2']);
    expect(after.manifests.filter((o) => o.metadata.name.endsWith('-canary'))).toEqual([]);
  });
});

describe('CanaryRelease bad input', () => {
  test('throws when the canary has the same version as stable', () => {
    expect(() => synth({ ...myapp, stable: v1, canary: { ...v2, version: 'v1' } }))
      .toThrow("CanaryRelease 'myapp': canary.version (\"v1\") must differ from stable.version");
  });

  test("throws when the canary's <v> equals stable's ('1.0' vs '1-0')", () => {
    expect(() => synth({ ...myapp, stable: { ...v1, version: '1.0' }, canary: { ...v2, version: '1-0' } }))
      .toThrow('canary.version ("1-0") must not name the same Deployment as stable.version ("1.0"): both become "myapp-1-0"');
  });

  test('throws when canary.traffic is given with TrafficRouter.service()', () => {
    expect(() => synth({ ...myapp, stable: v1, canary: { ...v2, traffic: { weight: 10 } } }))
      .toThrow("CanaryRelease 'myapp': canary.traffic ({\"weight\":10}) needs a router that steers requests");
  });

  test('throws when canary.traffic is given with TrafficRouter.service(), even empty', () => {
    expect(() => synth({ ...myapp, stable: v1, canary: { ...v2, traffic: {} }, router: TrafficRouter.service() }))
      .toThrow('canary.traffic ({}) needs a router that steers requests');
  });

  test.each([
    [150, "CanaryRelease 'myapp': canary.traffic.weight (150) must be a whole number between 0 and weightTotal (100)"],
    [-1, 'canary.traffic.weight (-1) must be a whole number between 0 and weightTotal (100)'],
    [2.5, 'canary.traffic.weight (2.5) must be a whole number between 0 and weightTotal (100)'],
  ])('throws when the weight is out of range: %p', (weight, message) => {
    expect(() => synth({ ...myapp, stable: v1, canary: { ...v2, traffic: { weight } }, router: TrafficRouter.nginx() }))
      .toThrow(message);
  });

  test('throws when the weight exceeds a custom weightTotal', () => {
    expect(() => synth({ ...myapp, stable: v1, canary: { ...v2, traffic: { weight: 1001, weightTotal: 1000 } }, router: TrafficRouter.nginx() }))
      .toThrow('canary.traffic.weight (1001) must be a whole number between 0 and weightTotal (1000)');
  });

  test('a weight equal to weightTotal is allowed', () => {
    const { manifests } = synth({ ...myapp, stable: v1, canary: { ...v2, traffic: { weight: 1000, weightTotal: 1000 } }, router: TrafficRouter.nginx() });

    expect(find(manifests, 'Ingress', 'myapp-canary').metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight']).toBe('1000');
  });

  test.each([99, 0, 1_000_001, 150.5])('throws when weightTotal is %p', (weightTotal) => {
    expect(() => synth({ ...myapp, stable: v1, canary: { ...v2, traffic: { weight: 1, weightTotal } }, router: TrafficRouter.nginx() }))
      .toThrow(`CanaryRelease 'myapp': canary.traffic.weightTotal (${weightTotal}) must be a whole number between 100 and 1000000`);
  });

  test.each(['my cookie', 'a;b', 'canary=1', '', 'caf\u00e9'])('throws when the cookie name is not a cookie token: %p', (cookie) => {
    expect(() => synth({ ...myapp, stable: v1, canary: { ...v2, traffic: { cookie } }, router: TrafficRouter.nginx() }))
      .toThrow(`CanaryRelease 'myapp': canary.traffic.cookie (${JSON.stringify(cookie)}) must be`);
  });

  test('throws when the header is not a HeaderMatch', () => {
    const header = { name: 'stage', value: 'gray' } as unknown as HeaderMatch;
    expect(() => synth({ ...myapp, stable: v1, canary: { ...v2, traffic: { header } }, router: TrafficRouter.nginx() }))
      .toThrow('canary.traffic.header ({"name":"stage","value":"gray"}) must be a HeaderMatch');
  });
});

describe('a canary with no pods receives no requests', () => {
  const istio = () => TrafficRouter.istio({ hosts: ['myapp.example.com'] });
  const plan = [CanaryStep.shiftTraffic(0), CanaryStep.shiftTraffic(10), CanaryStep.shiftTraffic(100)];
  const noPods = { ...v2, replicas: 0 };
  const refused = /CanaryRelease 'myapp': canary\.replicas \(0\) must be at least 1 while the canary receives requests \((.+)\): a version with no pods answers them with 503/;

  test.each<[string, Partial<CanaryReleaseProps>, string]>([
    ['a weight on Istio', { router: istio(), canary: { ...noPods, traffic: { weight: 10 } } }, 'weight 10 (canary.traffic.weight)'],
    ['a weight on nginx', { router: TrafficRouter.nginx({ host: 'myapp.example.com' }), canary: { ...noPods, traffic: { weight: 1 } } }, 'weight 1 (canary.traffic.weight)'],
    ['a header rule', { router: istio(), canary: { ...noPods, traffic: { header: HeaderMatch.exact('stage', 'gray') } } }, 'a header rule (canary.traffic.header)'],
    ['a cookie rule', { router: istio(), canary: { ...noPods, traffic: { cookie: 'canary' } } }, 'a cookie rule (canary.traffic.cookie)'],
    ['a step with weight', { router: istio(), steps: plan, canary: { ...noPods, step: 1 } }, 'weight 10 at steps[1]'],
    ['Argo Rollouts with a header rule', { router: istio(), engine: DeliveryEngine.argoRollouts(), canary: { ...noPods, traffic: { header: HeaderMatch.exact('stage', 'gray') } } }, 'a header rule (canary.traffic.header)'],
  ])('throws when %s would send it requests, naming canary.replicas', (_case, props, reason) => {
    expect(() => synth({ ...myapp, stable: v1, ...props } as CanaryReleaseProps)).toThrow(refused);
    expect(() => synth({ ...myapp, stable: v1, ...props } as CanaryReleaseProps)).toThrow(`(${reason})`);
  });

  test('0 replicas and no traffic yet is a canary being prepared: allowed', () => {
    const { manifests } = synth({ ...myapp, stable: v1, router: istio(), steps: plan, canary: { ...noPods, step: 0 } });

    expect(find(manifests, 'Deployment', 'myapp-v2').spec.replicas).toBe(0);
  });

  test('under Argo Rollouts a weighted plan is allowed: the controller scales the canary with its weight', () => {
    const { manifests } = synth({ ...myapp, stable: v1, router: istio(), engine: DeliveryEngine.argoRollouts(), steps: plan, canary: noPods });

    expect(find(manifests, 'Rollout', 'myapp').spec.strategy.canary.steps.slice(0, 5)).toEqual([
      { setCanaryScale: { replicas: 0 } }, { setWeight: 0 }, { setCanaryScale: { weight: 10 } }, { setWeight: 10 }, { setCanaryScale: { matchTrafficWeight: true } },
    ]);
  });
});
