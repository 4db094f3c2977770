import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, sendText, type UploadSeen } from './http-kit.ts';
import type { FakeJob, JobBook } from './job-book.ts';
import {
  batchResult,
  batchStatusBody,
  batchView,
  celeryTask,
  ocrlotesResult,
  type ShapeOptions,
} from './shapes.ts';

export type RouteName =
  | 'upload'
  | 'result'
  | 'queue'
  | 'batchUpload'
  | 'batchStatus'
  | 'batchResults'
  | 'taskUpload'
  | 'task'
  | 'sync'
  | 'other';

export interface Route {
  name: RouteName;
  /** Which fault counters see this request; `other` requests see none. */
  kind: 'submit' | 'poll' | 'other';
  /** The id in the path, decoded. */
  id: string;
}

const PATTERNS: [RegExp, string, RouteName, Route['kind']][] = [
  [/^\/api\/ocr\/process_image$/, 'POST', 'upload', 'submit'],
  [/^\/api\/ocr\/result\/([^/]+)$/, 'GET', 'result', 'poll'],
  [/^\/api\/ocr\/queue\/status$/, 'GET', 'queue', 'other'],
  [/^\/api\/ocr\/process_batch$/, 'POST', 'batchUpload', 'submit'],
  [/^\/api\/ocr\/batch_status\/([^/]+)$/, 'GET', 'batchStatus', 'poll'],
  [/^\/api\/ocr\/batch_results\/([^/]+)$/, 'GET', 'batchResults', 'poll'],
  [/^\/tasks$/, 'POST', 'taskUpload', 'submit'],
  [/^\/tasks\/([^/]+)$/, 'GET', 'task', 'poll'],
  [/^\/api\/ocr\/process_sync$/, 'POST', 'sync', 'submit'],
];

export function routeOf(request: IncomingMessage): Route {
  const path = (request.url ?? '/').split('?')[0];
  for (const [pattern, method, name, kind] of PATTERNS) {
    const match = pattern.exec(path);
    if (match && request.method === method) {
      return { name, kind, id: decodeURIComponent(match[1] ?? '') };
    }
  }
  return { name: 'other', kind: 'other', id: '' };
}

export interface RouteContext {
  book: JobBook;
  upload: UploadSeen | null;
  wait: (ms: number) => Promise<void>;
  shape: ShapeOptions;
  pendingBody: 'status' | 'bare';
}

/** Batches by id: the jobs of each, in upload order. */
const batches = new WeakMap<JobBook, Map<string, FakeJob[]>>();

export async function handleRoute(
  route: Route,
  response: ServerResponse,
  context: RouteContext,
): Promise<void> {
  const { book, shape } = context;
  const nowMs = Date.now();
  const files = context.upload?.files ?? [];
  if (route.kind === 'submit' && files.length === 0) {
    sendJson(response, 400, { detail: 'no files in the upload' });
    return;
  }
  const accept = (batchId: string | null = null) =>
    files.map((file) => book.accept(file.name, file.bytes, nowMs, batchId));
  const batchesOf = () => {
    let map = batches.get(book);
    if (!map) batches.set(book, (map = new Map()));
    return map;
  };

  switch (route.name) {
    case 'upload': {
      sendJson(response, 200, { request_ids: accept().map((job) => job.id) });
      return;
    }
    case 'result': {
      const job = book.jobs.get(route.id);
      const state = job ? book.stateOf(job, nowMs) : 'vanished';
      if (!job || state === 'vanished') {
        sendJson(response, 404, { status: 'unknown', detail: 'no such request id' });
      } else if (state === 'queued' || state === 'processing') {
        if (context.pendingBody === 'bare') sendText(response, 404, '');
        else sendJson(response, 404, { status: state });
      } else {
        sendJson(response, 200, ocrlotesResult(job, state, shape));
      }
      return;
    }
    case 'queue': {
      sendJson(response, 200, { queue_status: book.counts(nowMs) });
      return;
    }
    case 'batchUpload': {
      const batchId = `batch-${batchesOf().size + 1}`;
      batchesOf().set(batchId, accept(batchId));
      sendJson(response, 200, { batch_id: batchId, total: files.length });
      return;
    }
    case 'batchStatus':
    case 'batchResults': {
      const jobs = batchesOf().get(route.id);
      const view = jobs ? batchView(jobs, book, nowMs) : null;
      if (!jobs || !view || view.state === 'unknown') {
        sendJson(response, 404, { status: 'unknown', detail: 'no such batch' });
      } else if (route.name === 'batchStatus') {
        sendJson(response, 200, batchStatusBody(route.id, view));
      } else if (view.state !== 'completed') {
        sendJson(response, 409, { status: view.state, detail: 'batch not finished' });
      } else {
        const results = jobs.map((job) => batchResult(job, book.stateOf(job, nowMs), shape));
        sendJson(response, 200, { batch_id: route.id, results });
      }
      return;
    }
    case 'taskUpload': {
      const ids = accept().map((job) => job.id);
      sendJson(response, 202, ids.length === 1 ? { task_id: ids[0] } : { task_ids: ids });
      return;
    }
    case 'task': {
      const job = book.jobs.get(route.id);
      if (!job) {
        sendJson(response, 404, { state: 'UNKNOWN', detail: 'no such task' });
        return;
      }
      const state = book.stateOf(job, nowMs);
      sendJson(response, state === 'vanished' ? 404 : 200, celeryTask(job, state, shape));
      return;
    }
    case 'sync': {
      const jobs = accept();
      const lastMs = Math.max(...jobs.map((job) => job.finishedAtMs));
      // A job that never finishes keeps the request open until the client gives up.
      await context.wait(Number.isFinite(lastMs) ? Math.max(0, lastMs - Date.now()) : 2 ** 31 - 1);
      // Timers may fire a little before Date.now() reaches the finish: judge at the finish.
      const at = Math.max(Date.now(), lastMs);
      const results = jobs.map((job) => ocrlotesResult(job, book.stateOf(job, at), shape));
      sendJson(response, 200, results.length === 1 ? results[0] : { results });
      return;
    }
    default:
      sendJson(response, 404, { detail: 'not found' });
  }
}
