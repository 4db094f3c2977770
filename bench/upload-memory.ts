// Memory of large uploads: ocrbench sends a file's bytes as shared slices (no copy per
// request). Reference, measured in the same run: the common approach of building each
// request body with Buffer.concat. Prints peak RSS growth of both and their ratio.
//
// 60 uploads of a 20 MB file (1.2 GB) to a loopback server that discards the bytes,
// 4 at a time.
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { multipart, bodyOf } from '../src/load/upload-body.ts';
import { sendUpload } from '../src/profiles/http.ts';

const FILE_BYTES = 20 * 1000 * 1000;
const UPLOADS = 60;
const PARALLEL = 4;

async function sink(): Promise<{ server: Server; url: URL }> {
  const server = createServer((request, response) => {
    request.on('data', () => {});
    request.on('end', () => response.end('{"request_ids":["x"]}'));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address() as { port: number };
  return { server, url: new URL(`http://127.0.0.1:${address.port}`) };
}

async function measure(name: string, makeBody: () => { parts: Uint8Array[]; bytes: number }) {
  const { server, url } = await sink();
  const pool = new Pool(url.origin, { connections: PARALLEL });
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const started = performance.now();
  let next = 0;
  const context = { baseUrl: url, dispatcher: pool, headers: {}, requestTimeoutMs: 60_000 };
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next++ < UPLOADS) {
        const body = makeBody();
        const result = await sendUpload(
          context,
          '/upload',
          body,
          'multipart/form-data; boundary=x',
        );
        if (result.kind !== 'ok') throw new Error(`upload failed: ${JSON.stringify(result)}`);
      }
    }),
  );
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  server.close();
  const growthMiB = (peak - before) / 1024 / 1024;
  console.log(
    `${name.padEnd(28)} peak RSS growth ${growthMiB.toFixed(0).padStart(5)} MiB, ` +
      `${((UPLOADS * FILE_BYTES) / 1e6 / seconds).toFixed(0)} MB/s`,
  );
  return growthMiB;
}

const file = randomBytes(FILE_BYTES);
const file2 = Buffer.from(file);
const shared = () =>
  multipart([{ field: 'files', name: 'a.png', contentType: 'image/png', body: bodyOf([file]) }])
    .body;
const copied = () => {
  const body = multipart([
    { field: 'files', name: 'a.png', contentType: 'image/png', body: bodyOf([file2]) },
  ]).body;
  return bodyOf([Buffer.concat(body.parts)]);
};

// Reference first and ocrbench second, then again in the other order: drift on a shared
// machine affects both equally.
const reference1 = await measure('reference (concat per request)', copied);
const ours1 = await measure('ocrbench (shared slices)', shared);
const ours2 = await measure('ocrbench (shared slices)', shared);
const reference2 = await measure('reference (concat per request)', copied);
const ratio = (ours1 + ours2) / Math.max(reference1 + reference2, 1);
console.log(`\nmemory ratio ocrbench / reference: ${ratio.toFixed(2)} (lower is better)`);
console.log(`${((UPLOADS * FILE_BYTES) / 1e9).toFixed(1)} GB uploaded per measurement`);
