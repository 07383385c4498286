/**
 * Whether a kustomize patch `target` selects an object, as kustomize decides it: group, version,
 * kind and namespace compare exactly, `name` is a regular expression anchored at both ends, and
 * `labelSelector` / `annotationSelector` use the Kubernetes selector syntax (`a=b`, `a!=b`,
 * `a in (x,y)`, `a notin (x)`, `a`, `!a`).
 */
import type { K8sObject } from '../model/remediation.ts';

export interface PatchSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

/** One requirement of a selector; null when the selector does not parse. */
function requirements(selector: string): Array<(labels: Record<string, string>) => boolean> | null {
  const parts = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  const out: Array<(labels: Record<string, string>) => boolean> = [];
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') continue;
    let m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(part);
    if (m) {
      const [, key = '', op, value = ''] = m;
      out.push((l) => (op === '!=' ? l[key] !== value : l[key] === value));
      continue;
    }
    m = /^([\w./-]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      const [, key = '', op, list = ''] = m;
      const values = list.split(',').map((v) => v.trim());
      out.push((l) => (op === 'in' ? l[key] !== undefined && values.includes(l[key]) : !values.includes(l[key] ?? '')));
      continue;
    }
    m = /^(!?)([\w./-]+)$/.exec(part);
    if (m) {
      const [, not, key = ''] = m;
      out.push((l) => (not ? !(key in l) : key in l));
      continue;
    }
    return null;
  }
  return out;
}

function matchesSelector(selector: string | undefined, values: Record<string, string> | undefined): boolean | null {
  if (selector === undefined || selector.trim() === '') return true;
  const reqs = requirements(selector);
  if (reqs === null) return null;
  return reqs.every((r) => r(values ?? {}));
}

/**
 * true or false when it can tell; null for a selector it cannot read (then the caller must not
 * assume either way).
 */
export function selects(target: PatchSelector, object: K8sObject): boolean | null {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  if (target.kind !== undefined && target.kind !== object.kind) return false;
  if (target.group !== undefined && target.group !== group) return false;
  if (target.version !== undefined && target.version !== version) return false;
  if (target.namespace !== undefined && target.namespace !== (object.metadata.namespace ?? '')) return false;
  if (target.name !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${target.name})$`);
    } catch {
      return null;
    }
    if (!re.test(object.metadata.name)) return false;
  }
  const labels = matchesSelector(target.labelSelector, object.metadata.labels);
  const annotations = matchesSelector(target.annotationSelector, object.metadata.annotations);
  if (labels === false || annotations === false) return false;
  return labels === null || annotations === null ? null : true;
}
