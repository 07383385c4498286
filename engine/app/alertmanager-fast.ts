/**
 * The common Alertmanager body checked without zod: a payload that plainly matches the v4 schema
 * gets the object the schema's parse would give (known keys only, in the schema's order, defaults
 * filled). Anything less plain (a missing or extra-typed field, a `__proto__` key, a number that
 * is not a small whole one) gives null and goes to the schema, which decides and explains. At the
 * intake this saves most of the parse's cost per request; the spec holds both to the same output.
 */
import { type AlertmanagerAlert, AlertmanagerPayload } from '../intake/alertmanager-schema.ts';

type Labels = Record<string, string>;
type Obj = Record<string, unknown>;

// The schema's own timestamp pattern, so both accept the same times.
const STARTS_AT = (AlertmanagerPayload.shape.alerts.element.shape.startsAt as unknown as { _zod: { pattern: RegExp } })
  ._zod.pattern;

function plain(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A copy of a string-to-string map, or null. */
function labels(v: unknown): Labels | null {
  if (!plain(v)) return null;
  const out: Labels = {};
  for (const k of Object.keys(v)) {
    const s = v[k];
    if (typeof s !== 'string' || k === '__proto__') return null;
    out[k] = s;
  }
  return Object.getOwnPropertySymbols(v).length === 0 ? out : null;
}

const status = (v: unknown) => (v === 'firing' || v === 'resolved' ? v : null);
const optional = (v: unknown) => v === undefined || typeof v === 'string';

function alert(v: unknown): AlertmanagerAlert | null {
  if (!plain(v)) return null;
  const st = status(v.status);
  const l = labels(v.labels);
  const a = v.annotations === undefined ? {} : labels(v.annotations);
  const { startsAt, endsAt, generatorURL, fingerprint } = v;
  if (!st || !l || !a || typeof startsAt !== 'string' || !STARTS_AT.test(startsAt)) return null;
  if (!optional(endsAt) || !optional(generatorURL) || typeof fingerprint !== 'string' || fingerprint === '')
    return null;
  // In the schema's key order (the alert's JSON is hashed into its version).
  return {
    status: st,
    labels: l,
    annotations: a,
    startsAt,
    ...(endsAt === undefined ? {} : { endsAt: endsAt as string }),
    ...(generatorURL === undefined ? {} : { generatorURL: generatorURL as string }),
    fingerprint,
  };
}

export function fastPayload(v: unknown): AlertmanagerPayload | null {
  if (!plain(v) || v.version !== '4' || typeof v.groupKey !== 'string' || typeof v.receiver !== 'string') return null;
  const truncated = v.truncatedAlerts ?? 0;
  if (typeof truncated !== 'number' || !Number.isSafeInteger(truncated) || truncated < 0) return null;
  const st = status(v.status);
  const groupLabels = labels(v.groupLabels);
  const commonLabels = labels(v.commonLabels);
  const commonAnnotations = v.commonAnnotations === undefined ? {} : labels(v.commonAnnotations);
  if (!st || !groupLabels || !commonLabels || !commonAnnotations || typeof v.externalURL !== 'string') return null;
  if (!Array.isArray(v.alerts)) return null;
  const alerts: AlertmanagerAlert[] = [];
  for (const a of v.alerts) {
    const checked = alert(a);
    if (!checked) return null;
    alerts.push(checked);
  }
  return {
    version: '4',
    groupKey: v.groupKey,
    truncatedAlerts: truncated,
    status: st,
    receiver: v.receiver,
    groupLabels,
    commonLabels,
    commonAnnotations,
    externalURL: v.externalURL,
    alerts,
  };
}
