import { ApiObject, Testing } from 'cdk8s';
import { BlueGreenColor, BlueGreenRelease, BlueGreenReleaseProps, CanaryRelease, CanaryTraffic, DeliveryEngine, HeaderMatch, NginxRouterOptions, TrafficRouter } from '../../../src';
import { K8sObject, find, objectIds, ofKind, synthValid } from '../../util';

const A = 'nginx.ingress.kubernetes.io/';
const myapp = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };

/** A canary release of myapp v1 -> v2 through ingress-nginx. */
function synthCanary(traffic: CanaryTraffic | undefined, options: NginxRouterOptions = {}): K8sObject[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', { ...myapp, stable: v1, canary: { ...v2, traffic }, router: TrafficRouter.nginx(options) });
  return synthValid(chart);
}

/** The canary-* annotations of the canary Ingress (and only those). */
function canaryAnnotations(manifests: K8sObject[]): { [key: string]: string } {
  const all = find(manifests, 'Ingress', 'myapp-canary').metadata.annotations ?? {};
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(`${A}canary`)));
}

describe('the canary Ingress annotations say what the user wrote', () => {
  test('header exact: canary-by-header + canary-by-header-value', () => {
    const manifests = synthCanary({ header: HeaderMatch.exact('name', 'huazi') });

    expect(canaryAnnotations(manifests)).toEqual({
      [`${A}canary`]: 'true',
      [`${A}canary-by-header`]: 'name',
      [`${A}canary-by-header-value`]: 'huazi',
      [`${A}canary-weight`]: '0',
      [`${A}canary-weight-total`]: '100',
    });
    // The canary Ingress carries these and nothing else.
    expect(find(manifests, 'Ingress', 'myapp-canary').metadata.annotations).toEqual(canaryAnnotations(manifests));
  });

  test('header regex: canary-by-header + canary-by-header-pattern anchored to the whole value', () => {
    const manifests = synthCanary({ header: HeaderMatch.regex('user-agent', '.*Android.*|iP(hone|ad)') });

    expect(canaryAnnotations(manifests)).toEqual({
      [`${A}canary`]: 'true',
      [`${A}canary-by-header`]: 'user-agent',
      [`${A}canary-by-header-pattern`]: '^(?:.*Android.*|iP(hone|ad))$',
      [`${A}canary-weight`]: '0',
      [`${A}canary-weight-total`]: '100',
    });
    // The canary Ingress carries these and nothing else.
    expect(find(manifests, 'Ingress', 'myapp-canary').metadata.annotations).toEqual(canaryAnnotations(manifests));
    // The anchors make ingress-nginx's PCRE search (ngx.re.match) match the whole value, as RE2 full-match does.
    const pattern = new RegExp(canaryAnnotations(manifests)[`${A}canary-by-header-pattern`]);
    expect(pattern.test('Mozilla Android 14')).toBe(true);
    expect(pattern.test('iPhone')).toBe(true);
    expect(pattern.test('iPhone 15')).toBe(false);
  });

  test('cookie: canary-by-cookie', () => {
    const manifests = synthCanary({ cookie: 'canary' });

    expect(canaryAnnotations(manifests)).toEqual({
      [`${A}canary`]: 'true',
      [`${A}canary-by-cookie`]: 'canary',
      [`${A}canary-weight`]: '0',
      [`${A}canary-weight-total`]: '100',
    });
    // The canary Ingress carries these and nothing else.
    expect(find(manifests, 'Ingress', 'myapp-canary').metadata.annotations).toEqual(canaryAnnotations(manifests));
  });

  test('weight: canary-weight out of canary-weight-total, 10%', () => {
    const manifests = synthCanary({ weight: 10 });

    expect(canaryAnnotations(manifests)).toEqual({
      [`${A}canary`]: 'true',
      [`${A}canary-weight`]: '10',
      [`${A}canary-weight-total`]: '100',
    });
    // The canary Ingress carries these and nothing else.
    expect(find(manifests, 'Ingress', 'myapp-canary').metadata.annotations).toEqual(canaryAnnotations(manifests));
  });

  test('weight out of a custom weightTotal: 1 in 10,000', () => {
    const manifests = synthCanary({ weight: 1, weightTotal: 10_000 });

    expect(canaryAnnotations(manifests)).toEqual({
      [`${A}canary`]: 'true',
      [`${A}canary-weight`]: '1',
      [`${A}canary-weight-total`]: '10000',
    });
  });

  test('header, cookie and weight together', () => {
    const manifests = synthCanary({ header: HeaderMatch.exact('x-canary', 'yes'), cookie: 'canary_user', weight: 20 });

    expect(canaryAnnotations(manifests)).toEqual({
      [`${A}canary`]: 'true',
      [`${A}canary-by-header`]: 'x-canary',
      [`${A}canary-by-header-value`]: 'yes',
      [`${A}canary-by-cookie`]: 'canary_user',
      [`${A}canary-weight`]: '20',
      [`${A}canary-weight-total`]: '100',
    });
  });

  test('the main Ingress carries no canary annotation', () => {
    const manifests = synthCanary({ header: HeaderMatch.exact('name', 'huazi'), weight: 50 });

    expect(find(manifests, 'Ingress', 'myapp').metadata.annotations).toBeUndefined();
  });
});

describe('the canary Ingress mirrors the main one', () => {
  test('same host, path and class; TLS on the main Ingress only', () => {
    const manifests = synthCanary({ weight: 10 }, { host: 'myapp.example.com', path: '/shop', ingressClassName: 'nginx-public', tlsSecretName: 'myapp-tls' });

    // The Ingress pair is the point: the canary Ingress is the main one but for its name, backend, annotations and TLS.
    expect(ofKind(manifests, 'Ingress')).toMatchSnapshot();
    const main = find(manifests, 'Ingress', 'myapp');
    const canary = find(manifests, 'Ingress', 'myapp-canary');
    for (const ingress of [main, canary]) {
      expect(ingress.spec.ingressClassName).toBe('nginx-public');
      expect(ingress.spec.rules).toHaveLength(1);
      expect(ingress.spec.rules[0].host).toBe('myapp.example.com');
      expect(ingress.spec.rules[0].http.paths).toHaveLength(1);
      expect(ingress.spec.rules[0].http.paths[0].path).toBe('/shop');
      expect(ingress.spec.rules[0].http.paths[0].pathType).toBe('Prefix');
    }
    expect(main.spec.tls).toEqual([{ hosts: ['myapp.example.com'], secretName: 'myapp-tls' }]);
    expect(canary.spec.tls).toBeUndefined();
    // No Secret is emitted: the TLS secret is referenced by name.
    expect(objectIds(manifests)).not.toContain('Secret/myapp-tls');
  });

  test('defaults: class nginx, path / (Prefix), every host', () => {
    const manifests = synthCanary(undefined);

    for (const name of ['myapp', 'myapp-canary']) {
      const ingress = find(manifests, 'Ingress', name);
      expect(ingress.spec.ingressClassName).toBe('nginx');
      expect(ingress.spec.rules).toEqual([{
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 8080 } } } }] },
      }]);
      expect(ingress.spec.tls).toBeUndefined();
    }
  });

  test('a wildcard host is allowed', () => {
    const manifests = synthCanary({ weight: 5 }, { host: '*.example.com' });

    expect(find(manifests, 'Ingress', 'myapp').spec.rules[0].host).toBe('*.example.com');
    expect(find(manifests, 'Ingress', 'myapp-canary').spec.rules[0].host).toBe('*.example.com');
  });

  test('extra annotations go on the main Ingress only', () => {
    const manifests = synthCanary({ weight: 10 }, { annotations: { [`${A}proxy-body-size`]: '8m', 'example.com/owner': 'shop' } });

    expect(find(manifests, 'Ingress', 'myapp').metadata.annotations).toEqual({ [`${A}proxy-body-size`]: '8m', 'example.com/owner': 'shop' });
    const canary = find(manifests, 'Ingress', 'myapp-canary').metadata.annotations ?? {};
    expect(canary[`${A}canary`]).toBe('true');
    expect(canary[`${A}proxy-body-size`]).toBeUndefined();
    expect(canary['example.com/owner']).toBeUndefined();
  });
});

describe('TrafficRouter.nginx() bad input', () => {
  test.each(['canary', 'canary-weight', 'canary-by-header'])('throws when options.annotations sets the library\'s own %s annotation', (suffix) => {
    expect(() => TrafficRouter.nginx({ annotations: { [`${A}${suffix}`]: 'true' } }))
      .toThrow(`TrafficRouter.nginx: options.annotations["${A}${suffix}"] ("true") is not allowed: the canary annotations are written by the library`);
  });

  test.each(['affinity', 'affinity-canary-behavior', 'upstream-hash-by'])('throws when options.annotations sets session affinity: %s', (suffix) => {
    expect(() => TrafficRouter.nginx({ annotations: { [`${A}${suffix}`]: 'cookie' } }))
      .toThrow(`TrafficRouter.nginx: options.annotations["${A}${suffix}"] ("cookie") is not allowed: with session affinity or consistent hashing`);
  });

  test('throws when a canary release\'s metadata.annotations (which go on every object) carry a canary annotation', () => {
    const chart = Testing.chart();
    expect(() => new CanaryRelease(chart, 'myapp', {
      ...myapp, stable: v1, canary: v2, router: TrafficRouter.nginx(), metadata: { annotations: { [`${A}canary`]: 'true' } },
    })).toThrow(`CanaryRelease 'myapp': metadata.annotations["${A}canary"] ("true") is not allowed: the canary annotations are written by the library`);
  });

  test('throws when a canary release\'s metadata.annotations set session affinity, even without a canary track', () => {
    const chart = Testing.chart();
    expect(() => new CanaryRelease(chart, 'myapp', {
      ...myapp, stable: v1, router: TrafficRouter.nginx(), metadata: { annotations: { [`${A}affinity`]: 'cookie' } },
    })).toThrow(`CanaryRelease 'myapp': metadata.annotations["${A}affinity"] ("cookie") is not allowed: with session affinity`);
  });

  test('throws when a blue-green release\'s metadata.annotations carry a canary annotation', () => {
    const chart = Testing.chart();
    expect(() => new BlueGreenRelease(chart, 'myapp', {
      ...myapp, blue: v1, active: BlueGreenColor.BLUE, router: TrafficRouter.nginx(), metadata: { annotations: { [`${A}canary-weight`]: '50' } },
    })).toThrow(`BlueGreenRelease 'myapp': metadata.annotations["${A}canary-weight"] ("50") is not allowed`);
  });

  test('nginx annotations in metadata are fine with TrafficRouter.service(), which emits no Ingress', () => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'myapp', { ...myapp, stable: v1, metadata: { annotations: { [`${A}affinity`]: 'cookie' } } });
    expect(find(synthValid(chart), 'Service', 'myapp').metadata.annotations).toEqual({ [`${A}affinity`]: 'cookie' });
  });

  test('throws when tlsSecretName is given without host', () => {
    expect(() => TrafficRouter.nginx({ tlsSecretName: 'myapp-tls' }))
      .toThrow('TrafficRouter.nginx: options.tlsSecretName ("myapp-tls") needs options.host');
  });

  test.each(['MyApp.example.com', 'myapp_example.com', 'https://myapp.example.com', 'myapp.example.com/', 'a..b', '*', `${'a'.repeat(64)}.example.com`])(
    'throws when host is not a DNS subdomain: %p', (host) => {
      expect(() => TrafficRouter.nginx({ host }))
        .toThrow(`TrafficRouter.nginx: options.host (${JSON.stringify(host)}) must be a DNS subdomain`);
    });

  test.each(['shop', '', 'shop/', '/a//b', '/a b', '/a?b'])('throws when path is not a Prefix path starting with /: %p', (path) => {
    expect(() => TrafficRouter.nginx({ path }))
      .toThrow(`TrafficRouter.nginx: options.path (${JSON.stringify(path)}) must`);
  });

  test.each(['Nginx', '*.nginx', 'nginx class'])('throws when ingressClassName is not a DNS subdomain: %p', (ingressClassName) => {
    expect(() => TrafficRouter.nginx({ ingressClassName }))
      .toThrow(`TrafficRouter.nginx: options.ingressClassName (${JSON.stringify(ingressClassName)}) must be a DNS subdomain`);
  });

  test('throws when tlsSecretName is not a DNS subdomain', () => {
    expect(() => TrafficRouter.nginx({ host: 'myapp.example.com', tlsSecretName: 'My_Secret' }))
      .toThrow('TrafficRouter.nginx: options.tlsSecretName ("My_Secret") must be a DNS subdomain');
  });
});

describe('what ingress-nginx would silently drop is refused', () => {
  test.each(['gray release', 'a,b', 'v=2', 'caf\u00e9'])('throws when an exact header value has characters ingress-nginx rejects: %p', (value) => {
    expect(() => synthCanary({ header: HeaderMatch.exact('stage', value) }))
      .toThrow(`CanaryRelease 'myapp': canary.traffic.header value (${JSON.stringify(value)}) must contain only letters, digits and '-._~/:'`);
  });

  test.each(['Mozilla .*', 'a{1,3}', '"quoted"', '[a-z]#'])('throws when a header pattern has characters ingress-nginx rejects: %p', (pattern) => {
    expect(() => synthCanary({ header: HeaderMatch.regex('user-agent', pattern) }))
      .toThrow(`CanaryRelease 'myapp': canary.traffic.header pattern (${JSON.stringify(pattern)}) must contain only letters, digits and`);
  });

  test.each(['canary!', 'a+b', "o'brien"])('throws when a cookie name is a cookie token ingress-nginx rejects: %p', (cookie) => {
    expect(() => synthCanary({ cookie }))
      .toThrow(`CanaryRelease 'myapp': canary.traffic.cookie (${JSON.stringify(cookie)}) must contain only letters, digits and '-._~/:'`);
  });
});

describe('blue-green through ingress-nginx', () => {
  test('the preview Ingress gets the main Ingress\'s class, path and annotations, but its own host and no TLS', () => {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'myapp', {
      ...myapp,
      blue: v1,
      green: v2,
      active: BlueGreenColor.BLUE,
      previewHost: 'preview.example.com',
      router: TrafficRouter.nginx({ host: 'myapp.example.com', path: '/app', tlsSecretName: 'myapp-tls', annotations: { [`${A}proxy-body-size`]: '8m' } }),
    });
    const manifests = synthValid(chart);

    // The Ingress pair is the point: the preview Ingress is the main one but for its name, host, backend and TLS.
    expect(ofKind(manifests, 'Ingress')).toMatchSnapshot();
    const main = find(manifests, 'Ingress', 'myapp');
    const preview = find(manifests, 'Ingress', 'myapp-preview');
    expect(main.metadata.annotations).toEqual({ [`${A}proxy-body-size`]: '8m' });
    expect(preview.metadata.annotations).toEqual({ [`${A}proxy-body-size`]: '8m' });
    expect(preview.spec.rules[0].host).toBe('preview.example.com');
    expect(preview.spec.rules[0].http.paths[0].path).toBe('/app');
    expect(preview.spec.tls).toBeUndefined();
    expect([main.spec.ingressClassName, preview.spec.ingressClassName]).toEqual(['nginx', 'nginx']);
    expect(main.spec.rules[0].http.paths[0]).toEqual({ path: '/app', pathType: 'Prefix', backend: { service: { name: 'myapp', port: { number: 8080 } } } });
    expect(preview.spec.rules[0].http.paths[0]).toEqual({ path: '/app', pathType: 'Prefix', backend: { service: { name: 'myapp-preview', port: { number: 8080 } } } });
    expect(main.spec.tls).toEqual([{ hosts: ['myapp.example.com'], secretName: 'myapp-tls' }]);
  });

  function blueGreen(options: NginxRouterOptions, props: Partial<BlueGreenReleaseProps> = { previewHost: 'preview.example.com' }): K8sObject[] {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'myapp', { ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE, ...props, router: TrafficRouter.nginx(options) });
    return synthValid(chart);
  }

  test.each<[string, DeliveryEngine | undefined]>([
    ['plain manifests', undefined],
    ['Argo Rollouts', DeliveryEngine.argoRollouts()],
    ['Flagger', DeliveryEngine.flagger()],
  ])('previewTlsSecretName serves the preview host over TLS with its own certificate (%s)', (_engine, engine) => {
    const manifests = blueGreen({ host: 'myapp.example.com', tlsSecretName: 'myapp-tls', previewTlsSecretName: 'preview-tls' }, { previewHost: 'preview.example.com', engine });

    expect(find(manifests, 'Ingress', 'myapp').spec.tls).toEqual([{ hosts: ['myapp.example.com'], secretName: 'myapp-tls' }]);
    expect(find(manifests, 'Ingress', 'myapp-preview').spec.tls).toEqual([{ hosts: ['preview.example.com'], secretName: 'preview-tls' }]);
  });

  test('the preview can have TLS while the main host has none', () => {
    const manifests = blueGreen({ host: 'myapp.example.com', previewTlsSecretName: 'preview-tls' });

    expect(find(manifests, 'Ingress', 'myapp').spec.tls).toBeUndefined();
    expect(find(manifests, 'Ingress', 'myapp-preview').spec.tls).toEqual([{ hosts: ['preview.example.com'], secretName: 'preview-tls' }]);
  });

  test('throws when previewTlsSecretName has no preview Ingress to serve', () => {
    expect(() => blueGreen({ host: 'myapp.example.com', previewTlsSecretName: 'preview-tls' }, {})).toThrow(
      "BlueGreenRelease 'myapp': router (\"TrafficRouter.nginx({ previewTlsSecretName: \\\"preview-tls\\\" })\") needs a BlueGreenRelease with previewHost (and a preview): there is no Ingress <name>-preview to serve over TLS");
    expect(() => synthCanary({ weight: 10 }, { host: 'myapp.example.com', previewTlsSecretName: 'preview-tls' })).toThrow(
      /CanaryRelease 'myapp': router .* needs a BlueGreenRelease with previewHost/);
  });

  test('throws when previewTlsSecretName or tlsSecretName is not a Secret name', () => {
    expect(() => TrafficRouter.nginx({ previewTlsSecretName: 'Preview_TLS' })).toThrow(
      'TrafficRouter.nginx: options.previewTlsSecretName ("Preview_TLS") must be a DNS subdomain (the name of a TLS Secret in the release\'s namespace): lowercase labels of letters, digits and \'-\' separated by \'.\', at most 253 characters');
    expect(() => TrafficRouter.nginx({ host: 'myapp.example.com', tlsSecretName: '*.example.com' })).toThrow('TrafficRouter.nginx: options.tlsSecretName ("*.example.com") must be a DNS subdomain (the name of a TLS Secret');
  });
});

describe('one location per release', () => {
  test('throws when two releases serve the same IngressClass, host and path', () => {
    const chart = Testing.chart();
    const props = { containerPort: 80, stable: { version: 'v1', image: 'a:1' }, router: TrafficRouter.nginx({ host: 'shop.example.com' }) };
    new CanaryRelease(chart, 'cart', props);
    expect(() => new CanaryRelease(chart, 'checkout', props)).toThrow(
      'CanaryRelease \'checkout\': router ("TrafficRouter.nginx({ host: \\"shop.example.com\\", path: \\"/\\" })") serves the same IngressClass, host and path as CanaryRelease \'cart\'');
    // Checked before the second release creates anything.
    expect(chart.node.tryFindChild('checkout')?.node.findAll().filter((c) => c instanceof ApiObject)).toEqual([]);
  });

  test('another path on the same host is fine', () => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'cart', { containerPort: 80, stable: { version: 'v1', image: 'a:1' }, router: TrafficRouter.nginx({ host: 'shop.example.com', path: '/cart' }) });
    new CanaryRelease(chart, 'checkout', { containerPort: 80, stable: { version: 'v1', image: 'a:1' }, router: TrafficRouter.nginx({ host: 'shop.example.com', path: '/checkout' }) });
    expect(synthValid(chart).filter((o) => o.kind === 'Ingress').map((o) => o.spec.rules[0].http.paths[0].path)).toEqual(['/cart', '/checkout']);
  });
});
