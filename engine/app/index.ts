/** salve as a GitHub App: `salve serve`. */
export { type AlertmanagerPayload, readAlertmanagerBody } from './alertmanager.ts';
export { gitCheckout } from './checkout.ts';
export { loadServeConfig, ServeConfig } from './config.ts';
export { Metrics } from './metrics.ts';
export { type ServeOptions, serveCommand } from './serve.ts';
export { createServer, type SalveServer, type ServerDeps } from './server.ts';
export type { Checkout, CheckoutResult, Clock, Logger, PlanContext, Planner, RepoRef } from './types.ts';
