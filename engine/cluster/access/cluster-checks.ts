/**
 * The cluster-scoped writes asked one by one with SelfSubjectAccessReviews: they hold whatever the
 * authorizer is (RBAC or a webhook whose rules a SelfSubjectRulesReview cannot list).
 */
export interface AccessCheck {
  verb: string;
  group: string;
  resource: string;
}

const CLUSTER_RESOURCES: ReadonlyArray<readonly [string, string]> = [
  ['', 'namespaces'],
  ['', 'nodes'],
  ['', 'persistentvolumes'],
  ['rbac.authorization.k8s.io', 'clusterroles'],
  ['rbac.authorization.k8s.io', 'clusterrolebindings'],
  ['apiextensions.k8s.io', 'customresourcedefinitions'],
  ['admissionregistration.k8s.io', 'mutatingwebhookconfigurations'],
  ['admissionregistration.k8s.io', 'validatingwebhookconfigurations'],
  ['storage.k8s.io', 'storageclasses'],
  ['certificates.k8s.io', 'certificatesigningrequests'],
  ['scheduling.k8s.io', 'priorityclasses'],
  ['argoproj.io', 'clusteranalysistemplates'],
];

const WRITES = ['create', 'update', 'patch', 'delete', 'deletecollection'];

export function clusterScopedChecks(): AccessCheck[] {
  const checks: AccessCheck[] = [];
  for (const [group, resource] of CLUSTER_RESOURCES) {
    for (const verb of WRITES) checks.push({ verb, group, resource });
  }
  checks.push(
    { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
    { verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
    { verb: 'impersonate', group: '', resource: 'users' },
    { verb: 'impersonate', group: '', resource: 'groups' },
    { verb: 'impersonate', group: '', resource: 'serviceaccounts' },
    { verb: 'approve', group: 'certificates.k8s.io', resource: 'signers' },
    { verb: 'get', group: '', resource: 'nodes/proxy' },
  );
  return checks;
}

/** Namespaced writes spot-checked where a rules review comes back incomplete. */
export function namespacedChecks(): AccessCheck[] {
  const resources: Array<[string, string]> = [
    ['', 'pods'],
    ['', 'pods/exec'],
    ['', 'secrets'],
    ['', 'configmaps'],
    ['', 'services'],
    ['', 'serviceaccounts'],
    ['apps', 'deployments'],
    ['apps', 'statefulsets'],
    ['apps', 'daemonsets'],
    ['batch', 'jobs'],
    ['rbac.authorization.k8s.io', 'roles'],
    ['rbac.authorization.k8s.io', 'rolebindings'],
    ['argoproj.io', 'applications'],
    ['argoproj.io', 'rollouts'],
    ['argoproj.io', 'analysisruns'],
  ];
  return resources.flatMap(([group, resource]) => WRITES.map((verb) => ({ verb, group, resource })));
}

export function describeCheck(c: AccessCheck): string {
  return `${c.verb} ${c.resource}${c.group ? `.${c.group}` : ''}`;
}
