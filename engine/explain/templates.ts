/**
 * Handlebars templates by name: the first of `templateDirs` holding `<name>` wins, the built-in
 * `templates/` folder is always the last resort. Output is markdown: Handlebars' HTML escaping is
 * off because every untrusted value in the view is a `Text` that escapes itself for markdown
 * (see markdown.ts); the helpers give table cells, code spans and fenced blocks from the raw value.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { LRUCache } from 'lru-cache';
import { ConfigError } from '../model/index.ts';
import { counted } from '../model/words.ts';
import { DEFAULT_TEMPLATES_DIR } from '../pipeline/assets.ts';
import { cell, cellCode, code, codeBlock, fence } from './markdown.ts';
import { COMPILE_OPTIONS, templateDigest } from './precompile.ts';
import { PRECOMPILED } from './precompiled/templates.js';

/** salve's own templates, found from the package root (a checkout, an install, or the bundled Action). */
export const BUILTIN_TEMPLATES_DIR = DEFAULT_TEMPLATES_DIR;

export type TemplateName = 'pr-title.hbs' | 'pr-body.hbs' | 'explanation.hbs';

export function findTemplate(name: TemplateName, templateDirs: string[]): string {
  for (const dir of [...templateDirs, BUILTIN_TEMPLATES_DIR]) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new ConfigError(`template ${name} not found in ${[...templateDirs, BUILTIN_TEMPLATES_DIR].join(', ')}`);
}

/** Templates are a few KiB; a larger file is not one a human wrote. */
const MAX_TEMPLATE_BYTES = 256 * 1024;

/** The template's text: a regular file, not through a link, of at most MAX_TEMPLATE_BYTES. */
function readTemplate(name: TemplateName, file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ELOOP' ? 'is a symbolic link' : 'cannot be read';
    throw new ConfigError(`template ${name} (${file}) ${why}; templates are regular files`, { cause: err });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_TEMPLATE_BYTES) {
      throw new ConfigError(`template ${name} (${file}) is not a regular file of at most 256 KiB`);
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Where a Handlebars error is, without the excerpt of the template it quotes (it may hold anything). */
function describeTemplateError(err: unknown): string {
  const e = err as { lineNumber?: unknown; column?: unknown; message?: unknown };
  const line = typeof e.lineNumber === 'number' ? e.lineNumber : /on line (\d+)/.exec(String(e.message))?.[1];
  const first = String(e.message ?? '').split('\n')[0] ?? '';
  const kind = /^(Parse|Lexical) error/.exec(first)?.[0] ?? 'error';
  return line === undefined ? `template ${kind}` : `template ${kind} on line ${line}`;
}

export function renderTemplate(name: TemplateName, templateDirs: string[], view: object): string {
  const file = findTemplate(name, templateDirs);
  const text = readTemplate(name, file);
  try {
    return compileTemplate(text)(view);
  } catch (err) {
    throw new ConfigError(`template ${name} (${file}): ${describeTemplateError(err)}`);
  }
}

type Template = (view: object) => string;

/**
 * Compiled templates by the digest of their source: a template is compiled once per process,
 * whichever repo or directory it comes from, and a changed file is a new entry. Bounded, as a
 * config repo decides how many different templates there are.
 */
const compiled = new LRUCache<string, Template>({ max: 64 });

/**
 * The compiled template of a source: salve's own from their precompiled form (by digest, so an
 * edited one is compiled), any other compiled on first use (Handlebars compiles on first render).
 */
export function compileTemplate(source: string): Template {
  const key = templateDigest(source);
  const hit = compiled.get(key);
  if (hit) return hit;
  const spec = Object.hasOwn(PRECOMPILED, key) ? PRECOMPILED[key] : undefined;
  const template = spec ? withHelpers().template(spec) : withHelpers().compile(source, COMPILE_OPTIONS);
  compiled.set(key, template);
  return template;
}

/** `{{plural n "occurrence"}}`: "1 occurrence", "5 occurrences" (a number and a word of the template). */
function plural(n: unknown, one: unknown): string {
  return typeof n === 'number' ? counted(n, typeof one === 'string' ? one : '') : `${String(n)} ${String(one)}s`;
}

function withHelpers(): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('cell', (v: unknown) => cell(v));
  hbs.registerHelper('code', (v: unknown) => code(v));
  hbs.registerHelper('cellCode', (v: unknown) => cellCode(v));
  hbs.registerHelper('fence', (v: unknown) => fence(v));
  hbs.registerHelper('codeBlock', (v: unknown, lang: unknown) => codeBlock(v, typeof lang === 'string' ? lang : ''));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('plural', (n: unknown, one: unknown) => plural(n, one));
  return hbs;
}
