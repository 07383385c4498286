/**
 * Git's tree object format, `<mode> <name>\0<20-byte id>` per entry in git's order, edited in place:
 * a remediation changes one entry of a directory that may hold ten thousand, so a tree is scanned
 * for the names it changes and written back as slices of the original around the edited entries.
 */

export interface TreeEntry {
  /** As git writes it: `100644`, `100755`, `120000`, `40000` (a tree), `160000` (a submodule). */
  mode: string;
  oid: string;
}

export interface TreeEdit {
  mode: string;
  name: string;
  /** null removes the entry of this name. */
  oid: string | null;
}

const TREE = '40000';

interface Span {
  /** Offsets of the entry, its name and its end in the tree's bytes. */
  start: number;
  name: number;
  nul: number;
  end: number;
}

function* spans(body: Buffer): Generator<Span> {
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const nul = space < 0 ? -1 : body.indexOf(0, space);
    if (nul < 0 || nul + 21 > body.length) throw new Error('malformed tree object');
    yield { start: at, name: space + 1, nul, end: nul + 21 };
    at = nul + 21;
  }
}

const isTreeSpan = (body: Buffer, s: Span) =>
  s.name - s.start === 6 && body.toString('latin1', s.start, s.start + 5) === TREE;

/** The entries named `names` in a tree (those it has). */
export function findEntries(body: Buffer, names: Iterable<string>): Map<string, TreeEntry> {
  const wanted = new Map([...names].map((n) => [n, Buffer.from(n, 'utf8')]));
  const found = new Map<string, TreeEntry>();
  for (const s of spans(body)) {
    const length = s.nul - s.name;
    for (const [name, bytes] of wanted) {
      if (bytes.length !== length || !bytes.equals(body.subarray(s.name, s.nul))) continue;
      found.set(name, {
        mode: body.toString('latin1', s.start, s.name - 1),
        oid: body.toString('hex', s.nul + 1, s.end),
      });
      wanted.delete(name);
      break;
    }
    if (wanted.size === 0) break;
  }
  return found;
}

/** git's order: names compared as bytes, a tree's name as if it ended in `/`. */
function compareNames(a: Buffer, aTree: boolean, b: Buffer, bTree: boolean): number {
  const n = Math.min(a.length, b.length);
  const head = a.subarray(0, n).compare(b.subarray(0, n));
  if (head !== 0) return head;
  const ca = a.length > n ? (a[n] as number) : aTree ? 0x2f : 0;
  const cb = b.length > n ? (b[n] as number) : bTree ? 0x2f : 0;
  return ca - cb;
}

function entryBytes(e: TreeEdit): Buffer {
  if (e.oid === null) return Buffer.alloc(0);
  return Buffer.concat([Buffer.from(`${e.mode} ${e.name}\0`, 'utf8'), Buffer.from(e.oid, 'hex')]);
}

/**
 * `body` (a tree, or empty for a new one) with each edit replacing the entry of its name, or
 * inserted in git's order when there is none; an edit without an id removes the entry. An edit
 * never turns a file into a tree or back.
 */
export function editTree(body: Buffer, edits: readonly TreeEdit[]): Buffer {
  const pending = edits
    .map((e) => ({ e, name: Buffer.from(e.name, 'utf8'), tree: e.mode === TREE }))
    .sort((x, y) => compareNames(x.name, x.tree, y.name, y.tree));
  const parts: Buffer[] = [];
  let copied = 0;
  let next = 0;
  for (const s of spans(body)) {
    if (next >= pending.length) break;
    const name = body.subarray(s.name, s.nul);
    const tree = isTreeSpan(body, s);
    let order = 0;
    for (let p = pending[next]; p; p = pending[next]) {
      order = compareNames(p.name, p.tree, name, tree);
      if (order > 0) break;
      parts.push(body.subarray(copied, s.start), entryBytes(p.e));
      copied = order === 0 ? s.end : s.start;
      next++;
      if (order === 0) break;
    }
  }
  parts.push(body.subarray(copied));
  for (const p of pending.slice(next)) parts.push(entryBytes(p.e));
  return Buffer.concat(parts);
}
