/**
 * A short Markdown report of where each request goes, per release: what a reviewer reads in a
 * pull request instead of decoding annotations. Written from what each release records of its
 * routing (`ReleaseRouting`: the routes its engine handed the router, the versions, the plan),
 * never from the synthesized YAML, which it leaves untouched.
 */
import { App, Chart, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { promDuration } from '../analysis/promql';
import { CanaryStep, CanaryStepType } from '../engines/canary-step';
import { lazyRequire } from '../private/upstream';
import { HeaderMatchType } from '../routing/header-match';
import { canaryMatchRules } from '../routing/route-table';
import { AppProtocol } from '../workload/app-protocol';
import { RequestMatch, Route, RouteBackend, RouteRule, TrackRole, WeightsOwner } from '../routing/routing-model';
import { BlueGreenColor } from './blue-green-color';
import { BlueGreenRelease } from './blue-green-release';
import { CanaryRelease } from './canary-release';
import { ReleaseRouting } from './release-routing';

/** What the report uses of Node's `fs` (the jsii build compiles without @types/node). */
interface NodeFs {
  mkdirSync(dir: string, options: { recursive: boolean }): unknown;
  writeFileSync(file: string, data: string): void;
  rmSync(file: string, options: { force: boolean }): void;
}

/** What the report uses of Node's `path`. */
interface NodePath {
  join(...parts: string[]): string;
  dirname(file: string): string;
}

/**
 * The routing report of releases: per release and route, the rules in the order a request tries
 * them, which requests go to which version with which share, the plan and the step reached, who
 * owns the weights (git or a rollout controller), and what changed since the previous step or
 * what the cut-over changes.
 *
 * cdk8s has no hook that runs when a chart is synthesized, so the report is asked for: call
 * `RoutingReport.write(app)` after `app.synth()` to write it beside each chart's YAML, or
 * `RoutingReport.markdown(chart)` for the text. Nothing of the synthesized YAML depends on it.
 */
export class RoutingReport {
  /**
   * The report of every `CanaryRelease` and `BlueGreenRelease` in `scope`, in the order they were
   * added. For a chart, only its own releases (those of a chart nested in it go in that chart's
   * report, as their objects go in its file).
   * @param scope a chart, an app, or any construct holding releases
   * @returns the Markdown, or an empty string when `scope` holds no release
   */
  public static markdown(scope: IConstruct): string {
    const releases = scope.node.findAll()
      .filter((c): c is CanaryRelease | BlueGreenRelease => c instanceof CanaryRelease || c instanceof BlueGreenRelease)
      .filter((c) => !(scope instanceof Chart) || Chart.of(c) === scope);
    if (releases.length === 0) return '';
    const title = scope instanceof Chart ? `chart \`${scope.node.id}\`` : scope instanceof App ? 'app' : `\`${scope.node.path}\``;
    const lines = [
      `# Routing report: ${title}`,
      '',
      '<!-- Written by cdk8s-progressive-delivery (RoutingReport) from the releases of the chart: edit the chart, not this file. -->',
      ...releases.flatMap((release) => ['', ...releaseSection(release.routing)]),
    ];
    return lines.join('\n') + '\n';
  }

  /**
   * Writes each chart's report beside its YAML in `app.outdir`, named as cdk8s names the chart's
   * file with `.routing.md` for its extension: `<chart>.routing.md` (`0000-<chart>.routing.md` when
   * charts depend on each other, as cdk8s then numbers the files), inside the chart's folder for
   * `YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE`, and one `app.routing.md` for the app's
   * releases when the YAML is not split by chart (`FILE_PER_APP`, `FILE_PER_RESOURCE`). A chart
   * without a release gets no report, and a report left from an earlier run is removed.
   * @param app the app, synthesized by `app.synth()` before or after
   * @returns the paths written
   */
  public static write(app: App): string[] {
    const fs = lazyRequire<NodeFs>('fs');
    const path = lazyRequire<NodePath>('path');
    const written: string[] = [];
    const save = (file: string, markdown: string) => {
      if (markdown === '') {
        fs.rmSync(file, { force: true });
        return;
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, markdown);
      written.push(file);
    };
    const byChart = app.yamlOutputType === YamlOutputType.FILE_PER_CHART || app.yamlOutputType === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE;
    if (!byChart) {
      save(path.join(app.outdir, 'app.routing.md'), RoutingReport.markdown(app));
      return written;
    }
    const names = chartFileNames(app);
    for (const chart of app.charts) {
      const name = names.get(chart)!;
      const dir = app.yamlOutputType === YamlOutputType.FILE_PER_CHART ? app.outdir : path.join(app.outdir, name);
      save(path.join(dir, `${name}.routing.md`), RoutingReport.markdown(chart));
    }
    return written;
  }

  private constructor() {}
}

/**
 * The base name cdk8s gives each chart's file or folder: `Names.toDnsLabel(chart)`, numbered in
 * the order of `app.charts` (`0000-`) when any chart depends on another (cdk8s 2.68 app.ts:
 * `synth()` picks `IndexedChartNamer` when `resolveDependencies` finds a chart nested in a chart
 * or a construct depending on one in another chart).
 */
function chartFileNames(app: App): Map<Chart, string> {
  const charts = app.charts;
  const constructs = app.node.findAll();
  const chartOf = (c: IConstruct) => constructs.includes(c) && c !== app ? closestChart(c) : undefined;
  const indexed = charts.some((chart) => chart.node.children.some((child) => child instanceof Chart))
    || constructs.some((c) => c.node.dependencies.some((dep) => chartOf(dep) !== chartOf(c)));
  return new Map(charts.map((chart, i) => [chart, indexed ? `${i.toString().padStart(4, '0')}-${Names.toDnsLabel(chart)}` : Names.toDnsLabel(chart)]));
}

/** The closest chart of a construct (itself, for a chart), or undefined outside any chart. */
function closestChart(c: IConstruct): Chart | undefined {
  return c instanceof Chart ? c : c.node.scope ? closestChart(c.node.scope) : undefined;
}

/** One release's section: its heading, who owns the weights, its routes, and its plan or colors. */
function releaseSection(routing: ReleaseRouting): string[] {
  const { routes } = routing;
  const controlled = routes.weightsOwner === WeightsOwner.CONTROLLER;
  const blueGreen = routing.activeColor !== undefined;
  // Flagger runs a canary with header or cookie rules as an A/B test: it never moves the weights.
  const abTest = controlled && !blueGreen && routing.controller === 'Flagger' && canaryMatchRules(routes.main).length > 0;
  const owner = abTest
    ? '**Flagger runs an A/B test**: the requests the rules before the weighted one match go to the canary while Flagger analyses it; every other request stays on the stable until Flagger promotes the canary (it never moves the weights)'
    : controlled
      ? `**${routing.controller ?? 'a rollout controller'} owns the ${blueGreen ? 'cut-over' : 'weights'}**: ${blueGreen
        ? 'it switches which version the Services behind the routes select'
        : 'the weighted rule below is where it starts, and it moves the weights itself'}`
    : `**git owns the ${blueGreen ? 'cut-over' : 'weights'}**: the cluster routes requests as written below`;
  const lines = [
    `## ${routing.owner}${routing.namespace ? ` in namespace \`${routing.namespace}\`` : ''}`,
    '',
    `- Engine: \`${routing.engine}\`; ${owner}.`,
    `- Router: \`${routing.router}\`${routing.routes.appProtocol === AppProtocol.GRPC ? ' (gRPC)' : ''}.`,
    ...routing.locations.length > 0 ? [`- Serves: ${routing.locations.map((l) => `\`${l}\``).join('; ')}.`] : [],
    `- Versions: ${routes.tracks.map((track) => `${track.role} ${versionOf(routing, track)}`).join(', ')}.`,
  ];
  if (!routing.routerSteers && !blueGreen && routes.tracks.length > 1) {
    // No rule is rendered: the Service `<name>` selects every track's pods.
    lines.push('', `### Route \`${routes.main.name}\``, '', `\`${routing.router}\` steers no request: the Service \`${routes.main.name}\` selects every track's pods, and requests split by their replica ratio${
      controlled ? ` (${routing.controller ?? 'the controller'} sets the canary's share of the pods)` : ''}.`);
  } else {
    for (const route of routes.preview ? [routes.main, routes.preview] : [routes.main]) {
      lines.push('', ...routeTable(routing, route));
    }
  }
  if (blueGreen) lines.push('', ...cutOver(routing));
  else if (routing.steps !== undefined) lines.push('', ...plan(routing));
  return lines;
}

/** The version behind a track, or what stands there when none runs. */
function versionOf(routing: ReleaseRouting, backend: RouteBackend): string {
  return routing.versions.find((v) => v.role === backend.role)?.version ?? `(no ${backend.role} version running)`;
}

/** A weight as a share of the route's requests, in percent: `5%`, `12.5%`, `0.0001%`. */
function share(weight: number, total: number): string {
  return `${Number((weight * 100 / total).toFixed(4))}%`;
}

/** A route's rules, in order, as a table: what each matches, where it sends them, mirror and sticky notes. */
function routeTable(routing: ReleaseRouting, route: Route): string[] {
  const total = routing.routes.weightTotal;
  const ownCookies = route.rules.flatMap((rule) => rule.destinations.flatMap((d) => d.setCookie ? [d.setCookie.name] : []));
  const rows = route.rules.map((rule, i) => {
    const goesTo = rule.destinations.length === 1 && rule.destinations[0].weight === undefined
      ? `${versionOf(routing, rule.destinations[0].backend)} 100%`
      : rule.destinations.map((d) => `${versionOf(routing, d.backend)} ${share(d.weight ?? total, total)}`).join(' / ');
    const mirror = rule.mirror ? `${rule.mirror.percent}% copied to ${versionOf(routing, rule.mirror.backend)} (its answers discarded)${mirrorWhen(routing)}` : '';
    const sticky = [
      ...rule.match?.cookie && ownCookies.includes(rule.match.cookie.name) ? ['keeps the users the weighted rule sent to the canary there'] : [],
      ...rule.destinations.flatMap((d) => d.setCookie
        ? [`${versionOf(routing, d.backend)}'s answers set \`${d.setCookie.name}=${cookieValue(routing, d.setCookie.value)}\` for ${age(d.setCookie.maxAgeSeconds)}`] : []),
    ].join('; ');
    const cells = [`${i + 1}`, `\`${rule.name}\``, matchText(routing, rule, route), goesTo, mirror, sticky];
    return `| ${cells.map(cell).join(' | ')} |`;
  });
  return [
    `### Route \`${route.name}\`${route.host ? ` at \`${route.host}\`` : ''}`,
    '',
    'The first rule a request matches takes it.',
    '',
    '| # | rule | match | goes to | mirror | sticky |',
    '|---|---|---|---|---|---|',
    ...rows,
  ];
}

/** What a rule's requests carry, e.g. header `stage` = `gray`, cookie `canary=always`. */
function matchText(routing: ReleaseRouting, rule: RouteRule, route: Route): string {
  const match: RequestMatch | undefined = rule.match;
  if (match?.header) {
    const header = match.header;
    return header.type === HeaderMatchType.REGULAR_EXPRESSION ? `header \`${header.name}\` matches \`${header.value}\` (the whole value)` : `header \`${header.name}\` = \`${header.value}\``;
  }
  if (match?.cookie) {
    const own = route.rules.some((r) => r.destinations.some((d) => d.setCookie?.name === match.cookie!.name));
    return `cookie \`${match.cookie.name}=${own ? cookieValue(routing, match.cookie.value) : match.cookie.value}\``;
  }
  return route.rules.length === 1 ? 'every request' : 'every other request';
}

/** A sticky cookie's value: Flagger writes one of its own per run (pkg/router/istio.go, randSeq). */
function cookieValue(routing: ReleaseRouting, value: string): string {
  return routing.controller === 'Flagger' ? '<Flagger\'s value for the run>' : value;
}

/** When a controller runs the mirror: only before the canary's first weight. */
function mirrorWhen(routing: ReleaseRouting): string {
  if (routing.controller === 'Argo Rollouts') return ', only from Argo Rollouts\' first `setMirrorRoute` step to the first weight above 0';
  if (routing.controller === 'Flagger') return ', only for Flagger\'s first interval, at weight 0';
  return '';
}

/** Escapes what would break a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** A cookie's lifetime in words: `1 day`, `2 hours`, `90 seconds`. */
function age(seconds: number): string {
  const units: Array<[number, string]> = [[86_400, 'day'], [3_600, 'hour'], [60, 'minute'], [1, 'second']];
  const [size, unit] = units.find(([s]) => seconds % s === 0)!;
  const n = seconds / size;
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** The weighted rule's split with the canary at `weight`: `v1 95% / v2 5%`. */
function split(routing: ReleaseRouting, weight: number): string {
  const total = routing.routes.weightTotal;
  const stable = routing.versions.find((v) => v.role === TrackRole.STABLE)?.version ?? 'stable';
  const canary = routing.versions.find((v) => v.role === TrackRole.CANARY)?.version ?? 'the canary';
  return `${stable} ${share(total - weight, total)} / ${canary} ${share(weight, total)}`;
}

/** What a step does, e.g. `shiftTraffic(5)`, `pause(2h)`. */
function stepText(step: CanaryStep): string {
  if (step.type === CanaryStepType.SHIFT_TRAFFIC) return `shiftTraffic(${step.weight})`;
  return step.duration ? `pause(${promDuration(step.duration)})` : 'pause() until promoted';
}

/** A canary's plan: the weight at each step, the step reached (git) or who walks it, and what the last step changed. */
function plan(routing: ReleaseRouting): string[] {
  const steps = routing.steps ?? [];
  const weights = routing.stepWeights ?? [];
  const total = routing.routes.weightTotal;
  const canary = routing.versions.find((v) => v.role === TrackRole.CANARY)?.version;
  const reached = routing.step;
  const rows = steps.map((step, i) => `| ${i} | \`${stepText(step)}\` | ${canary ? split(routing, weights[i]) : share(weights[i], total)} | ${i === reached ? '◀ reached (`canary.step`)' : ''} |`);
  const lines = [
    '### Plan',
    '',
    routing.controller
      ? `${routing.controller} walks these steps in the cluster; git does not say which one it has reached.`
      : reached !== undefined
        ? `git walks these steps: the canary is at \`steps[${reached}]\`; moving on is the next \`canary.step\`.`
        : canary
          ? 'git walks these steps, but no step is reached (`canary.step` is not set): the weighted rule holds `canary.traffic.weight`.'
          : 'The plan waits for the next canary.',
    '',
    `| step | does | ${canary ? 'weighted rule' : 'canary\'s share'} | |`,
    '|---|---|---|---|',
    ...rows,
  ];
  if (!routing.controller && reached !== undefined && canary) {
    const before = reached === 0 ? 0 : weights[reached - 1];
    const now = weights[reached];
    const from = reached === 0 ? 'Before the plan' : `At \`steps[${reached - 1}]\``;
    lines.push('', '### Since the previous step', '', before === now
      ? `${from} the weighted rule was already ${split(routing, now)}: \`steps[${reached}]\` changes no route.`
      : `${from} the weighted rule was ${split(routing, before)}; at \`steps[${reached}]\` it is ${split(routing, now)}.`);
  }
  return lines;
}

/** A blue-green release's colors: which is active, and what the cut-over changes. */
function cutOver(routing: ReleaseRouting): string[] {
  const active = routing.activeColor!;
  const idleColor = active === BlueGreenColor.BLUE ? BlueGreenColor.GREEN : BlueGreenColor.BLUE;
  const activeVersion = routing.versions.find((v) => v.role === TrackRole.ACTIVE)!.version;
  const idleVersion = routing.versions.find((v) => v.role === TrackRole.PREVIEW)?.version;
  const { main, preview } = routing.routes;
  const lines = [
    '### Colors',
    '',
    `Active: **${active}** (${activeVersion}), behind the route \`${main.name}\`. ${idleVersion
      ? `Idle: **${idleColor}** (${idleVersion})${preview ? `, at the route \`${preview.name}\`${preview.host ? ` (\`${preview.host}\`)` : ''}` : ', reachable inside the cluster only'}.`
      : `No idle color: the next version goes in as ${idleColor}.`}`,
  ];
  if (!idleVersion) return lines;
  lines.push('', '### The cut-over', '', routing.controller
    ? `${routing.controller} cuts over when it promotes ${idleVersion}: the Service behind \`${main.name}\` then selects ${idleVersion}'s pods; the routes above do not change.`
    : `\`active: BlueGreenColor.${idleColor.toUpperCase()}\` sends \`${main.name}\` to ${idleVersion} (${idleColor})${preview ? ` and \`${preview.name}\` to ${activeVersion} (${active})` : ''}: `
      + 'only the Services\' selectors and the routes change, and cutting back is the same one-line edit.');
  return lines;
}
