/**
 * Per-key work queue: items for one key are processed strictly one batch at a time (two
 * remediations never race on one repository); different keys run in parallel. Items that arrive
 * while a key is busy are handed to the next run together, so a storm costs one run, not hundreds.
 */
export type BatchHandler<T> = (key: string, batch: T[]) => Promise<void>;

export class KeyedQueue<T> {
  private readonly waiting = new Map<string, T[]>();
  private readonly running = new Map<string, Promise<void>>();
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly handler: BatchHandler<T>,
    private readonly onError: (key: string, err: unknown) => void,
  ) {}

  push(key: string, item: T): void {
    const list = this.waiting.get(key);
    if (list) list.push(item);
    else this.waiting.set(key, [item]);
    if (!this.running.has(key)) this.start(key);
  }

  /** Items not yet handed to the handler. */
  get depth(): number {
    let n = 0;
    for (const list of this.waiting.values()) n += list.length;
    return n;
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private start(key: string): void {
    const run = (async () => {
      for (;;) {
        const batch = this.waiting.get(key);
        if (!batch || batch.length === 0) break;
        this.waiting.delete(key);
        try {
          await this.handler(key, batch);
        } catch (err) {
          this.onError(key, err);
        }
      }
    })().finally(() => {
      this.running.delete(key);
      if (this.waiting.has(key)) this.start(key);
      else if (this.running.size === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    });
    this.running.set(key, run);
  }
}
