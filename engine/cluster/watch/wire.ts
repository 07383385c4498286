/**
 * client-node's typed list calls turn timestamps into Date objects, while watch events carry the
 * JSON the API server sent. Lists go through here so both look the same to intake: timestamps as
 * the API server writes them (RFC 3339, whole seconds without `.000`).
 */
const WHOLE_SECOND = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/;

export function toWire<T>(obj: unknown): T {
  return JSON.parse(
    JSON.stringify(obj, (_key, v: unknown) =>
      typeof v === 'string' && WHOLE_SECOND.test(v) ? `${v.slice(0, -5)}Z` : v,
    ),
  ) as T;
}
