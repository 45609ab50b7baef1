import { Testing } from 'cdk8s';
import { CanaryRelease, PathMatch, PathMatchType, TrafficRouter } from '../../src';

describe('PathMatch', () => {
  test('prefix: the path and every path under it', () => {
    const p = PathMatch.prefix('/api');
    expect([p.path, p.type]).toEqual(['/api', PathMatchType.PREFIX]);
  });

  test('a prefix with a trailing slash means the same prefix', () => {
    expect(PathMatch.prefix('/api/').normalizedPath).toBe('/api');
    expect(PathMatch.prefix('/').normalizedPath).toBe('/');
  });

  test('exact: the path as given, trailing slash included', () => {
    const p = PathMatch.exact('/healthz/');
    expect([p.path, p.type, p.normalizedPath]).toEqual(['/healthz/', PathMatchType.EXACT, '/healthz/']);
  });

  test.each(['api', '/a//b', '/a b', '/a?b'])('throws when a path does not start with / or has other characters: %p', (path) => {
    expect(() => PathMatch.prefix(path)).toThrow(`PathMatch.prefix: path (${JSON.stringify(path)}) must start with '/'`);
    expect(() => PathMatch.exact(path)).toThrow(`PathMatch.exact: path (${JSON.stringify(path)}) must start with '/'`);
  });
});

describe('a router\'s list of paths', () => {
  const release = (router: () => TrafficRouter) => () => {
    new CanaryRelease(Testing.chart(), 'myapp', { containerPort: 80, stable: { version: 'v1', image: 'myapp:v1' }, router: router() });
  };

  test('throws when the list is empty', () => {
    expect(release(() => TrafficRouter.istio({ paths: [] }))).toThrow('TrafficRouter.istio: options.paths ([]) must list at least 1 path (PathMatch.prefix(\'/api\'), PathMatch.exact(\'/healthz\')), or be left out for every path');
  });

  test('throws when an entry is a string rather than a PathMatch', () => {
    expect(release(() => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], paths: ['/api' as any] })))
      .toThrow('TrafficRouter.gatewayApi: options.paths[0] ("/api") must be a PathMatch, from PathMatch.prefix(path) or PathMatch.exact(path)');
  });

  test('throws when a path is listed twice, a trailing slash aside', () => {
    expect(release(() => TrafficRouter.nginx({ routes: [{ host: 'example.com', paths: [PathMatch.prefix('/api'), PathMatch.prefix('/api/')] }] })))
      .toThrow('TrafficRouter.nginx: options.routes[0].paths[1] ("Prefix /api/") must not repeat options.routes[0].paths[0] (Prefix /api): each path once');
  });

  test('one path both exact and as a prefix is two paths', () => {
    expect(release(() => TrafficRouter.istio({ paths: [PathMatch.exact('/api'), PathMatch.prefix('/api')] }))).not.toThrow();
  });

  test('throws when Gateway API is given more paths than an HTTPRoute rule takes matches', () => {
    const paths = Array.from({ length: 65 }, (_, i) => PathMatch.prefix(`/p${i}`));
    expect(release(() => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], paths }))).toThrow('TrafficRouter.gatewayApi: options.paths ("65 paths") must list 1 to 64 paths');
    expect(release(() => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], paths }))).toThrow('must list 1 to 64 paths');
  });
});
