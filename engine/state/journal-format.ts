/**
 * The journal's frames: one line per record, a CRC-32 of the JSON (8 hex), a space, the JSON. The
 * checksum finds torn and damaged lines; it is not a seal (whoever can write the file can rewrite
 * the sum), so a cheap one does. Lines written before, with 16 hex of SHA-256, are still read.
 *
 * A pre-allocated journal holds zeros past its last record. No record holds a NUL byte (JSON text
 * escapes control characters, the sum is hex), so the first NUL ends the records: what follows it
 * was never acknowledged (see `parseJournal`).
 */
import { hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { StateError } from './types.ts';

export type JournalRecord = { t: string } & Record<string, unknown>;

const sum = (json: string) => crc32(json).toString(16).padStart(8, '0');
const sha = (json: string) => hash('sha256', json, 'hex').slice(0, 16);

export function frame(rec: object): string {
  const json = JSON.stringify(rec);
  return `${sum(json)} ${json}\n`;
}

/**
 * The line `frame({ ...record, s })` makes, from the record's JSON text (an object with at least
 * one member) made already: the sequence number goes last, the text is not parsed again.
 */
export function frameJson(json: string, s: number): string {
  const line = `${json.slice(0, -1)},"s":${s}}`;
  return `${sum(line)} ${line}\n`;
}

/** The JSON of an intact line (CRC-32, or the SHA-256 prefix of earlier versions), or null. */
function intact(raw: string): string | null {
  if (raw[8] === ' ') {
    const json = raw.slice(9);
    return sum(json) === raw.slice(0, 8) ? json : null;
  }
  if (raw[16] === ' ') {
    const json = raw.slice(17);
    return sha(json) === raw.slice(0, 16) ? json : null;
  }
  return null;
}

/**
 * Parses journal bytes: the good records, and where the good part ends (a byte offset).
 *
 * Records end at the first NUL byte (the zeroed tail of a pre-allocated file, or a page of an
 * unsynced batch that never reached the disk) or at the last newline before it: the text after is
 * a torn write. Neither was acknowledged (`append` resolves only once a whole batch is synced, and
 * a sync covers every byte written before it, so nothing after a gap was synced). A bad line
 * followed by good ones, with no NUL before them, is damage to acknowledged records: refused.
 */
export function parseJournal(bytes: Buffer, file: string): { records: JournalRecord[]; validBytes: number } {
  const nul = bytes.indexOf(0);
  const text = bytes.subarray(0, nul === -1 ? bytes.length : nul).toString('utf8');
  const records: JournalRecord[] = [];
  const lines = text.split('\n');
  lines.pop();
  let offset = 0;
  let bad: number | null = null;
  for (const raw of lines) {
    const json = intact(raw);
    if (json === null) bad ??= offset;
    else if (bad !== null) throw new StateError(`${file}: corrupt record at byte ${bad} followed by good ones`);
    else records.push(JSON.parse(json) as JournalRecord);
    offset += Buffer.byteLength(raw) + 1;
  }
  return { records, validBytes: bad ?? offset };
}
