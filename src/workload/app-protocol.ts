/**
 * The protocol the app speaks on its port: a fact about the app that every Service and every
 * router of a release agrees on.
 */
export enum AppProtocol {
  /**
   * HTTP/1.1 (or HTTP/2 the routers do not need to know about). The Services' port carries no
   * `appProtocol`.
   */
  HTTP = 'http',

  /**
   * gRPC: HTTP/2 requests to `/<package>.<Service>/<Method>`, whose outcome is the
   * `grpc-status` trailer of an HTTP 200 answer. Every Service's port carries
   * `appProtocol: grpc` (Istio then routes it as gRPC although the port is named `http`:
   * `appProtocol` wins over the port name in its `ConvertProtocol`), ingress-nginx proxies
   * with `grpc_pass` (`backend-protocol: GRPC`), and Gateway API gets a `GRPCRoute`.
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#application-protocol
   */
  GRPC = 'grpc',
}
