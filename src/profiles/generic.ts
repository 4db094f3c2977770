import type { JobResult, PollOutcome, Profile, ProfileContext, QueueStatus } from './profile.ts';
import { multipart } from '../load/upload-body.ts';
import { genericProfileSchema, type GenericProfileConfig } from './generic-config.ts';
import { compileJsonPath, type JsonPath } from './json-path.ts';
import { ResultFields } from './result-fields.ts';
import {
  failureOf,
  fillTemplate,
  getJson,
  malformed,
  pollOutcomeOf404,
  preview,
  sendUpload,
  type JsonResponse,
} from './http.ts';

/**
 * The `generic` profile: every endpoint shape comes from the scenario (`target.generic`,
 * schema in generic-config.ts, reference in docs/profiles.md). Paths are compiled once.
 */
export function createGenericProfile(settings: unknown): Profile {
  const config: GenericProfileConfig = genericProfileSchema.parse(settings);
  const path = (source: string | undefined) =>
    source === undefined ? null : compileJsonPath(source);
  const lower = (values: string[]) => new Set(values.map((value) => value.toLowerCase()));

  const jobIds = compileJsonPath(config.submit.jobIdPath);
  const statePath = path(config.status.statePath);
  const states = {
    queued: lower(config.status.queuedValues),
    processing: lower(config.status.processingValues),
    done: lower(config.status.doneValues),
    failed: lower(config.status.failedValues),
    unknown: lower(config.status.unknownValues),
  };
  const pendingCodes = new Set(config.status.pendingStatusCodes);
  const fields = {
    text: compileJsonPath(config.result.textPath),
    confidence: path(config.result.confidencePath),
    processingTime: path(config.result.processingTimePath),
    enqueuedAt: path(config.result.enqueuedAtPath),
    startedAt: path(config.result.startedAtPath),
    finishedAt: path(config.result.finishedAtPath),
    error: compileJsonPath(config.result.errorPath),
  };
  const queuePaths = {
    pending: path(config.queue?.pendingPath),
    processing: path(config.queue?.processingPath),
    completed: path(config.queue?.completedPath),
    errors: path(config.queue?.errorsPath),
  };
  const msPerUnit = config.result.processingTimeUnit === 'ms' ? 1 : 1000;

  function resultOf(json: unknown): JobResult {
    // Malformed fields are named by the path the scenario gave, e.g. `$.result.text`.
    const read = new ResultFields();
    const number = (selector: JsonPath | null) =>
      selector ? read.number(selector.source, selector.first(json)) : null;
    const time = (selector: JsonPath | null) =>
      selector ? read.time(selector.source, selector.first(json)) : null;
    const text = read.text(fields.text.source, fields.text.first(json));
    const confidence = number(fields.confidence);
    const processing = number(fields.processingTime);
    return {
      text,
      confidence,
      // 0 means the service never measured it (field notes): report it as absent. A
      // negative time is passed on; the engine clamps and counts it.
      processingMs: processing !== null && processing !== 0 ? processing * msPerUnit : null,
      enqueuedAtMs: time(fields.enqueuedAt),
      startedAtMs: time(fields.startedAt),
      finishedAtMs: time(fields.finishedAt),
      ...read.note(),
      raw: json,
    };
  }

  async function done(context: ProfileContext, id: string, json: unknown): Promise<PollOutcome> {
    if (!config.status.resultPathTemplate) return { kind: 'done', result: resultOf(json) };
    const response = await getJson(context, fillTemplate(config.status.resultPathTemplate, id));
    const failure = notUsable(response);
    if (failure) return failure;
    return { kind: 'done', result: resultOf((response as { json: unknown }).json) };
  }

  return {
    name: 'generic',
    serverTimestamps: fields.enqueuedAt !== null && fields.startedAt !== null,

    async submit(context, files) {
      const form = multipart(
        files.map((file) => ({ field: config.submit.fileField, ...file })),
        config.submit.fields,
      );
      const { method, path: submitPath } = config.submit;
      const response = await sendUpload(context, submitPath, form.body, form.contentType, method);
      if (response.kind !== 'ok') return response.outcome;
      const ids = jobIds
        .all(response.json)
        .filter((id) => typeof id === 'string' || typeof id === 'number');
      if (ids.length === 0) {
        return {
          kind: 'failed',
          ...malformed(`no job id at ${jobIds.source} in ${preview(response.json)}`),
          status: response.status,
        };
      }
      return { kind: 'accepted', handles: ids.map((id) => ({ jobId: String(id) })) };
    },

    async poll(context, handle) {
      const url = fillTemplate(config.status.pathTemplate, handle.jobId);
      const response = await getJson(context, url);
      if (response.kind === 'error') return { kind: 'requestFailed', ...response.failure };
      const { status, json } = response;
      if (status === 429) return { kind: 'throttled', retryAfterMs: response.retryAfterMs ?? 1000 };
      const raw = statePath?.first(json);
      const state = raw === undefined || raw === null ? null : String(raw).toLowerCase();
      if (state !== null && states.unknown.has(state)) return { kind: 'notFound' };
      if (status === 404) {
        if (state !== null && states.queued.has(state)) return { kind: 'pending', state: 'queued' };
        if (state !== null && states.processing.has(state)) {
          return { kind: 'pending', state: 'processing' };
        }
        return pollOutcomeOf404(json);
      }
      if (status < 200 || status >= 300) {
        return { kind: 'requestFailed', ...failureOf(status, json) };
      }
      const settled = state !== null && (states.done.has(state) || states.failed.has(state));
      if (pendingCodes.has(status) && !settled) {
        return { kind: 'pending', state: pendingState(state) };
      }
      if (statePath === null) {
        if (json === undefined) return { kind: 'requestFailed', ...notJson(response) };
        return done(context, handle.jobId, json);
      }
      if (state === null) {
        const why = json === undefined ? (response.parseError ?? 'empty body') : preview(json);
        return {
          kind: 'requestFailed',
          ...malformed(`no state at ${statePath.source}: ${why}`, status),
        };
      }
      if (states.done.has(state)) return done(context, handle.jobId, json);
      if (states.failed.has(state)) {
        const error = fields.error.first(json);
        return {
          kind: 'jobFailed',
          error: typeof error === 'string' && error !== '' ? error : `state ${raw}`,
          result: resultOf(json),
        };
      }
      if (states.queued.has(state) || states.processing.has(state)) {
        return { kind: 'pending', state: pendingState(state) };
      }
      return {
        kind: 'requestFailed',
        ...malformed(`state "${raw}" is in none of the configured state lists`, status),
      };
    },

    async queueStatus(context): Promise<QueueStatus | null> {
      if (!config.queue) return null;
      const response = await getJson(context, config.queue.path);
      if (response.kind === 'error' || response.status !== 200) return null;
      const count = (selector: JsonPath | null) => {
        const value = selector?.first(response.json);
        return typeof value === 'number' ? value : 0;
      };
      return {
        pending: count(queuePaths.pending),
        processing: count(queuePaths.processing),
        completed: count(queuePaths.completed),
        errors: count(queuePaths.errors),
      };
    },
  };

  function pendingState(state: string | null): 'queued' | 'processing' | 'unknown' {
    if (state !== null && states.queued.has(state)) return 'queued';
    if (state !== null && states.processing.has(state)) return 'processing';
    return 'unknown';
  }
}

/** A result answer that cannot be read: a classified failure, or null when it is usable. */
function notUsable(response: JsonResponse): PollOutcome | null {
  if (response.kind === 'error') return { kind: 'requestFailed', ...response.failure };
  if (response.status === 429) {
    return { kind: 'throttled', retryAfterMs: response.retryAfterMs ?? 1000 };
  }
  if (response.status < 200 || response.status >= 300) {
    return { kind: 'requestFailed', ...failureOf(response.status, response.json) };
  }
  if (response.json === undefined) return { kind: 'requestFailed', ...notJson(response) };
  return null;
}

function notJson(response: JsonResponse & { kind: 'ok' }) {
  return malformed(`answer is not JSON (${response.parseError ?? 'empty'})`, response.status);
}
