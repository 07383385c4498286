/**
 * What resolution reads from one commit, kept on disk across runs: its Argo CD Applications and,
 * per overlay, the names its files hold (may-render.ts). A commit id pins every file, so an entry
 * is right for that commit and is never used for another; `salve plan` on a base it has seen then
 * parses neither a thousand Application files nor a thousand overlays again. Files are checked on
 * read (shape, commit, size), written atomically, and at most MAX_COMMITS are kept (least recently
 * used first out) in a directory that is the user's own.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ArgoApplication } from '../model/remediation.ts';
import type { OverlayNames } from './may-render.ts';

const MAX_COMMITS = 32;
const MAX_BYTES = 64 * 1024 * 1024;

const Stored = z.object({
  version: z.literal(1),
  commit: z.string(),
  applications: z
    .array(
      z.object({
        name: z.string(),
        file: z.string(),
        cluster: z.string(),
        namespace: z.string(),
        path: z.string(),
        repoURL: z.string(),
        sync: z.object({ automated: z.boolean(), prune: z.boolean() }).optional(),
      }),
    )
    .nullable(),
  names: z.record(z.string(), z.object({ names: z.array(z.string()), argoOnly: z.boolean() }).nullable()),
});

export interface CommitIndex {
  applications: readonly ArgoApplication[] | null;
  /** Names by overlay path, for this commit. */
  names: Map<string, OverlayNames>;
  /** Writes what was learnt in this run (nothing when nothing is new). */
  save(applications: readonly ArgoApplication[] | null): void;
}

function read(file: string, commit: string): z.infer<typeof Stored> | null {
  try {
    if (statSync(file).size > MAX_BYTES) return null;
    const parsed = Stored.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success && parsed.data.commit === commit ? parsed.data : null;
  } catch {
    return null;
  }
}

function prune(dir: string): void {
  const kept = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .flatMap((name) => {
      try {
        return [{ name, used: statSync(join(dir, name)).mtimeMs }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.used - a.used);
  for (const { name } of kept.slice(MAX_COMMITS)) rmSync(join(dir, name), { force: true });
}

/** The index of `commit` in `dir` (empty when there is none, or it does not check out). */
export function openCommitIndex(dir: string, commit: string): CommitIndex {
  if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new Error(`not a commit id: ${commit}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${commit}.json`);
  const stored = read(file, commit);
  const names = new Map<string, OverlayNames>(
    Object.entries(stored?.names ?? {}).map(([path, n]) => [
      path,
      n && { names: new Set(n.names), argoOnly: n.argoOnly },
    ]),
  );
  const known = names.size;
  if (stored) {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // Pruned by another run meanwhile.
    }
  }
  return {
    applications: stored?.applications?.map(({ sync, ...app }) => (sync ? { ...app, sync } : app)) ?? null,
    names,
    save(applications) {
      if (stored?.applications && names.size === known) return;
      const body = {
        version: 1,
        commit,
        applications: applications ?? stored?.applications ?? null,
        names: Object.fromEntries(
          [...names].map(([path, n]) => [path, n && { names: [...n.names].sort(), argoOnly: n.argoOnly }]),
        ),
      };
      const tmp = join(dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
      try {
        writeFileSync(tmp, JSON.stringify(body), { mode: 0o600 });
        renameSync(tmp, file);
        prune(dir);
      } catch {
        // An index that cannot be written is a slower next run, never a failed one.
        rmSync(tmp, { force: true });
      }
    },
  };
}
