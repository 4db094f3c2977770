import { request } from 'undici';
import type { FailureClass } from '../record/run-file.ts';
import type { PollOutcome, ProfileContext, SubmitOutcome } from './profile.ts';
import { bodyChunks, type UploadBody } from '../load/upload-body.ts';

// Shared HTTP helpers of every profile. ocrlotes.ts relies on: sendUpload, getJson,
// failureOf, parseServerTime, secondsToMs. Extend this file; keep these signatures.

export interface RequestFailure {
  failureClass: FailureClass;
  error: string;
  status?: number;
}

export type JsonResponse =
  | {
      kind: 'ok';
      status: number;
      /** undefined when the body was empty or not JSON (`parseError` says why). */
      json: unknown;
      parseError?: string;
      retryAfterMs: number | null;
      headers: Record<string, string | string[] | undefined>;
    }
  | { kind: 'error'; failure: RequestFailure };

/** GET a JSON document. Network errors become a classified failure, never a throw. */
export async function getJson(context: ProfileContext, path: string): Promise<JsonResponse> {
  return send(context, 'GET', path, undefined, undefined);
}

/** A multipart upload with Content-Length (no chunked encoding: some servers answer 411). */
export async function sendUpload(
  context: ProfileContext,
  path: string,
  body: UploadBody,
  contentType: string,
  method: 'POST' | 'PUT' = 'POST',
): Promise<{ kind: 'ok'; status: number; json: unknown } | { kind: 'no'; outcome: SubmitOutcome }> {
  const response = await send(context, method, path, body, contentType);
  if (response.kind === 'error') {
    return { kind: 'no', outcome: { kind: 'failed', ...response.failure } };
  }
  const { status, json } = response;
  if (status === 429 || (status === 503 && response.retryAfterMs !== null)) {
    return {
      kind: 'no',
      outcome: { kind: 'throttled', retryAfterMs: response.retryAfterMs ?? 1000, status },
    };
  }
  if (status >= 300) return { kind: 'no', outcome: { kind: 'failed', ...failureOf(status, json) } };
  if (json === undefined) {
    return {
      kind: 'no',
      outcome: {
        kind: 'failed',
        failureClass: 'malformedResponse',
        error: `upload answered ${status} without JSON (${response.parseError ?? 'empty'})`,
        status,
      },
    };
  }
  return { kind: 'ok', status, json };
}

async function send(
  context: ProfileContext,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body: UploadBody | undefined,
  contentType: string | undefined,
): Promise<JsonResponse> {
  const url = new URL(path, context.baseUrl);
  const headers: Record<string, string> = { accept: 'application/json', ...context.headers };
  if (body) {
    headers['content-type'] = contentType ?? 'application/octet-stream';
    headers['content-length'] = String(body.bytes);
  }
  try {
    const response = await request(url, {
      method,
      dispatcher: context.dispatcher,
      headers,
      body: body ? bodyChunks(body) : undefined,
      headersTimeout: context.requestTimeoutMs,
      bodyTimeout: context.requestTimeoutMs,
    });
    const text = await response.body.text();
    let json: unknown;
    let parseError: string | undefined;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch (error) {
        parseError = `not JSON: ${String((error as Error).message).slice(0, 80)}`;
      }
    }
    return {
      kind: 'ok',
      status: response.statusCode,
      json,
      parseError,
      retryAfterMs: retryAfterMs(response.headers['retry-after']),
      headers: response.headers,
    };
  } catch (error) {
    return { kind: 'error', failure: classifyNetworkError(error) };
  }
}

/** Classifies an HTTP status that is not success. */
export function failureOf(status: number, json: unknown): RequestFailure {
  const detail = json && typeof json === 'object' ? JSON.stringify(json).slice(0, 160) : '';
  const error = `HTTP ${status}${detail ? ` ${detail}` : ''}`;
  if (status === 429) return { failureClass: 'http429', error, status };
  if (status >= 500) return { failureClass: 'http5xx', error, status };
  if (status >= 400) return { failureClass: 'http4xx', error, status };
  return { failureClass: 'other', error, status };
}

/** Maps undici and socket errors to a failure class. */
export function classifyNetworkError(error: unknown): RequestFailure {
  const code = String((error as { code?: unknown })?.code ?? '');
  const causeCode = String((error as { cause?: { code?: unknown } })?.cause?.code ?? '');
  const message = String((error as Error)?.message ?? error);
  const any = `${code} ${causeCode}`;
  if (/ECONNREFUSED/.test(any)) return { failureClass: 'connectionRefused', error: message };
  if (/ECONNRESET|EPIPE|UND_ERR_SOCKET/.test(any) || /other side closed/i.test(message)) {
    return { failureClass: 'connectionReset', error: message };
  }
  if (/TIMEOUT|ETIMEDOUT|AbortError|TimeoutError/i.test(`${any} ${(error as Error)?.name}`)) {
    return { failureClass: 'timeout', error: message };
  }
  return { failureClass: 'other', error: `${code || 'error'}: ${message}` };
}

/** `Retry-After` in seconds or as an HTTP date, to ms; null when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** A server timestamp (ISO 8601 string, or epoch seconds/ms number) to epoch ms. */
export function parseServerTime(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Epoch seconds (Python's time.time()) are below 1e11; epoch ms are above.
    return value < 1e11 ? value * 1000 : value;
  }
  if (typeof value === 'string' && value !== '') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? null : parsed;
  }
  return null;
}

/**
 * `processing_time` in seconds to ms; null when absent, not a number, or 0 (unmeasured).
 * A negative value is passed on as reported: the engine clamps it and counts it as an
 * impossible timing (src/load/stage-times.ts), rather than reading it as unmeasured.
 */
export function secondsToMs(value: unknown): number | null {
  const seconds = typeof value === 'string' ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds === 0) return null;
  return seconds * 1000;
}

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A URL template with `{id}` filled in, the id percent-encoded. */
export function fillTemplate(template: string, id: string): string {
  return template.split('{id}').join(encodeURIComponent(id));
}

/** States a 404 body may carry, lower case. */
const QUEUED = new Set(['queued', 'pending']);
const PROCESSING = new Set(['processing', 'started', 'running']);

/**
 * What a 404 on a poll means. Many services answer 404 until a result exists, so a 404 is
 * pending unless the body says the job is unknown: `{"status": "unknown"}` is `notFound`
 * (the engine counts the job lost after a few), `{"status": "queued"}` is pending, and a
 * bare 404 is pending in state `unknown` (the engine's maximum wait decides).
 */
export function pollOutcomeOf404(json: unknown): PollOutcome {
  const state = isRecord(json) ? String(json.status ?? json.state ?? '').toLowerCase() : '';
  if (state === 'unknown' || state === 'not_found') return { kind: 'notFound' };
  if (QUEUED.has(state)) return { kind: 'pending', state: 'queued' };
  if (PROCESSING.has(state)) return { kind: 'pending', state: 'processing' };
  return { kind: 'pending', state: 'unknown' };
}

/** A poll answer that is not usable JSON, or lacks a required field. */
export function malformed(error: string, status?: number): RequestFailure {
  return { failureClass: 'malformedResponse', error, status };
}

/** The start of a JSON value, for error messages. */
export function preview(json: unknown): string {
  return JSON.stringify(json)?.slice(0, 200) ?? 'nothing';
}
