/** salve as a GitHub App: `salve serve`. */
export { type AlertmanagerPayload, mergePayloads, parseAlertmanager } from './alertmanager.ts';
export { gitCheckout } from './checkout.ts';
export { ServeConfig, loadServeConfig } from './config.ts';
export { Metrics } from './metrics.ts';
export { KeyedQueue } from './queue.ts';
export { type SalveServer, type ServerDeps, createServer } from './server.ts';
export { type ServeOptions, serveCommand } from './serve.ts';
export type { Checkout, CheckoutResult, Clock, Logger, PlanContext, Planner, RepoRef } from './types.ts';
