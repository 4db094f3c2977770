// How much load one ocrbench process can generate, against autocannon (the reference load
// generator) on the same trivial loopback server in the same run. A job is an upload plus
// one poll (the server answers "done" at once), so ocrbench's requests/s counts both.
// Prints requests/s of each and the ratio; both are limited by the server sharing 2 cores.
import { createServer, type Server } from 'node:http';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { runEngine } from '../src/load/engine.ts';
import { ocrlotesProfile } from '../src/profiles/ocrlotes.ts';
import { scenarioSchema } from '../src/scenario/schema.ts';
import { seededRandom } from '../src/util/random.ts';
import type { LoadedDocument } from '../src/load/documents.ts';

const SECONDS = 8;
const CONNECTIONS = 50;

async function instantServer(): Promise<{ server: Server; url: string }> {
  let id = 0;
  const done = JSON.stringify({ status: 'completed', text: 'hola', processing_time: 0.001 });
  const server = createServer((request, response) => {
    request.on('data', () => {});
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      if (request.method === 'POST') response.end(`{"request_ids":["${++id}"]}`);
      else response.end(done);
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

async function withAutocannon(): Promise<number> {
  const { server, url } = await instantServer();
  const result = await autocannon({
    url: `${url}/api/ocr/result/1`,
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  server.close();
  return result.requests.average;
}

async function withOcrbench(): Promise<number> {
  const { server, url } = await instantServer();
  const scenario = scenarioSchema.parse({
    name: 'throughput',
    dataset: { path: '.' },
    load: { model: 'closed', concurrency: CONNECTIONS, durationSeconds: SECONDS },
    uploads: { uniqueBytes: false },
    poll: { intervalMs: 1 },
  });
  const document: LoadedDocument = {
    entry: {
      file: 'tiny.png',
      format: 'png',
      bytes: 1024,
      sizeClass: 'tiny',
      widthPx: 1,
      heightPx: 1,
      pages: 1,
      sha256: '',
      language: 'spa',
      kind: 'receipt',
      groundTruth: 'hola',
    },
    bytes: Buffer.alloc(1024, 7),
    contentType: 'image/png',
  };
  const pool = new Pool(url, { connections: CONNECTIONS });
  const context = {
    baseUrl: new URL(url),
    dispatcher: pool,
    headers: {},
    requestTimeoutMs: 10_000,
  };
  let completed = 0;
  const result = await runEngine({
    scenario,
    picker: { documents: [document], pick: () => document },
    random: seededRandom(1),
    signal: new AbortController().signal,
    environment: {
      profile: ocrlotesProfile,
      uploadContext: context,
      pollContext: context,
      poll: scenario.poll,
      uniqueBytes: false,
      maxRetries: 0,
      trial: 0,
      onThrottled: () => {},
    },
    onSubmitted: () => {},
    onJob: (outcome) => {
      if (outcome.record.fate === 'completed') completed++;
    },
  });
  await pool.close();
  server.close();
  return (completed * 2) / (result.lengthMs / 1000);
}

const reference1 = await withAutocannon();
const ours1 = await withOcrbench();
const ours2 = await withOcrbench();
const reference2 = await withAutocannon();
const reference = (reference1 + reference2) / 2;
const ours = (ours1 + ours2) / 2;
console.log(
  `autocannon  ${reference.toFixed(0).padStart(7)} requests/s (GET, ${CONNECTIONS} connections)`,
);
console.log(`ocrbench    ${ours.toFixed(0).padStart(7)} requests/s (upload + poll per job)`);
console.log(`ratio ocrbench / autocannon: ${(ours / reference).toFixed(2)}`);
