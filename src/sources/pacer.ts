import type { Pacing } from './types.js';

/**
 * Keeps requests to at most `maxRequests` in any span of `perSeconds`, by remembering when the
 * last `maxRequests` requests started (a sliding log, so bursts after a quiet spell are allowed
 * but never exceed the limit). Time and waiting are injected so tests can count requests per span.
 */
export class Pacer {
  private readonly started: number[] = [];
  private readonly spanMs: number;
  waitedMs = 0;

  constructor(
    readonly pacing: Pacing,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.spanMs = pacing.perSeconds * 1000;
  }

  /** Resolves when one more request may start, and counts it as started. */
  async take(): Promise<void> {
    for (;;) {
      const t = this.now();
      while (this.started.length > 0 && t - this.started[0] >= this.spanMs) this.started.shift();
      if (this.started.length < this.pacing.maxRequests) {
        this.started.push(t);
        return;
      }
      const wait = this.started[0] + this.spanMs - t;
      this.waitedMs += wait;
      await this.sleep(wait);
    }
  }

  /** The even spacing that the limit implies, used as the base wait after an unexplained 429. */
  get intervalMs(): number {
    return Math.ceil(this.spanMs / this.pacing.maxRequests);
  }
}
