/** Where salve's own policies and templates live, relative to this checkout or bundle. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'policies')) && existsSync(join(dir, 'templates'))) return dir;
    dir = resolve(dir, '..');
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export const PROJECT_ROOT = projectRoot();
export const DEFAULT_POLICIES_DIR = join(PROJECT_ROOT, 'policies');
export const DEFAULT_TEMPLATES_DIR = join(PROJECT_ROOT, 'templates');
export const ENGINE_VERSION = '0.1.0';
