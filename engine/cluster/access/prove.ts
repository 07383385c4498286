/**
 * Zero write access, proven at start-up: salve asks the API server what its identity may do in
 * every namespace it watches (SelfSubjectRulesReview) and asks about each cluster-scoped write
 * (SelfSubjectAccessReview), and refuses to run, naming the offending rules, if anything writes.
 */
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1SelfSubjectAccessReview,
} from '@kubernetes/client-node';
import pLimit from 'p-limit';
import type { Logger } from '../../telemetry/logger.ts';
import { ClusterError, clusterError, statusOf, WriteAccessError } from '../errors.ts';
import { type AccessCheck, clusterScopedChecks, describeCheck, namespacedChecks } from './cluster-checks.ts';
import { writeFindings } from './write-rules.ts';

export interface ProveOptions {
  /** The cluster's name, as signals and errors name it. */
  cluster: string;
  /** The namespaces salve watches; empty means all of them. */
  namespaces: readonly string[];
  log: Logger;
  concurrency?: number;
}

export interface AccessReport {
  identity: string;
  namespaces: string[];
  /** SelfSubjectAccessReviews asked. */
  accessReviews: number;
  /** Namespaces whose rules review was incomplete (spot-checked instead). */
  incomplete: string[];
}

interface Apis {
  authz: AuthorizationV1Api;
  core: CoreV1Api;
}

async function whoAmI(kc: KubeConfig, cluster: string): Promise<string> {
  try {
    const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    return review.status?.userInfo?.username ?? '(unknown identity)';
  } catch (err) {
    if (statusOf(err) === 401)
      throw clusterError(`cluster ${cluster}: the API server rejects salve's credentials`, err);
    throw clusterError(`cluster ${cluster}: cannot ask the API server who salve is`, err);
  }
}

async function allNamespaces(apis: Apis, cluster: string): Promise<string[]> {
  const names: string[] = [];
  let next: string | undefined;
  do {
    try {
      const page = await apis.core.listNamespace({ limit: 500, ...(next ? { _continue: next } : {}) });
      for (const ns of page.items) if (ns.metadata?.name) names.push(ns.metadata.name);
      next = page.metadata?._continue || undefined;
    } catch (err) {
      throw clusterError(
        `cluster ${cluster}: salve watches every namespace, so it must list them to prove it can write to none (grant list on namespaces, as deploy/rbac does, or name the namespaces to watch)`,
        err,
      );
    }
  } while (next);
  return names;
}

async function allowed(apis: Apis, check: AccessCheck, namespace: string | undefined): Promise<boolean> {
  const [resource, subresource] = check.resource.split('/');
  const body: V1SelfSubjectAccessReview = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: {
      resourceAttributes: {
        verb: check.verb,
        group: check.group,
        ...(resource ? { resource } : {}),
        ...(subresource ? { subresource } : {}),
        ...(namespace ? { namespace } : {}),
      },
    },
  };
  const review = await apis.authz.createSelfSubjectAccessReview({ body });
  return review.status?.allowed === true;
}

async function namespaceFindings(
  apis: Apis,
  namespace: string,
  incomplete: string[],
  counter: { reviews: number },
): Promise<string[]> {
  const review = await apis.authz.createSelfSubjectRulesReview({
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
  });
  const status = review.status;
  const findings = writeFindings(status?.resourceRules ?? [], status?.nonResourceRules ?? []);
  if (status?.incomplete) {
    incomplete.push(namespace);
    for (const check of namespacedChecks()) {
      counter.reviews++;
      if (await allowed(apis, check, namespace)) findings.push(`${describeCheck(check)} (SelfSubjectAccessReview)`);
    }
  }
  return findings;
}

function summarise(byFinding: Map<string, string[]>): string[] {
  return [...byFinding.entries()].map(([finding, where]) => {
    const shown = where.slice(0, 5).join(', ');
    const more = where.length > 5 ? ` and ${where.length - 5} more` : '';
    return `${finding} [${where.length === 1 && where[0] === 'cluster-wide' ? 'cluster-wide' : `in ${shown}${more}`}]`;
  });
}

export async function proveReadOnly(kc: KubeConfig, opts: ProveOptions): Promise<AccessReport> {
  const apis: Apis = { authz: kc.makeApiClient(AuthorizationV1Api), core: kc.makeApiClient(CoreV1Api) };
  const identity = await whoAmI(kc, opts.cluster);
  const namespaces = opts.namespaces.length > 0 ? [...opts.namespaces] : await allNamespaces(apis, opts.cluster);
  const limit = pLimit(opts.concurrency ?? 8);
  const incomplete: string[] = [];
  const counter = { reviews: 0 };
  const byFinding = new Map<string, string[]>();
  const note = (finding: string, where: string) => {
    const list = byFinding.get(finding);
    if (list) list.push(where);
    else byFinding.set(finding, [where]);
  };
  try {
    const perNamespace = await Promise.all(
      namespaces.map((ns) => limit(async () => [ns, await namespaceFindings(apis, ns, incomplete, counter)] as const)),
    );
    for (const [ns, findings] of perNamespace) for (const f of findings) note(f, `namespace ${ns}`);
    const checks = clusterScopedChecks();
    counter.reviews += checks.length;
    const cluster = await Promise.all(
      checks.map((c) => limit(async () => [c, await allowed(apis, c, undefined)] as const)),
    );
    for (const [check, yes] of cluster)
      if (yes) note(`${describeCheck(check)} (SelfSubjectAccessReview)`, 'cluster-wide');
  } catch (err) {
    if (err instanceof ClusterError) throw err;
    throw clusterError(`cluster ${opts.cluster}: reviewing salve's own access failed`, err);
  }
  if (byFinding.size > 0) {
    const findings = summarise(byFinding);
    throw new WriteAccessError(
      `cluster ${opts.cluster}: salve refuses to run as ${identity}, which can write to the cluster; salve needs read access only (deploy/rbac):\n  - ${findings.join('\n  - ')}`,
      findings,
    );
  }
  if (incomplete.length > 0) {
    opts.log.warn(
      { cluster: opts.cluster, namespaces: incomplete },
      'rules review incomplete (an authorizer other than RBAC); writes were spot-checked one by one',
    );
  }
  opts.log.info(
    { cluster: opts.cluster, identity, namespaces: namespaces.length, accessReviews: counter.reviews },
    'read-only access proven',
  );
  return { identity, namespaces, accessReviews: counter.reviews, incomplete };
}
