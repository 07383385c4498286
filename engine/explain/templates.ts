/**
 * Handlebars templates by name: the first of `templateDirs` holding `<name>` wins, the built-in
 * `templates/` folder is always the last resort. Output is markdown, so nothing is HTML-escaped;
 * table cells and code go through the helpers below.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { ConfigError } from '../model/index.ts';

export const BUILTIN_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export type TemplateName = 'pr-title.hbs' | 'pr-body.hbs' | 'explanation.hbs';

/** A markdown table cell: pipes escaped, line breaks folded, empty shown as a dash. */
export function cell(value: unknown): string {
  const text =
    value === undefined || value === null || value === ''
      ? '—'
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Inline code that survives backticks in the value. */
export function code(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(longest + 1);
  return longest > 0 ? `${ticks} ${text} ${ticks}` : `${ticks}${text}${ticks}`;
}

/** An opening or closing code fence longer than any backtick run in `text`. */
export function fence(text: string): string {
  const longest = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((m) => m.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

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
  const hbs = Handlebars.create();
  hbs.registerHelper('cell', (v: unknown) => cell(v));
  hbs.registerHelper('code', (v: unknown) => code(v));
  hbs.registerHelper('fence', (v: unknown) => fence(typeof v === 'string' ? v : ''));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  try {
    const template = hbs.compile(text, { noEscape: true });
    return template(view);
  } catch (err) {
    throw new ConfigError(`template ${name} (${file}): ${describeTemplateError(err)}`);
  }
}
