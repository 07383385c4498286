/** The config repo's Argo CD Application manifest that deploys an overlay to a cluster. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InputError } from '../model/errors.ts';

type App = { kind?: string; spec?: { source?: { path?: string }; destination?: { name?: string } } };

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && /\.ya?ml$/.test(e.name)).map((e) => join(e.parentPath, e.name));
}

/** The file (relative to `repoDir`) under argocd/ whose Application has `overlay` as source path and `cluster` as destination. */
export async function findApplicationFile(repoDir: string, overlay: string, cluster: string): Promise<string> {
  for (const file of (await yamlFiles(join(repoDir, 'argocd'))).sort()) {
    const docs = parseAllDocuments(await readFile(file, 'utf8')).map((d) => d.toJS() as App | null);
    if (docs.length !== 1) continue;
    const app = docs[0];
    if (app?.kind === 'Application' && app.spec?.source?.path === overlay && app.spec.destination?.name === cluster)
      return relative(repoDir, file);
  }
  throw new InputError(`no Argo CD Application under argocd/ deploys ${overlay} to ${cluster}`);
}
