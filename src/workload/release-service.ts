import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { objectMetadata } from '../private/metadata';
import { AppProtocol } from './app-protocol';
import { WorkloadSpec } from './track-deployment';

/** What a release's Services share. */
export interface ServiceSpec extends Pick<WorkloadSpec, 'name' | 'containerPort' | 'metadata'> {
  readonly servicePort: number;
  /** What the app speaks on the port: with gRPC the port carries `appProtocol: grpc`. */
  readonly appProtocol: AppProtocol;
}

/**
 * A Service `name` with port `http` to containerPort, selecting pods by `selector`; for a gRPC
 * app the port says `appProtocol: grpc` (and keeps its name: Istio reads `appProtocol` before
 * the port name, pkg/config/kube/conversion.go ConvertProtocol in Istio 1.30).
 */
export function releaseService(scope: Construct, id: string, spec: ServiceSpec, name: string, selector: { [key: string]: string }): kplus.Service {
  const service = new kplus.Service(scope, id, {
    metadata: objectMetadata(name, { ...spec.metadata.labels, app: spec.name }, spec.metadata.annotations),
    ports: [{ name: 'http', port: spec.servicePort, targetPort: spec.containerPort }],
  });
  for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
  // cdk8s-plus's ServicePort has no appProtocol: patched in, on the one port.
  if (spec.appProtocol === AppProtocol.GRPC) ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/ports/0/appProtocol', AppProtocol.GRPC));
  return service;
}
