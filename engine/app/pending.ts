/** Remediations held back by caps, per repository, retried on the repository's next run. */
import type { PublishInput } from '../publish/github/types.ts';

export class PendingList {
  private readonly byRepo = new Map<string, Map<string, PublishInput>>();

  /** Records (or replaces, by remediation id) a remediation to retry. */
  hold(repo: string, input: PublishInput): void {
    const list = this.byRepo.get(repo) ?? new Map<string, PublishInput>();
    this.byRepo.set(repo, list);
    list.set(input.request.id, input);
  }

  release(repo: string, id: string): void {
    const list = this.byRepo.get(repo);
    list?.delete(id);
    if (list?.size === 0) this.byRepo.delete(repo);
  }

  /** Held remediations of a repo, oldest first. */
  list(repo: string): PublishInput[] {
    return [...(this.byRepo.get(repo)?.values() ?? [])];
  }

  get size(): number {
    let n = 0;
    for (const l of this.byRepo.values()) n += l.size;
    return n;
  }
}
