/**
 * One span per pipeline stage (intake, perceive, decide, render, check, govern, publish, follow
 * up), with the fingerprint, repository and action as attributes. The tracer and the parent span
 * are passed explicitly (no global context manager): a `Stages` is bound to its parent, and
 * `child` binds a new one under a span. The run's context crosses the queue as W3C trace context.
 */
import {
  type Attributes,
  type Context,
  context,
  ROOT_CONTEXT,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
// The propagator's own module: @opentelemetry/core's index also loads the semantic conventions
// (thousands of constants), some 10 ms and 1 MB of every `salve` call that traces nothing.
import { W3CTraceContextPropagator } from '@opentelemetry/core/build/src/trace/W3CTraceContextPropagator.js';

export type Stage = 'intake' | 'perceive' | 'decide' | 'render' | 'check' | 'govern' | 'publish' | 'follow-up';

/** Seconds per stage, for the latency histogram; the stage name is the only label. */
export type StageTimer = (stage: Stage | 'run', seconds: number) => void;

export interface Stages {
  /** Runs `fn` in a span for the stage, a child of this one's parent; the span ends with it. */
  run<T>(stage: Stage, attrs: Attributes, fn: (inner: Stages) => Promise<T>): Promise<T>;
  /** A span that is not a stage (the whole run of a job), with the same parentage. */
  span<T>(name: string, attrs: Attributes, fn: (inner: Stages) => Promise<T>): Promise<T>;
  /** Sets attributes on the span this is bound to (e.g. the action a decide stage chose). */
  annotate(attrs: Attributes): void;
  /** The W3C trace context of the parent (`traceparent`, `tracestate`), to carry across the queue. */
  carrier(): Record<string, string>;
  /** The parent's trace id, or undefined when nothing is traced. */
  traceId(): string | undefined;
  /** A Stages whose parent is the context in `carrier` (a job's, from the webhook that queued it). */
  from(carrier: Record<string, string>): Stages;
}

const propagator = new W3CTraceContextPropagator();
const setter = {
  set(c: Record<string, string>, k: string, v: string) {
    c[k] = v;
  },
};
const getter = {
  get: (c: Record<string, string>, k: string) => c[k],
  keys: (c: Record<string, string>) => Object.keys(c),
};

/** Stages over `tracer` (null: nothing is traced, the stages still time). */
export function createStages(
  tracer: Tracer | null,
  timer: StageTimer = () => {},
  parent: Context = ROOT_CONTEXT,
): Stages {
  const within = async <T>(name: string, stage: Stage | null, attrs: Attributes, fn: (inner: Stages) => Promise<T>) => {
    const started = process.hrtime.bigint();
    const span = tracer?.startSpan(
      name,
      { attributes: { ...(stage ? { 'salve.stage': stage } : {}), ...attrs } },
      parent,
    );
    // Untraced, the inner stages have the same parent: this object serves (nothing made per call).
    const inner = span
      ? createStages(tracer, timer, trace.setSpan(parent, span))
      : tracer
        ? createStages(null, timer, parent)
        : self;
    try {
      return await fn(inner);
    } catch (err) {
      span?.recordException(err as Error);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message?.slice(0, 200) });
      throw err;
    } finally {
      span?.end();
      if (stage) timer(stage, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  const self: Stages = {
    run: (stage, attrs, fn) => within(`salve.${stage}`, stage, attrs, fn),
    span: (name, attrs, fn) => within(name, null, attrs, fn),
    annotate(attrs) {
      trace.getSpan(parent)?.setAttributes(attrs);
    },
    carrier() {
      const out: Record<string, string> = {};
      propagator.inject(parent, out, setter);
      return out;
    },
    traceId() {
      const id = trace.getSpanContext(parent)?.traceId;
      return id && !/^0+$/.test(id) ? id : undefined;
    },
    from(carrier) {
      return createStages(tracer, timer, propagator.extract(context.active(), carrier, getter));
    },
  };
  return self;
}

/** Nothing traced, nothing timed: for runs outside `salve serve` (the CLI, the demo, tests). */
export const untraced: Stages = createStages(null);
