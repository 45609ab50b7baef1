import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { objectMetadata } from '../../private/metadata';
import { checkObjectName } from '../../private/object-names';
import { ResolvedRelease, appMetadata } from '../release-plan';
import { SmokeRequests, smokePod } from '../smoke-target';

/**
 * AnalysisTemplate `<name>-smoke`: one Job metric that runs the smoke test's loop. Argo Rollouts
 * (v1.9, metricproviders/job) counts the Job failing as a Failed measurement, and with the
 * default failureLimit 0 the analysis fails and the rollout is aborted.
 * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/job/
 */
export function smokeAnalysisTemplate(scope: Construct, release: ResolvedRelease, version: string, requests: SmokeRequests): ApiObject {
  const name = `${release.name}-smoke`;
  checkObjectName(release, name, 'AnalysisTemplate');
  return new ApiObject(scope, 'SmokeAnalysisTemplate', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: objectMetadata(name, appMetadata(release).labels, release.metadata.annotations),
    spec: {
      metrics: [{
        name: 'smoke-test',
        provider: {
          job: {
            spec: {
              backoffLimit: 0,
              template: smokePod(release, version, requests),
            },
          },
        },
      }],
    },
  });
}
