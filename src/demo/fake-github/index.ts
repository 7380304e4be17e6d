export type { FakeApp } from "./app-auth.js";
export {
  type BuildOrganizationOptions,
  type BuildRepositoryOptions,
  buildOrganization,
  buildRepository,
  fakeOid,
  type PerPullRequest,
  protectionRule,
} from "./build.js";
export { analyzeQuery, MAX_NODE_LIMIT, nodeLimitMessage, pointsFor, type QueryAnalysis } from "./cost.js";
export type { Fault, FaultKind, FaultRequest } from "./faults.js";
export * from "./model.js";
export type { RateLimitOptions, SecondaryLimitOptions } from "./rate-limit.js";
export { githubSchema } from "./schema.js";
export {
  type FakeGitHub,
  type FakeGitHubOptions,
  type FakeRequest,
  type FakeRestRequest,
  type FakeToken,
  startFakeGitHub,
} from "./server.js";
