/**
 * The public route simulator: built from synthesized charts or from manifests, it says where a
 * request goes through the route objects the way each controller's code would route it. It
 * reads only the manifests (never the library's renderers), so it works on objects any tool or
 * hand wrote, and it can disagree with the library.
 */
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { RegexMatching, RouteOptions, SimulatedRouter } from './route-options';
import { RegexMode, mirrorGatewayApi, mirrorGatewayApiGrpc, routeGatewayApi, routeGatewayApiGrpc } from './simulate-gateway-api';
import { mirrorIstio, routeIstio } from './simulate-istio';
import { isNginxCanary, mirrorNginx, routeNginx } from './simulate-nginx';
import { Manifest, Outcome, SimRequest } from './simulated-objects';
import { SimulatedRequest } from './simulated-request';

/** The route object kinds each router reads. */
const ROUTE_KINDS: Array<[SimulatedRouter, string]> = [
  [SimulatedRouter.NGINX, 'Ingress'],
  [SimulatedRouter.ISTIO, 'VirtualService'],
  [SimulatedRouter.GATEWAY_API, 'HTTPRoute'],
  [SimulatedRouter.GATEWAY_API, 'GRPCRoute'],
];

/** A route object (a canary Ingress is merged into its main Ingress, never followed on its own). */
function routerOf(m: Manifest): SimulatedRouter | undefined {
  if (m.kind === 'Ingress' && isNginxCanary(m)) return undefined;
  return ROUTE_KINDS.find(([, kind]) => kind === m.kind)?.[0];
}

/** What one `route` or `mirrored` call follows: the route object and the manifests of its namespace. */
interface Target {
  readonly name: string;
  readonly kind: string;
  readonly manifests: Manifest[];
  readonly regex: RegexMode;
}

/**
 * Sends a request through Kubernetes manifests the way its controller would, and says the share
 * of such requests each version receives. Built from a synthesized chart or app, from manifests
 * or from YAML (objects this library did not write included); written from the controllers'
 * code (ingress-nginx's balancer.lua and controller.go, Istio's in-order routes with RE2
 * full-match regexes, Gateway API's HTTPRoute and GRPCRoute precedence), independently of the
 * library's renderers.
 *
 * A version is the `version` label of the pods behind a Service: the Deployments (and
 * ReplicaSets) whose pod template its selector picks, each weighted by its `replicas` (1 when
 * absent). Shares are exact fractions: a weight of 20 out of 100 gives `{ v1: 0.8, v2: 0.2 }`.
 *
 * @example
 * const sim = RouteSimulator.fromChart(chart);
 * sim.route({ host: 'myapp.example.com', headers: { stage: 'gray' } }); // { v2: 1 }
 */
export class RouteSimulator {
  /**
   * The objects a synthesized chart holds (`chart.toJson()`, as `Testing.synth` gives them).
   */
  public static fromChart(chart: Chart): RouteSimulator {
    return new RouteSimulator(chart.toJson(), `chart ${chart.node.path || chart.node.id}`);
  }

  /** The objects of every chart of an app. */
  public static fromApp(app: App): RouteSimulator {
    return new RouteSimulator(app.charts.flatMap((chart) => chart.toJson()), 'app');
  }

  /**
   * Kubernetes objects as JSON (e.g. `kubectl get -o json` items, or another tool's output).
   * They are copied: changing them afterwards changes nothing here.
   */
  public static fromManifests(manifests: any[]): RouteSimulator {
    if (!Array.isArray(manifests)) throw new Error(`RouteSimulator.fromManifests: manifests (${typeof manifests}) must be an array of Kubernetes objects`);
    return new RouteSimulator(JSON.parse(JSON.stringify(manifests)), 'manifests');
  }

  /**
   * Multi-document YAML, such as `cdk8s synth` writes to `dist/` or a hand-written file
   * (documents separated by `---`; empty documents and `List` objects' items are read too).
   */
  public static fromYaml(yaml: string): RouteSimulator {
    if (typeof yaml !== 'string') throw new Error(`RouteSimulator.fromYaml: yaml (${typeof yaml}) must be a string of YAML documents`);
    const docs = parseAllDocuments(yaml, { version: '1.1' });
    const objects: any[] = [];
    (Array.isArray(docs) ? docs : [docs]).forEach((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`RouteSimulator.fromYaml: document ${index + 1} is not valid YAML: ${doc.errors[0].message}`);
      const obj = doc.toJSON();
      if (obj === null || obj === undefined) return;
      if (obj.kind === 'List' && Array.isArray(obj.items)) objects.push(...obj.items);
      else objects.push(obj);
    });
    return new RouteSimulator(objects, 'YAML');
  }

  private readonly manifests: Manifest[];

  private constructor(manifests: any[], source: string) {
    manifests.forEach((m, index) => {
      if (typeof m !== 'object' || m === null || typeof m.kind !== 'string' || typeof m.metadata?.name !== 'string') {
        throw new Error(`RouteSimulator: object ${index + 1} of the ${source} (${JSON.stringify(m)?.slice(0, 80)}) is not a Kubernetes object with a kind and a metadata.name`);
      }
    });
    this.manifests = manifests;
  }

  /**
   * The share of such requests each version receives, through the route `options.release` as
   * `options.router`'s controller routes it: `{ v1: 0.8, v2: 0.2 }` by weight, `{ v2: 1 }` for a
   * tester's header. A version that receives none (a weight of 0) is left out; a request no
   * rule takes (a 404, another host) gets `{}`.
   */
  public route(request: SimulatedRequest, options: RouteOptions = {}): { [version: string]: number } {
    const req = toSimRequest(request);
    const t = this.target(options);
    switch (t.kind) {
      case 'Ingress': return received(routeNginx(t.manifests, t.name, req));
      case 'VirtualService': return received(routeIstio(t.manifests, t.name, req));
      case 'HTTPRoute': return received(routeGatewayApi(t.manifests, t.name, req, t.regex));
      default: return received(routeGatewayApiGrpc(t.manifests, t.name, req, t.regex));
    }
  }

  /**
   * The share of such requests copied to each version by a mirror (Istio's `mirror` /
   * `mirrors`, Gateway API's RequestMirror filters), whose responses are discarded: `{ v2: 0.25 }`
   * when a quarter is copied to the canary; `{}` when nothing is.
   */
  public mirrored(request: SimulatedRequest, options: RouteOptions = {}): { [version: string]: number } {
    const req = toSimRequest(request);
    const t = this.target(options);
    switch (t.kind) {
      case 'Ingress': return received(mirrorNginx(t.manifests, t.name, req));
      case 'VirtualService': return received(mirrorIstio(t.manifests, t.name, req));
      case 'HTTPRoute': return received(mirrorGatewayApi(t.manifests, t.name, req, t.regex));
      default: return received(mirrorGatewayApiGrpc(t.manifests, t.name, req, t.regex));
    }
  }

  /** The route object the options name, its kind, and the manifests of its namespace. */
  private target(options: RouteOptions): Target {
    const routers = Object.values(SimulatedRouter) as string[];
    if (options.router !== undefined && !routers.includes(options.router)) {
      throw new Error(`RouteSimulator: options.router (${JSON.stringify(options.router)}) must be one of SimulatedRouter.${routers.join(', SimulatedRouter.')}`);
    }
    const modes = Object.values(RegexMatching) as string[];
    if (options.gatewayApiRegex !== undefined && !modes.includes(options.gatewayApiRegex)) {
      throw new Error(`RouteSimulator: options.gatewayApiRegex (${JSON.stringify(options.gatewayApiRegex)}) must be one of RegexMatching.${modes.join(', RegexMatching.')}`);
    }
    const inNamespace = (m: Manifest) => options.namespace === undefined || m.metadata.namespace === options.namespace;
    const routes = this.manifests.filter((m) => routerOf(m) !== undefined && inNamespace(m));
    const where = options.namespace === undefined ? 'the manifests' : `namespace "${options.namespace}"`;
    const describe = (objs: Manifest[]) => objs.map((m) => `${m.kind} "${m.metadata.name}"`).join(', ');
    if (routes.length === 0) {
      throw new Error(`RouteSimulator: ${where} hold no route object (a main Ingress, a VirtualService, an HTTPRoute or a GRPCRoute)`
        + ' (under Flagger, the controller writes them in the cluster: simulate the live objects)');
    }

    const names = [...new Set(routes.map((m) => m.metadata.name))];
    if (options.release === undefined && names.length > 1) {
      throw new Error(`RouteSimulator: options.release is required: ${where} route several names (${names.join(', ')})`);
    }
    const name = options.release ?? names[0];
    const named = routes.filter((m) => m.metadata.name === name);
    if (named.length === 0) {
      throw new Error(`RouteSimulator: options.release (${JSON.stringify(name)}) names no main Ingress, VirtualService, HTTPRoute or GRPCRoute in ${where}; the route objects are ${describe(routes)}`);
    }

    const present = [...new Set(named.map(routerOf))] as SimulatedRouter[];
    if (options.router === undefined && present.length > 1) {
      throw new Error(`RouteSimulator: options.router is required: "${name}" is routed by ${present.map((r) => `SimulatedRouter.${r}`).join(' and ')} (${describe(named)})`);
    }
    const router = options.router ?? present[0];
    const chosen = named.filter((m) => routerOf(m) === router);
    if (chosen.length === 0) {
      const kinds = ROUTE_KINDS.filter(([r]) => r === router).map(([, kind]) => kind).join(' or ');
      throw new Error(`RouteSimulator: options.router (SimulatedRouter.${router}) needs a ${kinds} named "${name}" in ${where}; "${name}" is ${describe(named)}`);
    }
    const kinds = [...new Set(chosen.map((m) => m.kind))];
    if (kinds.length > 1) {
      // apis/v1/grpcroute_types.go: of an HTTPRoute and a GRPCRoute on one listener with a common
      // hostname, the Gateway accepts only the older one: a creation time the manifests do not hold.
      throw new Error(`RouteSimulator: "${name}" is both an HTTPRoute and a GRPCRoute: a Gateway accepts only the older of the two, which the manifests do not say; remove one`);
    }
    const namespaces = [...new Set(chosen.map((m) => m.metadata.namespace ?? ''))];
    if (namespaces.length > 1) {
      throw new Error(`RouteSimulator: options.namespace is required: a ${kinds[0]} named "${name}" is in namespaces ${namespaces.map((n) => JSON.stringify(n)).join(', ')}`);
    }
    const namespace = chosen[0].metadata.namespace;
    const manifests = this.manifests.filter((m) => namespace === undefined || m.metadata.namespace === undefined || m.metadata.namespace === namespace);
    return { name, kind: kinds[0], manifests, regex: options.gatewayApiRegex === RegexMatching.SEARCH ? 'search' : 'full' };
  }
}

/** The versions that receive a share (the controllers' simulations list a weight of 0 too). */
function received(outcome: Outcome): { [version: string]: number } {
  return Object.fromEntries(Object.entries(outcome).filter(([, share]) => share > 0));
}

/** The public request as the controllers' simulations read it. */
function toSimRequest(request: SimulatedRequest): SimRequest {
  const req = request ?? {};
  for (const [prop, map] of [['headers', req.headers], ['cookies', req.cookies]] as const) {
    if (map === undefined) continue;
    if (typeof map !== 'object' || map === null || Object.values(map).some((v) => typeof v !== 'string')) {
      throw new Error(`RouteSimulator: request.${prop} (${JSON.stringify(map)}) must map names to string values`);
    }
  }
  if (req.cookies !== undefined && Object.keys(req.headers ?? {}).some((h) => h.toLowerCase() === 'cookie')) {
    throw new Error('RouteSimulator: request.headers has a Cookie header and request.cookies is given too: give the cookies one way');
  }
  const out: { -readonly [K in keyof SimRequest]: SimRequest[K] } = {};
  if (req.host !== undefined) out.host = req.host;
  if (req.path !== undefined) out.path = req.path;
  if (req.headers !== undefined) out.headers = req.headers;
  if (req.cookies !== undefined) out.cookies = Object.entries(req.cookies);
  return out;
}

