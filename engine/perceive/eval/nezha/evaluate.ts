/**
 * Detection on Nezha, per fault type, for one scorer of (service, minute) observations:
 * - detection rate: faults with an alarm on their service whose minute's midpoint falls within
 *   [inject − 60 s, end + 60 s] (a minute mostly before the tolerance does not count);
 * - false alarms per fault-free hour: alarm episodes (runs of alarmed minutes) among fault-free
 *   minutes, per service-hour of fault-free observation;
 * - median time to detect: first alarmed minute's midpoint − inject time (minute resolution: it
 *   can be down to −60 s, inside the label tolerance).
 * Only faults and fault-free minutes in the given groups count (the held-apart ones).
 */
import { FAULT_SECONDS, TOLERANCE_SECONDS } from './data.ts';
import type { Minute } from './minutes.ts';

export interface TypeResult {
  type: string;
  faults: number;
  detected: number;
  rate: number;
  medianTtdSeconds: number | null;
}

export interface Detection {
  byType: TypeResult[];
  all: TypeResult;
  falseAlarms: number;
  faultFreeHours: number;
  falseAlarmsPerHour: number;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export function detection(
  minutes: readonly Minute[],
  alarm: (m: Minute) => boolean,
  keep: (group: string, m: Minute) => boolean,
  groupOf: (m: Minute) => string,
): Detection {
  const byService = new Map<string, Minute[]>();
  for (const m of minutes) {
    const k = `${m.date}/${m.service}`;
    const list = byService.get(k);
    if (list) list.push(m);
    else byService.set(k, [m]);
  }
  const faults = new Map<string, NonNullable<Minute['fault']>>();
  for (const m of minutes) if (m.fault && keep(groupOf(m), m)) faults.set(m.fault.id, m.fault);
  const ttd = new Map<string, number>();
  for (const f of faults.values()) {
    const list = byService.get(`${f.date}/${f.service}`) ?? [];
    const first = list.find(
      (m) =>
        m.t + 30 >= f.inject - TOLERANCE_SECONDS && m.t + 30 < f.inject + FAULT_SECONDS + TOLERANCE_SECONDS && alarm(m),
    );
    if (first) ttd.set(f.id, first.t + 30 - f.inject);
  }
  let episodes = 0;
  let freeMinutes = 0;
  for (const list of byService.values()) {
    let prev = false;
    let prevT = Number.NEGATIVE_INFINITY;
    for (const m of list) {
      if (m.label !== 0 || !keep(groupOf(m), m)) {
        prev = false;
        continue;
      }
      freeMinutes++;
      const a = alarm(m);
      if (a && !(prev && m.t - prevT <= 60)) episodes++;
      prev = a;
      prevT = m.t;
    }
  }
  const result = (type: string, fs: Array<NonNullable<Minute['fault']>>): TypeResult => {
    const found = fs.filter((f) => ttd.has(f.id));
    return {
      type,
      faults: fs.length,
      detected: found.length,
      rate: fs.length === 0 ? 0 : found.length / fs.length,
      medianTtdSeconds: median(found.map((f) => ttd.get(f.id) as number)),
    };
  };
  const all = [...faults.values()];
  const types = [...new Set(all.map((f) => f.type))].sort();
  return {
    byType: types.map((t) =>
      result(
        t,
        all.filter((f) => f.type === t),
      ),
    ),
    all: result('all', all),
    falseAlarms: episodes,
    faultFreeHours: freeMinutes / 60,
    falseAlarmsPerHour: freeMinutes === 0 ? 0 : episodes / (freeMinutes / 60),
  };
}
