/**
 * Inert markdown. Everything that comes from a signal or a config repo reaches the templates as a
 * `Text`: its only string form is escaped for GitHub-flavoured markdown (no HTML, no block openers,
 * no emphasis, links, images, mentions, issue references or autolinks; line breaks folded to
 * `<br>`), and its raw value is private, reachable only through the helpers below. A template,
 * however it is written, cannot print a signal's text raw.
 */

/** Zero-width space: breaks `@team` mentions, `#12` references and autolinks without showing. */
const ZWSP = '\u200b';

/** C0/C1 controls (but tab and newline), DEL, bidirectional overrides and isolates, BOM. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const NEWLINE = /\r\n?|[\n\u2028\u2029]/g;

/** Characters with a meaning in inline markdown or HTML, escaped with a backslash wherever they are. */
const PUNCTUATION = /[\\`*_[\]<>|~#!&{}$]/g;

function clean(raw: string): string {
  return raw.replace(CONTROL, '\ufffd').replace(/\t/g, ' ');
}

function neutralise(text: string): string {
  return text
    .replace(/@(?=[A-Za-z0-9])/g, `@${ZWSP}`)
    .replace(/#(?=\d)/g, `#${ZWSP}`)
    .replace(/(https?|ftp):\/\//gi, `$1:${ZWSP}//`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`);
}

/** One line of inert inline markdown. */
export function inline(raw: string): string {
  const lines = clean(raw)
    .split(NEWLINE)
    .map((line) =>
      neutralise(line.replace(PUNCTUATION, (c) => `\\${c}`))
        // A line must not open a block where a template puts it first: list, heading, quote, setext.
        .replace(/^(\s*)([-+=]|\d+(?=[.)]))/, (_m, sp: string, c: string) =>
          /\d/.test(c) ? `${sp}${c}\\` : `${sp}\\${c}`,
        ),
    );
  return lines.join('<br>');
}

/** Plain text for places GitHub does not render as markdown (PR titles): one line, no controls. */
export function plain(raw: string): string {
  return neutralise(clean(raw).replace(NEWLINE, ' '));
}

/** Untrusted text. `toString` gives the escaped form (inline markdown, or plain for titles). */
export class Text {
  readonly #raw: string;
  readonly #plain: boolean;

  constructor(raw: string, plainText = false) {
    this.#raw = raw;
    this.#plain = plainText;
  }

  toString(): string {
    return this.#plain ? plain(this.#raw) : inline(this.#raw);
  }

  toJSON(): string {
    return this.toString();
  }

  static raw(value: Text): string {
    return value.#raw;
  }
}

/** Markdown salve wrote itself, with any untrusted part already escaped: printed as is. */
export class Markdown {
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  toString(): string {
    return this.#text;
  }

  toJSON(): string {
    return this.#text;
  }
}

/** The raw string behind a view value (Text, Markdown, string, number, ...). */
export function rawOf(value: unknown): string {
  if (value instanceof Text) return Text.raw(value);
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : value instanceof Markdown ? value.toString() : JSON.stringify(value);
}

/** A markdown table cell: escaped, pipes escaped, line breaks folded, empty shown as a dash. */
export function cell(value: unknown): string {
  const raw = rawOf(value);
  if (raw === '') return '—';
  if (value instanceof Markdown) return raw.replace(/\|/g, '\\|').replace(NEWLINE, '<br>');
  return inline(raw);
}

/** Inline code on one line that survives backticks in the value. */
export function code(value: unknown): string {
  const text = clean(rawOf(value)).replace(NEWLINE, ' ');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(longest + 1);
  return longest > 0 || text.startsWith(' ') || text.endsWith(' ')
    ? `${ticks} ${text} ${ticks}`
    : `${ticks}${text}${ticks}`;
}

/** Inline code inside a table cell: pipes escaped, which GFM tables require even within code. */
export function cellCode(value: unknown): string {
  return code(value).replace(/\|/g, '\\|');
}

/** An opening or closing code fence longer than any backtick run in `text`. */
export function fence(value: unknown): string {
  const text = rawOf(value);
  const longest = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((m) => m.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** A whole fenced code block: whatever the content holds, it cannot close the fence early. */
export function codeBlock(value: unknown, lang = ''): string {
  const text = clean(rawOf(value)).replace(/\r\n?/g, '\n');
  const ticks = fence(text);
  const info = /^[A-Za-z0-9_+-]*$/.test(lang) ? lang : '';
  return `${ticks}${info}\n${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${ticks}`;
}

/** Wraps a raw string as Text (empty stays '', so `{{#if}}` still works). */
export function text(raw: string | undefined | null, plainText = false): Text | '' {
  return raw ? new Text(raw, plainText) : '';
}
