/** Records every ref a publish writes so a failure can put each one back as it was. */
import fs from 'node:fs';
import git from 'isomorphic-git';

export interface RefLedger {
  write(ref: string, value: string, symbolic?: boolean): Promise<void>;
  rollBack(): Promise<void>;
}

export function openLedger(gitdir: string): RefLedger {
  const before = new Map<string, string | null>();
  return {
    async write(ref, value, symbolic = false) {
      if (!before.has(ref)) before.set(ref, await current(gitdir, ref));
      await git.writeRef({ fs, gitdir, ref, value, force: true, symbolic });
    },
    async rollBack() {
      for (const [ref, value] of [...before].reverse()) {
        if (value === null) await git.deleteRef({ fs, gitdir, ref });
        else await git.writeRef({ fs, gitdir, ref, value, force: true, symbolic: value.startsWith('refs/') });
      }
      before.clear();
    },
  };
}

async function current(gitdir: string, ref: string): Promise<string | null> {
  try {
    return await git.resolveRef({ fs, gitdir, ref, depth: 1 });
  } catch {
    return null;
  }
}
