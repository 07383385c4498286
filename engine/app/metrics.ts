/** Counters and gauges in the Prometheus text format; one registry per server, no globals. */

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, number>;
}

const DEFINITIONS: Record<string, Omit<Family, 'values'>> = {
  salve_signals_received_total: { help: 'Signals received at the intake, by source.', type: 'counter' },
  salve_incidents_total: {
    help: 'Incidents planned, by outcome (publish, observe, denied, drift, none).',
    type: 'counter',
  },
  salve_drift_findings_total: {
    help: 'Incidents where the cluster runs an image git does not render (no pull request), by namespace.',
    type: 'counter',
  },
  salve_pull_requests_total: {
    help: 'Pull request events, by event (opened, updated, unchanged, merged, closed, frozen, held, superseded).',
    type: 'counter',
  },
  salve_decisions_total: { help: 'Policy decisions, by mode.', type: 'counter' },
  salve_errors_total: { help: 'Errors, by stage.', type: 'counter' },
  salve_webhooks_total: {
    help: 'GitHub webhook deliveries, by event (known events, else other) and result.',
    type: 'counter',
  },
  salve_pending_remediations: { help: 'Remediations held back by caps, to be retried.', type: 'gauge' },
  salve_queue_depth: { help: 'Intake payloads waiting in the per-repository queues.', type: 'gauge' },
  salve_http_bodies_in_flight: { help: 'Request bodies being read right now (capped).', type: 'gauge' },
};

export type MetricName = keyof typeof DEFINITIONS & string;

function key(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  constructor() {
    for (const [name, def] of Object.entries(DEFINITIONS)) this.families.set(name, { ...def, values: new Map() });
  }

  inc(name: MetricName, labels: Labels = {}, by = 1): void {
    const values = this.family(name).values;
    const k = key(labels);
    values.set(k, (values.get(k) ?? 0) + by);
  }

  set(name: MetricName, value: number, labels: Labels = {}): void {
    this.family(name).values.set(key(labels), value);
  }

  get(name: MetricName, labels: Labels = {}): number {
    return this.family(name).values.get(key(labels)) ?? 0;
  }

  render(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      if (f.values.size === 0 && f.type === 'gauge') out.push(`${name} 0`);
      for (const [k, v] of f.values) out.push(k ? `${name}{${k}} ${v}` : `${name} ${v}`);
    }
    return `${out.join('\n')}\n`;
  }

  private family(name: string): Family {
    const f = this.families.get(name);
    if (!f) throw new Error(`unknown metric ${name}`);
    return f;
  }
}
