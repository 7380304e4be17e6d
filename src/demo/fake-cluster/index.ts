export {
  type FakeArgoCd,
  type FakeArgoCdOptions,
  type FakeArgoCdToken,
  type GrpcError,
  grpcError,
  type RecordedArgoCdRequest,
  startFakeArgoCd,
} from "./argocd-server.js";
export * from "./build.js";
export {
  type ArgoCdFault,
  type ExpireContinueFault,
  type FaultAction,
  FaultController,
  type FaultHandle,
  type FaultKind,
  type FaultScope,
  type KubeFault,
} from "./faults.js";
export { fakeResourceVersion, kubeMicroTime } from "./ids.js";
export {
  EXPIRED_MESSAGE,
  EXPIRED_MESSAGE_NO_TOKEN,
  type FakeKube,
  type FakeKubeOptions,
  type FakeKubeToken,
  type KubeGrant,
  type KubeStatus,
  kubeStatus,
  type RecordedKubeRequest,
  startFakeKube,
} from "./kube-server.js";
export { writeKubeconfig } from "./kubeconfig.js";
export { KUBE_RESOURCES, type KubeResource, RESOURCE_INFO, type ResourceInfo } from "./resources.js";
export type * from "./types.js";
