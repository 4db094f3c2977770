/**
 * Deterministic faults: "every Nth request" counters, never randomness, so a test knows
 * exactly which request misbehaves.
 */

/** Which requests a fault counts and hits. */
export type FaultRoute =
  /** Uploads: process_image, process_batch, POST /tasks, process_sync. */
  | 'submit'
  /** Result and status reads: result/<id>, batch_status, batch_results, GET /tasks/<id>. */
  | 'poll'
  /** Both of the above (never the queue status route). */
  | 'any';

/**
 * `every: N` hits the Nth, 2Nth ... request on `on`; a bare number is `{every: N}`.
 * `every: 1` hits every request.
 */
export type FaultRule = number | { every: number; on?: FaultRoute };

export interface ThrottleRule {
  every: number;
  /** @default 'submit' */
  on?: FaultRoute;
  /** Sent as `Retry-After: <seconds>`. @default 1 */
  retryAfterSeconds?: number;
  /** Send Retry-After as an HTTP date this many seconds ahead instead. @default false */
  asHttpDate?: boolean;
}

export interface Status503Rule {
  every: number;
  /** @default 'submit' */
  on?: FaultRoute;
  /** When set, the 503 carries `Retry-After: <seconds>` (profiles read it as throttling). */
  retryAfterSeconds?: number;
}

/** Counts requests on its route; `hit()` says whether this request gets the fault. */
export class FaultCounter {
  private seen = 0;
  readonly every: number;
  readonly on: FaultRoute;

  constructor(rule: number | { every: number; on?: FaultRoute } | undefined) {
    this.every = rule === undefined ? 0 : typeof rule === 'number' ? rule : rule.every;
    this.on = rule === undefined || typeof rule === 'number' ? 'submit' : (rule.on ?? 'submit');
  }

  hit(route: 'submit' | 'poll'): boolean {
    if (this.every <= 0) return false;
    if (this.on !== 'any' && this.on !== route) return false;
    this.seen++;
    return this.seen % this.every === 0;
  }
}

/** A window, from server start, in which every arriving request waits until it ends. */
export interface StallWindow {
  /** Start of the stall, ms after the server started listening. */
  atMs: number;
  /** Length of the stall, ms. */
  forMs: number;
}

/** How long a request arriving `sinceStartMs` after start must wait, ms (0: no stall). */
export function stallDelayMs(windows: StallWindow[], sinceStartMs: number): number {
  let delay = 0;
  for (const window of windows) {
    const end = window.atMs + window.forMs;
    if (sinceStartMs >= window.atMs && sinceStartMs < end) {
      delay = Math.max(delay, end - sinceStartMs);
    }
  }
  return delay;
}
