import { request } from 'undici';
import { debug } from '../util/log.ts';

/** Time allowed for one metrics request, ms. The endpoint is read twice per trial. */
export const METRICS_TIMEOUT_MS = 5_000;

/**
 * Fetches the service's metrics endpoint as JSON. Returns null (and logs) on any failure:
 * metrics are context for the report, never a reason to fail a run.
 */
export async function fetchMetrics(url: string): Promise<unknown> {
  try {
    const response = await request(url, {
      headers: { accept: 'application/json' },
      headersTimeout: METRICS_TIMEOUT_MS,
      bodyTimeout: METRICS_TIMEOUT_MS,
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) {
      debug('observe metrics: %s answered %d', url, response.statusCode);
      return null;
    }
    return JSON.parse(text) as unknown;
  } catch (error) {
    debug('observe metrics: %s failed: %s', url, String(error));
    return null;
  }
}
