import { parseServerTime } from './http.ts';

/** Not sent: missing, null or an empty string (services send "" for "not set"). */
const absent = (value: unknown) => value === undefined || value === null || value === '';

/**
 * Reads the fields of one result and notes those sent with the wrong type (`text: 12345`,
 * `processing_time: "fast"`, `enqueued_at: "yesterday"`). Such a field is read as absent,
 * the job still completes, and the note becomes the job's `malformedFields` (and the run's
 * `malformed-result-fields` caveat), so a service answering off its profile is seen.
 * Names are the service's own (a field name, or a generic profile's path).
 */
export class ResultFields {
  readonly malformed: string[] = [];

  /** A string, or null. */
  text(name: string, value: unknown): string | null {
    return this.checked(name, value, typeof value === 'string' ? value : null);
  }

  /** A finite number, or a string holding one; null otherwise. */
  number(name: string, value: unknown): number | null {
    const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    const number = typeof parsed === 'number' && Number.isFinite(parsed) ? parsed : null;
    return this.checked(name, value, number);
  }

  /** A server time (ISO 8601, or epoch s/ms) as epoch ms, or null. */
  time(name: string, value: unknown): number | null {
    return this.checked(name, value, parseServerTime(value));
  }

  /** The note for a JobResult: `malformedFields` only when some field was malformed. */
  note(): { malformedFields?: string[] } {
    return this.malformed.length > 0 ? { malformedFields: [...this.malformed] } : {};
  }

  private checked<T>(name: string, value: unknown, read: T | null): T | null {
    if (read === null && !absent(value)) this.malformed.push(name);
    return read;
  }
}
