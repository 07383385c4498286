/**
 * The inbox as plain maps: repository → owner → alert id → entry, bounded per repository and per
 * owner. The embedded store keeps it in memory and journals every change; it is also the model
 * the Redis scripts follow.
 */
import type { AlertmanagerAlert } from '../intake/alertmanager-schema.ts';
import { toEntryJson } from './entries.ts';
import { type EnqueueResult, type InboxBounds, type InboxEntry, QueueFull } from './types.ts';

export type InboxMap = Map<string, Map<string, Map<string, InboxEntry>>>;

/** One entry to store, with its JSON text (written to the journal as it is). */
export interface Put {
  entry: InboxEntry;
  json: string;
}

/** The changes `enqueue` would make (entries to store), or QueueFull. Pure: nothing is changed. */
export function planEnqueue(
  inbox: InboxMap,
  repo: string,
  alerts: readonly AlertmanagerAlert[],
  bounds: InboxBounds,
): { puts: Put[]; result: EnqueueResult } {
  const owners = inbox.get(repo) ?? new Map<string, Map<string, InboxEntry>>();
  const newOwners = new Set<string>();
  // This payload's own entries, by owner and id (a payload may repeat an alert), and how many of
  // them each owner does not hold yet.
  const batch = new Map<string, Map<string, Put>>();
  const fresh = new Map<string, number>();
  let capped = 0;
  for (const alert of alerts) {
    const put = toEntryJson(alert);
    const { owner, id, version } = put.entry;
    const have = owners.get(owner);
    if (!have) newOwners.add(owner);
    const mine = getOrMake(batch, owner, () => new Map<string, Put>());
    const known = mine.get(id)?.entry ?? have?.get(id);
    if (known?.version === version) continue;
    const added = fresh.get(owner) ?? 0;
    if (!known && (have?.size ?? 0) + added >= bounds.maxAlertsPerOwner) {
      capped++;
      continue;
    }
    if (!mine.has(id) && !have?.has(id)) fresh.set(owner, added + 1);
    mine.set(id, put);
  }
  const puts: Put[] = [];
  for (const m of batch.values()) for (const p of m.values()) puts.push(p);
  if (owners.size + newOwners.size > bounds.maxOwners && newOwners.size > 0) {
    throw new QueueFull(`${repo}: ${owners.size} workloads already wait (at most ${bounds.maxOwners}); retry later`);
  }
  return { puts, result: { stored: puts.length, capped } };
}

/** The map's value for `key`, made and stored when missing. */
export function getOrMake<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  const have = map.get(key);
  if (have !== undefined) return have;
  const made = make();
  map.set(key, made);
  return made;
}

export function applyPut(inbox: InboxMap, repo: string, e: InboxEntry): void {
  const owners = getOrMake(inbox, repo, () => new Map<string, Map<string, InboxEntry>>());
  getOrMake(owners, e.owner, () => new Map<string, InboxEntry>()).set(e.id, e);
}

/** Removes the entry if it still has `version`; true when it did. */
export function applyDelete(inbox: InboxMap, repo: string, owner: string, id: string, version: string): boolean {
  const owners = inbox.get(repo);
  const alerts = owners?.get(owner);
  if (alerts?.get(id)?.version !== version) return false;
  alerts.delete(id);
  if (alerts.size === 0) owners?.delete(owner);
  if (owners?.size === 0) inbox.delete(repo);
  return true;
}

export function entriesOf(inbox: InboxMap, repo: string): InboxEntry[] {
  return [...(inbox.get(repo)?.values() ?? [])].flatMap((alerts) => [...alerts.values()]);
}

export function countEntries(inbox: InboxMap): number {
  let n = 0;
  for (const owners of inbox.values()) for (const alerts of owners.values()) n += alerts.size;
  return n;
}
