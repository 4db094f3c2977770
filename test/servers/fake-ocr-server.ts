import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  FaultCounter,
  stallDelayMs,
  type FaultRule,
  type StallWindow,
  type Status503Rule,
  type ThrottleRule,
} from './faults.ts';
import {
  drain,
  listenOnLoopback,
  readUpload,
  sendJson,
  sendText,
  type UploadSeen,
} from './http-kit.ts';
import { JobBook, type FakeJob, type FakeJobInfo } from './job-book.ts';
import { handleRoute, routeOf, type RouteName } from './routes.ts';

export type { FakeJob, FakeJobInfo, FaultRule, StallWindow, Status503Rule, ThrottleRule };

/**
 * Options of the fake OCR service. One server speaks every shape the profiles know, so a
 * test picks the profile and the misbehaviour independently:
 *
 * - ocrlotes: `POST /api/ocr/process_image` (files) -> `{request_ids}`;
 *   `GET /api/ocr/result/<id>` 404 `{status: queued|processing}` while pending, then 200
 *   `{status: completed|error, text, processing_time (s), enqueued_at, started_at,
 *   finished_at}`; a vanished job answers 404 `{status: unknown}`.
 * - ocrlotes-batch: `POST /api/ocr/process_batch` -> `{batch_id, total}`;
 *   `GET /api/ocr/batch_status/<id>`; `GET /api/ocr/batch_results/<id>` (409 until done).
 * - Celery-like: `POST /tasks` (any file field) -> `{task_id}` (several files:
 *   `{task_ids}`); `GET /tasks/<id>` -> `{state: PENDING|STARTED|SUCCESS|FAILURE|UNKNOWN,
 *   result: {text, processing_time_ms, enqueued_at (epoch s)...}}`.
 * - sync: `POST /api/ocr/process_sync` answers when the jobs finish: the result object for
 *   one file, `{results: [...]}` for several.
 * - `GET /api/ocr/queue/status` -> `{queue_status: {pending, processing, completed, errors}}`.
 *
 * Faults are counted per request ("every Nth"), never random. A request that is hit by
 * several faults gets the first of: reset, throttle, 503, malformed.
 */
export interface FakeOcrServerOptions {
  /** Time each job takes once started, ms; or a function of the job. @default 20 */
  processingMs?: number | ((job: FakeJobInfo) => number);
  /** Jobs processed at once; unset: every job starts when accepted (no queue wait). */
  workers?: number;
  /** Requests arriving in a window wait until it ends (ms from server start). */
  stall?: StallWindow | StallWindow[];
  /** Every Nth accepted job ends in `status: error` (a job failure, not an HTTP error). */
  failEvery?: number;
  /** Every Nth request answers 429 with Retry-After. */
  throttle?: ThrottleRule;
  /** Every Nth request answers 200 with JSON cut short. @default on 'submit' */
  malformedEvery?: FaultRule;
  /** Every Nth request has its socket destroyed without an answer. @default on 'submit' */
  resetEvery?: FaultRule;
  /** Every Nth request answers 503 (with Retry-After only when configured). */
  status503Every?: number | Status503Rule;
  /** Jobs for which this is true stay `processing` forever. */
  neverFinish?: (job: FakeJobInfo) => boolean;
  /** Jobs for which this is true are pending for their processing time, then unknown. */
  vanish?: (job: FakeJobInfo) => boolean;
  /** Recognised text of each job. @default 'hello world' */
  text?: string | ((job: FakeJobInfo) => string);
  /** Send server timestamps in results. @default true */
  timestamps?: boolean;
  /** Send the real processing time; false sends 0 ("never measured"). @default true */
  reportProcessingTime?: boolean;
  /** 404 bodies of pending ocrlotes results: `{status}` or empty. @default 'status' */
  pendingBody?: 'status' | 'bare';
  /** Answer 411 to uploads without Content-Length, as some servers do. @default false */
  requireContentLength?: boolean;
  /**
   * Fields that replace the true ones in a finished job's result, in the shape's own names
   * (`processing_time: -1`, `started_at: ...`): a service reporting impossible timings.
   */
  misreport?: (job: FakeJob) => Record<string, unknown> | null;
}

/** What the server saw; read it after the requests under test have finished. */
export interface FakeOcrServerStats {
  /** Requests by route (counted on arrival, before any stall or fault). */
  requests: Partial<Record<RouteName, number>>;
  uploads: UploadSeen[];
  /** Jobs accepted. */
  readonly jobs: number;
  faults: { reset: number; throttled: number; status503: number; malformed: number };
}

export interface FakeOcrServer {
  url: string;
  port: number;
  stats: FakeOcrServerStats;
  /** The server's jobs by id, to assert on their timelines. */
  jobs: ReadonlyMap<string, FakeJob>;
  close(): Promise<void>;
}

/** Starts the fake service on 127.0.0.1, port 0. Close it in `afterEach`. */
export async function startFakeOcrServer(
  options: FakeOcrServerOptions = {},
): Promise<FakeOcrServer> {
  const book = new JobBook({
    processingMs: options.processingMs ?? 20,
    workers: options.workers,
    failEvery: options.failEvery,
    neverFinish: options.neverFinish,
    vanish: options.vanish,
    text: options.text ?? 'hello world',
  });
  const stats: FakeOcrServerStats = {
    requests: {},
    uploads: [],
    get jobs() {
      return book.jobs.size;
    },
    faults: { reset: 0, throttled: 0, status503: 0, malformed: 0 },
  };
  const stalls = options.stall === undefined ? [] : [options.stall].flat();
  const reset = new FaultCounter(options.resetEvery);
  const throttle = new FaultCounter(options.throttle);
  const status503 = new FaultCounter(options.status503Every);
  const malformed = new FaultCounter(options.malformedEvery);
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  let startedAtMs = Date.now();

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const route = routeOf(request);
    stats.requests[route.name] = (stats.requests[route.name] ?? 0) + 1;
    const stallMs = stallDelayMs(stalls, Date.now() - startedAtMs);
    if (stallMs > 0) await wait(stallMs);

    const upload = route.kind === 'submit' ? await readUpload(request, route.name) : null;
    if (upload) stats.uploads.push(upload);
    else await drain(request);

    if (route.kind === 'submit' || route.kind === 'poll') {
      // Every counter sees every request, so "every Nth" holds whatever the others do.
      const hits = {
        reset: reset.hit(route.kind),
        throttle: throttle.hit(route.kind),
        status503: status503.hit(route.kind),
        malformed: malformed.hit(route.kind),
      };
      if (hits.reset) {
        stats.faults.reset++;
        request.socket.destroy();
        return;
      }
      if (hits.throttle) {
        stats.faults.throttled++;
        const seconds = options.throttle?.retryAfterSeconds ?? 1;
        const retryAfter = options.throttle?.asHttpDate
          ? new Date(Date.now() + seconds * 1000).toUTCString()
          : String(seconds);
        sendJson(response, 429, { detail: 'too many requests' }, { 'retry-after': retryAfter });
        return;
      }
      if (hits.status503) {
        stats.faults.status503++;
        const rule = options.status503Every;
        const seconds = typeof rule === 'object' ? rule.retryAfterSeconds : undefined;
        const headers: Record<string, string> =
          seconds === undefined ? {} : { 'retry-after': String(seconds) };
        sendJson(response, 503, { detail: 'service unavailable' }, headers);
        return;
      }
      if (hits.malformed) {
        stats.faults.malformed++;
        sendText(response, 200, '{"request_ids": ["job-');
        return;
      }
    }
    if (upload && options.requireContentLength && upload.contentLength === undefined) {
      sendJson(response, 411, { detail: 'Content-Length required' });
      return;
    }
    await handleRoute(route, response, {
      book,
      upload,
      wait,
      shape: {
        timestamps: options.timestamps ?? true,
        reportProcessingTime: options.reportProcessingTime ?? true,
        misreport: options.misreport,
      },
      pendingBody: options.pendingBody ?? 'status',
    });
  }

  const server = await listenOnLoopback(
    (request, response) => {
      handle(request, response).catch((error: unknown) => {
        sendJson(response, 500, { detail: String(error) });
      });
    },
    () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  );
  startedAtMs = Date.now();
  return { url: server.url, port: server.port, stats, jobs: book.jobs, close: server.close };
}
