/**
 * `@verk/web`: the dashboard of Verk (and of any Sidekiq-layout Redis), as a plain Node request
 * handler to mount under node:http, Express or Fastify, or to run with `verk web`.
 * @packageDocumentation
 */
export type { Dashboard } from "./dashboard.js";
export { createDashboard } from "./dashboard.js";
export type { DashboardAction, DashboardOptions } from "./options.js";
export { CHANGE_ACTIONS, parseBasicAuth } from "./options.js";
