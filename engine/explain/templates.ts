/**
 * Handlebars templates by name: the first of `templateDirs` holding `<name>` wins, the built-in
 * `templates/` folder is always the last resort. Output is markdown, so nothing is HTML-escaped;
 * table cells and code go through the helpers below.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { ConfigError } from '../model/index.ts';
import { DEFAULT_TEMPLATES_DIR } from '../pipeline/assets.ts';

/** salve's own templates, found from the package root (a checkout, an install, or the bundled Action). */
export const BUILTIN_TEMPLATES_DIR = DEFAULT_TEMPLATES_DIR;

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

export function renderTemplate(name: TemplateName, templateDirs: string[], view: object): string {
  const file = findTemplate(name, templateDirs);
  const hbs = Handlebars.create();
  hbs.registerHelper('cell', (v: unknown) => cell(v));
  hbs.registerHelper('code', (v: unknown) => code(v));
  hbs.registerHelper('fence', (v: unknown) => fence(typeof v === 'string' ? v : ''));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  try {
    const template = hbs.compile(readFileSync(file, 'utf8'), { noEscape: true });
    return template(view);
  } catch (err) {
    throw new ConfigError(`template ${file}: ${(err as Error).message}`, { cause: err });
  }
}
