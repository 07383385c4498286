/** What the repo functions accept: a RepoTree (a commit, a commit with changes) or a directory path. */
import { directoryTree } from './fs-tree.ts';
import type { RepoTree } from './tree.ts';

export type RepoSource = RepoTree | string;

export function treeOf(source: RepoSource): RepoTree {
  return typeof source === 'string' ? directoryTree(source) : source;
}
