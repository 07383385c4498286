/**
 * The config repo's own policies and PR templates, copied out of the commit a run plans from into
 * its scratch directory as regular files: opa and the template renderer read those copies, never
 * the working tree, and a template committed as a link out of the repository is a ConfigError
 * naming it, before anything is rendered.
 */

import type { TemplateName } from '../explain/templates.ts';
import { ConfigError, quote } from '../model/errors.ts';
import { listDir, type RepoTree, readFileBytes, resolvePath, type Scratch } from '../repo/index.ts';

/** Templates are a few KiB; anything larger is not a template a human wrote. */
export const MAX_TEMPLATE_BYTES = 256 * 1024;
export const MAX_POLICY_BYTES = 1024 * 1024;
const TEMPLATES: readonly TemplateName[] = ['pr-title.hbs', 'pr-body.hbs', 'explanation.hbs'];
export const REPO_TEMPLATES_DIR = '.salve/templates';

/** Copies the repo's templates; returns the scratch directory holding them, or null when it has none. */
export async function copyTemplates(tree: RepoTree, scratch: Scratch): Promise<string | null> {
  let any = false;
  for (const name of TEMPLATES) {
    const path = `${REPO_TEMPLATES_DIR}/${name}`;
    const bytes = await readFileBytes(tree, path, MAX_TEMPLATE_BYTES);
    if (bytes === null) continue;
    await scratch.write(path, bytes);
    any = true;
  }
  return any ? `${scratch.dir}/${REPO_TEMPLATES_DIR}` : null;
}

async function regoFiles(tree: RepoTree, dir: string, out: string[], depth = 0): Promise<void> {
  if (depth > 32) throw new ConfigError(`${dir}: policy directories nested more than 32 deep`);
  for (const entry of await listDir(tree, dir)) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.name.startsWith('.')) continue;
    if (entry.kind === 'outside') await resolvePath(tree, path); // throws, naming the link
    if (entry.kind === 'dir') await regoFiles(tree, path, out, depth + 1);
    else if (entry.kind === 'file' && entry.name.endsWith('.rego')) out.push(path);
  }
}

/** Copies each `.salve.yaml` policies directory; returns the scratch directories, in order. */
export async function copyPolicies(tree: RepoTree, policies: readonly string[], scratch: Scratch): Promise<string[]> {
  const dirs: string[] = [];
  const copied = new Set<string>();
  for (const entry of policies) {
    const dir = entry
      .replace(/^(\.\/)+/, '')
      .replace(/\/+$/, '')
      .replace(/^\.$/, '');
    if ((await resolvePath(tree, dir))?.kind !== 'dir') {
      throw new ConfigError(`.salve.yaml policies: ${quote(entry)} is not a directory in ${tree.where}`, {
        code: 'bad-config',
      });
    }
    const files: string[] = [];
    await regoFiles(tree, dir, files);
    if (dir) await scratch.mkdir(dir);
    for (const file of files.filter((f) => !copied.has(f))) {
      await scratch.write(file, (await readFileBytes(tree, file, MAX_POLICY_BYTES)) as Buffer);
      copied.add(file);
    }
    dirs.push(dir ? `${scratch.dir}/${dir}` : scratch.dir);
  }
  return dirs;
}
