/**
 * The published JSON Schema of `.salve.yaml` (schemas/salve-config.schema.json), generated from the
 * zod schema so the two cannot drift (a spec compares them). Editors validate and complete the file
 * through the `# yaml-language-server: $schema=...` line `salve init` writes.
 */
import { z } from 'zod';
import { SalveConfig } from './schema.ts';

/** Where the schema is published: the repository's major-version tag, as the Action is referenced. */
export const CONFIG_SCHEMA_URL =
  'https://raw.githubusercontent.com/salve-dev/salve/v0/schemas/salve-config.schema.json';

/** What an editor shows on hover, by property path (`[]` for array items). */
const DESCRIPTIONS: Record<string, string> = {
  '': "salve's settings for this config repo. Every field is optional.",
  apiVersion: 'Version of this file format.',
  applications: 'Globs (repo-relative) of the files that hold Argo CD Applications. Default: every YAML file.',
  environments: 'Environments: which Argo CD destinations (clusters) belong to each, and its tier.',
  'environments[].name': 'The name policies, trust rules and PR titles use.',
  'environments[].tier': 'production, staging, development, ...: what policies key on. Default: guessed from the name.',
  'environments[].clusters': 'Argo CD destination names or server URLs in this environment.',
  'environments[].timezone': 'IANA time zone of the business hours, e.g. Europe/Berlin.',
  'environments[].businessHours': 'When people are at work: outside these hours production changes wait for a human.',
  'environments[].businessHours.days': 'Days of the week, 0 = Sunday.',
  trust:
    'The trust ladder: observe (record only), approve (PR for a human) or automate (auto-merge), per environment and action.',
  'trust.default': 'Mode when no rule matches.',
  'trust.rules': 'First matching rule wins.',
  'trust.earn':
    'Trust from outcomes: an action the ladder leaves at approve is automated in an environment after this many effective follow-ups within the window, and none harmful.',
  'trust.earn.effective': 'How many effective follow-ups earn automate.',
  'trust.earn.window': 'How far back follow-up outcomes count (e.g. 30d).',
  policy: 'Thresholds and bounds the default policies enforce.',
  'policy.confidenceThreshold': 'Minimum incident confidence (0-1) for automate.',
  'policy.riskThreshold': 'Minimum incident risk (0-1) to act at all.',
  'policy.protectedNamespaces': 'Namespaces salve never changes.',
  'policy.sensitiveKinds': 'Kinds whose changes always need a human.',
  'policy.bounds': 'How far one remediation may move a value: a factor of the current value and an absolute cap.',
  'policy.rollbackMaxReleaseAge': 'Roll back only an image change younger than this (e.g. 2h).',
  freezes: 'Change freezes: no changes in the listed environments between from and to.',
  limits: 'Caps on open remediation pull requests.',
  holdPeriod: 'A closed or observed incident is not acted on again within this period (e.g. 1h).',
  slos: 'SLO guard rails for canary analysis; {{args.service}} in a query is filled in per workload.',
  rollouts:
    'Progressive delivery: with adopt: true, a production fix that deserves a canary first proposes adopting Argo Rollouts as its own PR.',
  'rollouts.adopt': 'Propose adopting Argo Rollouts (its own PR) before a production fix that deserves a canary.',
  cluster: 'What a PR shows of the cluster, when salve reads one: previous logs and events, bounded.',
  keys: 'Repo-relative globs of the trusted ed25519 public keys (PEM) that verify proofs.',
  policies: "Repo-relative directories of this repo's own Rego policies, evaluated with salve's defaults.",
  followUp:
    'After a remediation merges: how long to wait for Argo CD to sync it, to let it settle, and to look back, and who merges the revert of a harmful change.',
  'followUp.stabilisationWindow':
    'How long the change must hold after Argo CD reports it synced and settled (e.g. 10m).',
  'followUp.syncTimeout': 'How long to wait for Argo CD to sync the merge before the outcome is inconclusive.',
  'followUp.preWindow': 'The window before the merge that SLO queries are compared with.',
  'followUp.pollInterval': 'How often to look at the Argo CD Application while waiting for the sync.',
  'followUp.revert':
    "A harmful follow-up opens a PR reverting salve's own change: approve (default) asks a human to merge it, automate lets salve merge it where policy allows.",
  commitAuthor: "Author of the commits salve plan makes. Default: the OpenPGP signing key's user id.",
};

type Node = Record<string, unknown>;

function describe(node: Node, path: string): void {
  const text = DESCRIPTIONS[path];
  if (text && typeof node.description !== 'string') node.description = text;
  const properties = node.properties as Record<string, Node> | undefined;
  for (const [key, child] of Object.entries(properties ?? {})) describe(child, path ? `${path}.${key}` : key);
  const items = node.items as Node | undefined;
  if (items && typeof items === 'object') describe(items, `${path}[]`);
}

export function salveConfigJsonSchema(): Node {
  const generated = z.toJSONSchema(SalveConfig, { io: 'input', target: 'draft-2020-12' }) as Node;
  const { $schema, ...rest } = generated;
  const schema: Node = { $schema, $id: CONFIG_SCHEMA_URL, title: '.salve.yaml', ...rest };
  describe(schema, '');
  return schema;
}
