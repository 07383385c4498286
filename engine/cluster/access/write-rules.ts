/**
 * Which RBAC rules give write access. Pure: rules in, findings out.
 *
 * A rule writes when it grants a verb outside get/list/watch (create, update, patch, delete,
 * deletecollection, escalate, bind, impersonate, approve, sign, or `*`), or any verb at all on a
 * subresource that runs commands in or tunnels into workloads (pods/exec, pods/attach,
 * pods/portforward, pods/proxy, nodes/proxy, services/proxy), including through wildcards. The
 * self-review APIs every authenticated user may `create` (they only ask the API server about
 * oneself) are not write access.
 */

export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[] | undefined;
  resources?: string[] | undefined;
  resourceNames?: string[] | undefined;
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[] | undefined;
}

const READ_VERBS = new Set(['get', 'list', 'watch']);
const READ_URL_VERBS = new Set(['get', 'head', 'options']);

/** group/resource pairs that are questions about oneself, not writes. */
const SELF_REVIEWS = new Set([
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
  'authentication.k8s.io/selfsubjectreviews',
]);

/** Subresources that reach into running workloads, whatever the verb. */
const TUNNELS = [
  ['', 'pods/exec'],
  ['', 'pods/attach'],
  ['', 'pods/portforward'],
  ['', 'pods/proxy'],
  ['', 'nodes/proxy'],
  ['', 'services/proxy'],
] as const;

function groupMatches(groups: readonly string[], group: string): boolean {
  return groups.includes('*') || groups.includes(group);
}

// Whether an RBAC resource pattern covers `resource/sub`: RBAC allows `*`, `*/sub` and `res/*`.
function resourceMatches(pattern: string, full: string): boolean {
  if (pattern === '*' || pattern === full) return true;
  const [res, sub] = full.split('/');
  return pattern === `*/${sub}` || pattern === `${res}/*`;
}

function describe(rule: ResourceRule, verbs: readonly string[], resources: readonly string[]): string {
  const groups = (rule.apiGroups ?? ['']).map((g) => (g === '' ? 'core' : g)).join(',');
  const names = rule.resourceNames?.length ? ` named ${rule.resourceNames.join(',')}` : '';
  return `${verbs.join(',')} on ${resources.join(',')} (apiGroups ${groups})${names}`;
}

/** One line per rule that gives write access, naming the verbs and resources; [] when read-only. */
export function writeFindings(rules: readonly ResourceRule[], urls: readonly NonResourceRule[] = []): string[] {
  const findings: string[] = [];
  for (const rule of rules) {
    const groups = rule.apiGroups ?? [''];
    const resources = rule.resources ?? [];
    const writes = rule.verbs.filter((v) => v === '*' || !READ_VERBS.has(v));
    if (writes.length > 0) {
      const onlySelfReviews =
        writes.every((v) => v === 'create') &&
        resources.every((r) => groups.every((g) => SELF_REVIEWS.has(`${g}/${r}`)));
      if (!onlySelfReviews) {
        const kept = resources.filter((r) => !groups.every((g) => SELF_REVIEWS.has(`${g}/${r}`)));
        findings.push(describe(rule, writes, kept));
        continue;
      }
    }
    const tunnels = TUNNELS.filter(
      ([group, full]) => groupMatches(groups, group) && resources.some((p) => resourceMatches(p, full)),
    ).map(([, full]) => full);
    if (tunnels.length > 0 && rule.verbs.length > 0) {
      findings.push(`${describe(rule, rule.verbs, resources)}: reaches into workloads through ${tunnels.join(', ')}`);
    }
  }
  for (const rule of urls) {
    const writes = rule.verbs.filter((v) => v === '*' || !READ_URL_VERBS.has(v));
    if (writes.length > 0)
      findings.push(`${writes.join(',')} on non-resource URLs ${(rule.nonResourceURLs ?? []).join(',')}`);
  }
  return findings;
}
