import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { objectMetadata } from '../private/metadata';
import { WorkloadSpec } from './track-deployment';

/** What a release's Services share. */
export interface ServiceSpec extends Pick<WorkloadSpec, 'name' | 'containerPort' | 'metadata'> {
  readonly servicePort: number;
}

/** A Service `name` with port `http` to containerPort, selecting pods by `selector`. */
export function releaseService(scope: Construct, id: string, spec: ServiceSpec, name: string, selector: { [key: string]: string }): kplus.Service {
  const service = new kplus.Service(scope, id, {
    metadata: objectMetadata(name, { ...spec.metadata.labels, app: spec.name }, spec.metadata.annotations),
    ports: [{ name: 'http', port: spec.servicePort, targetPort: spec.containerPort }],
  });
  for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
  return service;
}
