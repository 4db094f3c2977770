import type { QueueStatus } from '../profiles/profile.ts';
import type { QueueSeries } from '../record/run-file.ts';
import { debug } from '../util/log.ts';

/**
 * Reads the service's queue endpoint each interval. A failing or dead endpoint is counted,
 * never thrown: a run must survive its target's status page.
 */
export class QueueSampler {
  readonly series: QueueSeries = {
    tSeconds: [],
    pending: [],
    processing: [],
    completed: [],
    errors: [],
  };
  /** Reads that threw or answered nothing usable. */
  failures = 0;

  constructor(private readonly read: () => Promise<QueueStatus | null>) {}

  async sample(tSeconds: number): Promise<void> {
    let status: QueueStatus | null = null;
    try {
      status = await this.read();
    } catch (error) {
      debug('observe queue: read failed: %s', String(error));
    }
    if (!status || !isCounts(status)) {
      this.failures++;
      return;
    }
    this.series.tSeconds.push(tSeconds);
    this.series.pending.push(status.pending);
    this.series.processing.push(status.processing);
    this.series.completed.push(status.completed);
    this.series.errors.push(status.errors);
  }
}

function isCounts(status: QueueStatus): boolean {
  return [status.pending, status.processing, status.completed, status.errors].every(
    (value) => typeof value === 'number' && Number.isFinite(value),
  );
}
