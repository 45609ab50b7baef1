import { Construct } from 'constructs';
import type { Canary, CanarySpecAnalysis, CanarySpecAnalysisSessionAffinity, CanarySpecAutoscalerRef, CanarySpecAnalysisMatch, CanarySpecAnalysisWebhooks, CanarySpecIngressRef, CanarySpecProvider } from '../../../imports/flagger.app';
import { objectMetadata } from '../../private/metadata';
import { flaggerApi } from '../../private/upstream';
import { CanaryMetricQueries } from '../../analysis/canary-analysis';
import { FlaggerRouterSpec } from '../../routing/engine-contracts';
import { AppProtocol } from '../../workload/app-protocol';
import { appMetadata, ResolvedRelease } from '../release-plan';
import { flaggerMetrics } from './metric-templates';

/** What the Canary `<name>` says. */
export interface FlaggerCanarySpec {
  /** How the router looks to Flagger. */
  readonly routing: FlaggerRouterSpec;
  /** The interval and the stepWeights or iterations. */
  readonly schedule: CanarySpecAnalysis;
  /** The analysis's queries (from `flaggerQueries`), when the release has an analysis. */
  readonly queries?: CanaryMetricQueries;
  /** Flagger's webhooks, e.g. the smoke test's. */
  readonly webhooks?: CanarySpecAnalysisWebhooks[];
  /** The autoscaler of the Deployment `<name>`, which Flagger copies for `<name>-primary`. */
  readonly autoscalerRef?: CanarySpecAutoscalerRef;
}

/** The Canary `<name>`, with the analysis as MetricTemplates. */
export function canaryObject(scope: Construct, release: ResolvedRelease, spec: FlaggerCanarySpec): Canary {
  const { Canary, CanarySpecTargetRefKind } = flaggerApi();
  const { routing, schedule } = spec;
  const analysis = release.analysis;
  const metrics = analysis && spec.queries ? flaggerMetrics(scope, release, analysis, spec.queries) : undefined;
  return new Canary(scope, 'Canary', {
    metadata: objectMetadata(release.name, appMetadata(release).labels, release.metadata.annotations),
    spec: {
      provider: routing.provider as CanarySpecProvider,
      targetRef: { apiVersion: 'apps/v1', kind: CanarySpecTargetRefKind.DEPLOYMENT, name: release.name },
      autoscalerRef: spec.autoscalerRef,
      ingressRef: routing.ingressRef as CanarySpecIngressRef | undefined,
      // Flagger names the port of the Services it generates `http` (portName's default) and
      // gives it the Canary's appProtocol (pkg/router/kubernetes_default.go, reconcileService).
      service: {
        ...routing.service,
        port: release.servicePort,
        targetPort: release.containerPort,
        ...(release.appProtocol === AppProtocol.GRPC ? { appProtocol: AppProtocol.GRPC } : {}),
      },
      analysis: {
        ...schedule,
        match: routing.match as CanarySpecAnalysisMatch[] | undefined,
        // Flagger rolls back on the threshold-th failed check; failureLimit failures are tolerated.
        threshold: (analysis?.failureLimit ?? 0) + 1,
        metrics,
        webhooks: spec.webhooks,
        sessionAffinity: routing.sessionAffinity as CanarySpecAnalysisSessionAffinity | undefined,
      },
    },
  });
}
