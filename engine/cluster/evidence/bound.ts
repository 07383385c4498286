/**
 * Text from a cluster, made inert and small: terminal escapes and control characters removed,
 * each line cut at `maxLineChars`, then the last `maxLines` lines within `maxBytes` kept (the end
 * of a log is what explains a crash), with a note saying what was cut.
 */
export interface TextBounds {
  maxLines: number;
  maxBytes: number;
  maxLineChars: number;
}

export interface BoundedText {
  text: string;
  /** Empty when nothing was cut. */
  note: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
// Control characters other than tab; newlines are handled by the split.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function boundText(raw: string, bounds: TextBounds): BoundedText {
  const lines = raw.replace(ANSI, '').replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  let cutLines = 0;
  const kept: string[] = [];
  let bytes = 0;
  for (let i = lines.length - 1; i >= 0 && kept.length < bounds.maxLines; i--) {
    let line = (lines[i] ?? '').replace(CONTROL, '');
    if (line.length > bounds.maxLineChars) {
      line = `${line.slice(0, bounds.maxLineChars)}… (line cut)`;
      cutLines++;
    }
    const size = Buffer.byteLength(line) + (kept.length > 0 ? 1 : 0);
    if (bytes + size > bounds.maxBytes) {
      // A last line longer than the whole budget keeps its end rather than vanishing.
      if (kept.length === 0) {
        let end = line.slice(-bounds.maxBytes);
        while (Buffer.byteLength(end) > bounds.maxBytes - 16) end = end.slice(Math.ceil(end.length / 16));
        kept.push(`… ${end}`);
        cutLines++;
      }
      break;
    }
    bytes += size;
    kept.push(line);
  }
  kept.reverse();
  const dropped = lines.length - kept.length;
  const notes: string[] = [];
  if (dropped > 0) notes.push(`${dropped} earlier line${dropped === 1 ? '' : 's'} left out`);
  if (cutLines > 0) notes.push(`${cutLines} long line${cutLines === 1 ? '' : 's'} cut`);
  return { text: kept.join('\n'), note: notes.join('; ') };
}
