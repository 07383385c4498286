/**
 * Every `salve` command: its options, its usage text and where its code is. The code of a command
 * is imported only when that command runs, so `--help`, `--version` and a typo load nothing else.
 */
import type { Options } from './args.ts';

export type Env = Readonly<Record<string, string | undefined>>;
export type CommandRun = (args: string[], env: Env) => Promise<number>;

export interface CommandSpec {
  name: string;
  summary: string;
  /** After `usage: salve <name> `. */
  synopsis: string;
  /** Paragraphs under the usage line. */
  description?: string;
  options: Options;
  /** How many positional arguments it takes (default none). */
  positionals?: number;
  /** The command parses its own flags (they are documented here, not checked before it loads). */
  ownParser?: boolean;
  /** [variable, what] pairs for the help's environment section. */
  env?: ReadonlyArray<readonly [string, string]>;
  /** Exit codes this command uses, when they differ from the common ones. */
  exits?: string;
  /**
   * The command runs for long and parses the same schemas many times: zod keeps compiling a fast
   * parser per object schema on its first parse. Other commands parse each schema once or twice,
   * so they run zod without that compile (engine/cli/main.ts).
   */
  longRunning?: boolean;
  load(): Promise<CommandRun>;
}

const json = { type: 'boolean', help: 'one JSON object on stdout, errors included' } as const;
const repo = {
  type: 'string',
  arg: '<dir>',
  help: 'the config repo checkout (default: the git repository around the current directory)',
} as const;

export const EXIT_CODES =
  '0 done, 1 failed (an internal error, a tool or a push), 2 bad input or configuration, 3 denied by policy, 4 verification failed';

const SIGNING_ENV = [
  [
    'SALVE_SIGNING_KEY, SALVE_SIGNING_KEY_FILE',
    'ed25519 key that signs the proof (default: the key `salve init` made)',
  ],
  ['SALVE_GPG_PRIVATE_KEY, SALVE_GPG_PRIVATE_KEY_FILE', 'armored OpenPGP key that signs the commit'],
  ['SALVE_GPG_PASSPHRASE', 'its passphrase, when it has one'],
  ['SALVE_GIT_AUTHOR_NAME, SALVE_GIT_AUTHOR_EMAIL', 'commit author (see --author)'],
] as const;

const TOOLS_ENV = [
  ['SALVE_OPA, SALVE_KUSTOMIZE', 'the opa and kustomize to run (default: PATH, then the tools cache)'],
  ['SALVE_TOOLS_DIR', 'the tools cache (default: ~/.cache/salve/tools)'],
] as const;

export const PLAN_OPTIONS = {
  repo,
  signal: {
    type: 'string',
    multiple: true,
    arg: '<file>',
    help: 'Alertmanager webhook payload, Pod or PodList (JSON or YAML); repeatable; - reads stdin',
  },
  cluster: { type: 'string', arg: '<name>', help: 'the cluster pod objects come from (alerts name their own)' },
  'dry-run': {
    type: 'boolean',
    help: 'stop at the decision: print the PR, the kustomization diff and the rendered diff; write nothing',
  },
  'no-push': { type: 'boolean', help: 'commit the branch locally and do not push it' },
  remote: { type: 'string', arg: '<name>', help: 'the remote to push to (default: origin, when the repo has one)' },
  author: {
    type: 'string',
    arg: "'Name <email>'",
    help: 'commit author (default: SALVE_GIT_AUTHOR_*, .salve.yaml commitAuthor, the OpenPGP key user id)',
  },
  json,
} as const satisfies Options;

export const EXPLAIN_OPTIONS = { repo, json } as const satisfies Options;

export const INIT_OPTIONS = {
  repo,
  force: { type: 'boolean', help: 'overwrite .salve.yaml and the workflow file when they exist' },
  'key-dir': {
    type: 'string',
    arg: '<dir>',
    help: 'where the private proof key goes (default: ~/.config/salve/keys, outside the repo)',
  },
} as const satisfies Options;

export const VALIDATE_OPTIONS = { repo, json } as const satisfies Options;

export const SETUP_OPTIONS = {
  check: { type: 'boolean', help: 'only report what is found; install nothing' },
  servers: {
    type: 'boolean',
    help: 'the servers instead: etcd and kube-apiserver for the demo, or the named ones (all: also prometheus, promtool, alertmanager)',
  },
  json,
} as const satisfies Options;

export const TEST_POLICIES_OPTIONS = {
  policies: { type: 'string', multiple: true, arg: '<dir>', help: "a directory of the repo's own Rego; repeatable" },
  threshold: { type: 'string', arg: '<pct>', default: '90', help: 'minimum line coverage in percent (default 90)' },
} as const satisfies Options;

export const DEMO_OPTIONS = {
  keep: { type: 'boolean', help: 'keep the temp dir (work repo and bare remote) for a look' },
} as const satisfies Options;

/** Documented here for the help; `salve verify` parses its own flags. */
const VERIFY_OPTIONS = {
  repo,
  ref: { type: 'string', arg: '<ref>', help: 'the branch, tag or commit to check (default HEAD)' },
  base: {
    type: 'string',
    arg: '<branch>',
    help: "the base branch that judges it (default: origin's default branch, else main or master)",
  },
  key: { type: 'string', multiple: true, arg: '<public.pem>', help: 'an extra trusted ed25519 public key; repeatable' },
  json,
} as const satisfies Options;

/** Documented here for the help; `salve serve` reads flags and environment in engine/app/config.ts. */
const SERVE_OPTIONS = {
  'app-id': { type: 'string', arg: '<id>', help: 'the GitHub App id (SALVE_APP_ID)' },
  'webhook-secret': { type: 'string', arg: '<secret>', help: 'GitHub webhook secret (SALVE_WEBHOOK_SECRET)' },
  repo: { type: 'string', arg: '<owner/name>', help: 'the config repo when the intake route names none (SALVE_REPO)' },
  host: { type: 'string', arg: '<host>', help: 'listen address (SALVE_HOST, default 0.0.0.0)' },
  port: { type: 'string', arg: '<port>', help: 'listen port (SALVE_PORT, default 8080)' },
  publish: { type: 'string', arg: 'api|git', help: 'how commits are made (SALVE_PUBLISH, default api)' },
  'github-api-url': { type: 'string', arg: '<url>', help: 'GitHub API base URL (SALVE_GITHUB_API_URL)' },
} as const satisfies Options;

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'init',
    summary: 'write .salve.yaml, a proof key pair and the verification workflow into a config repo',
    synopsis: '[--repo <dir>] [--force] [--key-dir <dir>]',
    description:
      'Derives environments and clusters from the Argo CD Applications in the repo and writes a commented\n' +
      '.salve.yaml; makes an ed25519 proof key pair (the private half outside the repo, mode 0600, the public\n' +
      'half under .salve/keys/); writes .github/workflows/salve-verify.yml. Refuses to overwrite without --force.\n' +
      'Commit the files it lists.',
    options: INIT_OPTIONS,
    load: async () => (await import('./init.ts')).initCommand,
  },
  {
    name: 'validate',
    summary: "check .salve.yaml, compile the policies, build every Application's overlay",
    synopsis: '[--repo <dir>] [--json]',
    description:
      'Prints the (cluster, namespace) -> overlay table salve resolves targets with. Exits 2 on any problem.',
    options: VALIDATE_OPTIONS,
    env: TOOLS_ENV,
    load: async () => (await import('./validate.ts')).validateCommand,
  },
  {
    name: 'plan',
    summary: 'turn alerts or pod statuses into a signed remediation branch (or look first with --dry-run)',
    synopsis: '--signal <file> [--signal <file>...] [options]',
    description:
      'Plans one remediation per incident: the least disruptive action, rendered into the overlay the Argo CD\n' +
      'Applications map the target to, checked with kustomize, decided by policy, proven and signed. It commits\n' +
      'to branch salve/<id> (OpenPGP-signed) and pushes with your own git (its credential helpers and ssh keys).\n' +
      'A rerun with nothing new leaves the branch as it is (unchanged); a branch with a commit salve did not\n' +
      'make is frozen: salve leaves it to you and says so.',
    options: PLAN_OPTIONS,
    env: [...SIGNING_ENV, ...TOOLS_ENV],
    exits:
      '0 done (a branch, unchanged, frozen, or an observe-only record), 1 failed (an internal error, a tool or the push), 2 bad input, 3 denied by policy',
    load: async () => (await import('./plan.ts')).planCommand,
  },

  {
    name: 'explain',
    summary: "print an existing remediation's explanation",
    synopsis: '<remediation-id|branch> [--repo <dir>] [--json]',
    description:
      'Looks on the branch (local, then remote-tracking), then on HEAD (a merged remediation), then among the\n' +
      'observe-only records under .git/salve/observations/.',
    options: EXPLAIN_OPTIONS,
    positionals: 1,
    load: async () => (await import('./explain.ts')).explainCommand,
  },
  {
    name: 'verify',
    summary: 're-check what a ref adds, judged by its base branch: signature, decision, rendered diff',
    synopsis: '[--repo <dir>] [--ref <ref>] [--base <branch>] [--key <public.pem>...] [--json]',
    description:
      'Judges what --ref changes on its base branch as the GitHub Action does: keys, policies and .salve.yaml\n' +
      "come from the base branch's commit, never from the ref or the working tree; --key and SALVE_TRUSTED_KEY\n" +
      "add keys. Each proof's signature and decision are re-checked and the overlay is re-rendered.",
    options: VERIFY_OPTIONS,
    ownParser: true,
    env: [['SALVE_TRUSTED_KEY', 'an extra trusted public key (PEM)'], ...TOOLS_ENV],
    exits: '0 every remediation verified, 1 internal error, 2 bad input or nothing to verify, 4 verification failed',
    load: async () => (await import('./verify.ts')).verifyCommand,
  },

  {
    name: 'setup',
    summary: 'find the pinned opa and kustomize (or the servers), or install them with Go into the tools cache',
    synopsis: '[--check] [--json] [--servers [<name>...]]',
    options: SETUP_OPTIONS,
    positionals: 5,
    env: TOOLS_ENV,
    exits: '0 all found (or installed), 2 one is missing and cannot be installed here',
    load: async () => (await import('./setup.ts')).setupCommand,
  },
  {
    name: 'test-policies',
    summary: "opa test with coverage over salve's policies and the repo's own",
    synopsis: '[--policies <dir>...] [--threshold <pct>]',
    options: TEST_POLICIES_OPTIONS,
    env: TOOLS_ENV,
    exits: '0 all passed and coverage reached, 1 a test failed or coverage is below the threshold, 2 bad input',
    load: async () => (await import('./test-policies.ts')).testPoliciesCommand,
  },
  {
    name: 'demo',
    summary: 'run every sample signal against the bundled example config repo',
    synopsis: '[--keep]',
    options: DEMO_OPTIONS,
    env: TOOLS_ENV,
    load: async () => (await import('./demo.ts')).demoCommand,
  },
  {
    name: 'serve',
    summary: 'run as a GitHub App: webhooks and the Alertmanager intake',
    synopsis: '[options]',
    description: 'Flags override the SALVE_* variables named beside them. See the README for the endpoints.',
    options: SERVE_OPTIONS,
    ownParser: true,
    env: [
      ['SALVE_PRIVATE_KEY, SALVE_PRIVATE_KEY_FILE', "the App's private key"],
      ['SALVE_ALERTMANAGER_TOKEN or SALVE_ALERTMANAGER_HMAC_SECRET', 'intake authentication (required)'],
      ['SALVE_SIGNING_KEY, SALVE_SIGNING_KEY_FILE', 'ed25519 key that signs the proof'],
      ['SALVE_LOG_LEVEL', 'as --log-level'],
    ],
    exits: 'runs until SIGINT or SIGTERM; 2 bad configuration',
    longRunning: true,
    load: async () => (await import('./serve.ts')).serve,
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
