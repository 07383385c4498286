/** The usage texts, made from the command table so a flag cannot be missing from its help. */
import type { OptionSpec } from './args.ts';
import { COMMANDS, type CommandSpec, EXIT_CODES } from './commands.ts';

const COMMON: ReadonlyArray<readonly [string, string]> = [
  [
    '--log-level <level>',
    'error, warn, info or debug; logs go to stderr (serve: JSON lines; others: text, SALVE_LOG_FORMAT=json for JSON)',
  ],
  ['-h, --help', 'this help'],
];

const WIDTH = 100;

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** Two columns; the right one wraps under itself, a long left cell gets a line of its own. */
function table(rows: ReadonlyArray<readonly [string, string]>, indent = '  '): string {
  const width = Math.min(30, Math.max(...rows.map(([left]) => left.length)) + 2);
  const pad = indent + ' '.repeat(width);
  return rows
    .map(([left, right]) => {
      const [first = '', ...more] = wrap(right, WIDTH - pad.length);
      const head =
        left.length + 2 > width ? `${indent}${left}\n${pad}${first}` : `${indent}${left.padEnd(width)}${first}`;
      return [head, ...more.map((l) => pad + l)].join('\n');
    })
    .join('\n');
}

function flag(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '';
  return `${short}--${name}${spec.type === 'string' ? ` ${spec.arg ?? '<value>'}` : ''}`;
}

export function commandUsage(spec: CommandSpec): string {
  const summary = `${spec.summary.charAt(0).toUpperCase()}${spec.summary.slice(1)}.`;
  const parts = [`usage: salve ${spec.name} ${spec.synopsis}`.trimEnd(), '', summary];
  if (spec.description) parts.push('', spec.description);
  const options = Object.entries(spec.options).map(([name, o]) => [flag(name, o), o.help] as const);
  parts.push('', 'options:', table([...options, ...COMMON]));
  if (spec.env?.length) parts.push('', 'environment:', table(spec.env));
  parts.push('', `exit codes: ${spec.exits ?? EXIT_CODES}`);
  return parts.join('\n');
}

export function mainUsage(): string {
  return [
    'usage: salve <command> [options]',
    '',
    'salve turns Kubernetes detections into small, explained, policy-proven and signed changes to a',
    'GitOps config repo. It never writes to a cluster.',
    '',
    'commands:',
    table(COMMANDS.map((c) => [c.name, c.summary])),
    '',
    'options:',
    table([
      ['-h, --help', "this help; 'salve <command> --help' for a command's options"],
      ['--version', "print salve's version"],
      ['--log-level <level>', 'error, warn (default; serve: info), info or debug, for any command'],
    ]),
    '',
    'start with: salve init, then salve validate, then salve plan --dry-run --signal <file>',
    '',
    `exit codes: ${EXIT_CODES}`,
  ].join('\n');
}
