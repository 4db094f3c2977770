import { afterEach, describe, expect, it } from 'vitest';
import { bodyOf, multipart } from '../src/load/upload-body.ts';
import {
  classifyNetworkError,
  getJson,
  pollOutcomeOf404,
  retryAfterMs,
  sendUpload,
} from '../src/profiles/http.ts';
import { startFakeOcrServer, type FakeOcrServer } from './servers/fake-ocr-server.ts';
import { listenOnLoopback } from './servers/http-kit.ts';
import { contextFor } from './servers/profile-driver.ts';

let server: FakeOcrServer | null = null;
let context: ReturnType<typeof contextFor> | null = null;

afterEach(async () => {
  await context?.close();
  await server?.close();
  server = null;
  context = null;
});

async function setUp(options: Parameters<typeof startFakeOcrServer>[0] = {}, timeoutMs = 5_000) {
  server = await startFakeOcrServer(options);
  context = contextFor(server.url, timeoutMs);
  return { server, context };
}

function form(bytes: number) {
  return multipart([
    {
      field: 'files',
      name: 'a.png',
      contentType: 'image/png',
      body: bodyOf([Buffer.alloc(bytes)]),
    },
  ]);
}

describe('sendUpload', () => {
  it('sends Content-Length and no chunked encoding, small and streamed bodies', async () => {
    const { server, context } = await setUp({ requireContentLength: true });
    // 1 KiB is joined into one buffer; 300 KiB streams its slices (upload-body.ts).
    for (const bytes of [1024, 300 * 1024]) {
      const { body, contentType } = form(bytes);
      const answer = await sendUpload(context, '/api/ocr/process_image', body, contentType);
      expect(answer.kind).toBe('ok');
    }
    expect(server.stats.uploads).toHaveLength(2);
    for (const [index, bytes] of [1024, 300 * 1024].entries()) {
      const seen = server.stats.uploads[index];
      expect(seen.transferEncoding).toBeUndefined();
      expect(Number(seen.contentLength)).toBe(seen.bodyBytes);
      expect(seen.files).toEqual([{ field: 'files', name: 'a.png', bytes }]);
      expect(seen.contentType).toMatch(/^multipart\/form-data; boundary=----ocrbench/);
    }
  });

  it('turns 429 into throttled with Retry-After in ms, seconds or HTTP date', async () => {
    const { context } = await setUp({ throttle: { every: 1, retryAfterSeconds: 3 } });
    const { body, contentType } = form(10);
    const answer = await sendUpload(context, '/api/ocr/process_image', body, contentType);
    expect(answer).toEqual({
      kind: 'no',
      outcome: { kind: 'throttled', retryAfterMs: 3000, status: 429 },
    });
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('0.5')).toBe(500);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    // HTTP dates have 1 s resolution: 9-10 s ahead.
    expect(retryAfterMs(inTenSeconds)).toBeGreaterThan(8_900);
    expect(retryAfterMs(inTenSeconds)).toBeLessThanOrEqual(10_000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs(undefined)).toBeNull();
  });

  it('classifies 503, 4xx, malformed JSON and reset sockets', async () => {
    const { context } = await setUp({ status503Every: 1 });
    const { body, contentType } = form(10);
    const answer503 = await sendUpload(context, '/api/ocr/process_image', body, contentType);
    expect(answer503.kind === 'no' && answer503.outcome).toMatchObject({
      kind: 'failed',
      failureClass: 'http5xx',
      status: 503,
    });
    const answer404 = await sendUpload(context, '/no/such/path', body, contentType);
    expect(answer404.kind === 'no' && answer404.outcome).toMatchObject({
      failureClass: 'http4xx',
      status: 404,
    });
    await server?.close();
    await context.close();

    const broken = await setUp({ malformedEvery: 1 });
    const malformedAnswer = await sendUpload(
      broken.context,
      '/api/ocr/process_image',
      body,
      contentType,
    );
    expect(malformedAnswer.kind === 'no' && malformedAnswer.outcome).toMatchObject({
      failureClass: 'malformedResponse',
      status: 200,
    });
    await server?.close();
    await broken.context.close();

    const resetting = await setUp({ resetEvery: 1 });
    const resetAnswer = await sendUpload(
      resetting.context,
      '/api/ocr/process_image',
      body,
      contentType,
    );
    expect(resetAnswer.kind === 'no' && resetAnswer.outcome).toMatchObject({
      kind: 'failed',
      failureClass: 'connectionReset',
    });
    expect(resetting.server.stats.faults.reset).toBe(1);
  });
});

describe('getJson', () => {
  it('reads status, headers and JSON, or says why the body is not JSON', async () => {
    const { context } = await setUp({ malformedEvery: { every: 2, on: 'poll' } });
    const first = await getJson(context, '/api/ocr/result/job-404');
    expect(first).toMatchObject({ kind: 'ok', status: 404, json: { status: 'unknown' } });
    const second = await getJson(context, '/api/ocr/result/job-404');
    expect(second.kind === 'ok' && second.json).toBeUndefined();
    expect(second.kind === 'ok' && second.parseError).toMatch(/^not JSON/);
    const queue = await getJson(context, '/api/ocr/queue/status');
    expect(queue.kind === 'ok' && queue.headers['content-type']).toBe('application/json');
  });

  it('classifies a poll whose socket is destroyed as connectionReset', async () => {
    const { server, context } = await setUp({ resetEvery: { every: 1, on: 'poll' } });
    const answer = await getJson(context, '/api/ocr/result/job-1');
    expect(answer.kind === 'error' && answer.failure.failureClass).toBe('connectionReset');
    expect(server.stats.faults.reset).toBe(1);
  });

  it('classifies a refused connection', async () => {
    const closed = await listenOnLoopback(() => {});
    await closed.close();
    const refusedContext = contextFor(closed.url);
    try {
      const answer = await getJson(refusedContext, '/api/ocr/queue/status');
      expect(answer).toMatchObject({
        kind: 'error',
        failure: { failureClass: 'connectionRefused' },
      });
    } finally {
      await refusedContext.close();
    }
  });

  it('classifies a server that does not answer within requestTimeoutMs as timeout', async () => {
    // Every request in the first 3 s waits until then; the client gives up after 150 ms.
    const { context } = await setUp({ stall: { atMs: 0, forMs: 3_000 } }, 150);
    const answer = await getJson(context, '/api/ocr/queue/status');
    expect(answer.kind === 'error' && answer.failure.failureClass).toBe('timeout');
  });
});

describe('error classification', () => {
  it('maps undici and socket codes to failure classes', () => {
    const cases: [unknown, string][] = [
      [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'connectionRefused'],
      [{ code: 'ECONNRESET', message: 'read ECONNRESET' }, 'connectionReset'],
      [{ code: 'UND_ERR_SOCKET', message: 'other side closed' }, 'connectionReset'],
      [{ code: 'UND_ERR_HEADERS_TIMEOUT', message: 'Headers Timeout Error' }, 'timeout'],
      [{ code: 'UND_ERR_BODY_TIMEOUT', message: 'Body Timeout Error' }, 'timeout'],
      [{ code: 'UND_ERR_CONNECT_TIMEOUT', message: 'Connect Timeout Error' }, 'timeout'],
      [AbortSignal.timeout(0).reason ?? new DOMException('t', 'TimeoutError'), 'timeout'],
      [{ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } }, 'connectionRefused'],
      [new Error('something else'), 'other'],
    ];
    for (const [error, failureClass] of cases) {
      expect(classifyNetworkError(error).failureClass, JSON.stringify(error)).toBe(failureClass);
    }
  });

  it('reads pending, unknown and bare 404 bodies', () => {
    expect(pollOutcomeOf404({ status: 'unknown' })).toEqual({ kind: 'notFound' });
    expect(pollOutcomeOf404({ status: 'queued' })).toEqual({ kind: 'pending', state: 'queued' });
    expect(pollOutcomeOf404({ status: 'Processing' })).toEqual({
      kind: 'pending',
      state: 'processing',
    });
    expect(pollOutcomeOf404(undefined)).toEqual({ kind: 'pending', state: 'unknown' });
    expect(pollOutcomeOf404({ detail: 'Not Found' })).toEqual({
      kind: 'pending',
      state: 'unknown',
    });
  });
});
