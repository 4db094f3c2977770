// Worker scaling of the built-in target without faults: pages per second with 1 worker
// and with N = the core count, the same pages, in the same run, measured in ABBA order
// (1, N, N, 1) so a drift of the machine weighs on both sides alike. Prints
//   scaling = rateN / (N x rate1)
// which issue 4 wants at 0.9 or more. The target runs as a child process (spawnTarget);
// this process only uploads and polls.
//
// Run: node --import tsx bench/worker-scaling.ts   (about 1-2 minutes on 2 cores)
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { request } from 'undici';
import { spawnTarget } from '../src/target/index.ts';
import { receiptLayout } from '../src/dataset/layout.ts';
import { encodeImage, renderPage } from '../src/dataset/raster.ts';

const CORES = availableParallelism();
/** Pages per measurement: a multiple of N, so no worker idles at the end for long. */
const PAGES = 8 * CORES;
/** Distinct receipts cycled through the pages (no result can be served from a cache). */
const DISTINCT = 4;
/** Batch status polls at most, 200 ms apart (bounds a measurement to 10 minutes). */
const MAX_POLLS = 3000;

/** A receipt of 14 lines at 150 dpi: roughly 0.5-1 s of OCR on one core. */
async function receipt(seed: number): Promise<Buffer> {
  const lines = Array.from(
    { length: 14 },
    (_, line) => `Item ${seed}-${line} quantity ${line + 1} price ${(seed * 7 + line) % 90}.95`,
  );
  const layout = receiptLayout(lines, 150, 11);
  return encodeImage(renderPage(layout), { format: 'png', bilevel: false }, 150);
}

function multipart(files: Buffer[]): { body: Buffer; type: string } {
  const boundary = '----ocrbench-scaling';
  const parts = files.flatMap((bytes, n) => [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; ` +
        `filename="page${n}.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    bytes,
    Buffer.from('\r\n'),
  ]);
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

async function json(url: string, init?: Parameters<typeof request>[1]): Promise<any> {
  const response = await request(url, init);
  const body = (await response.body.json()) as any;
  if (response.statusCode >= 300) {
    throw new Error(`${url} answered ${response.statusCode}: ${JSON.stringify(body)}`);
  }
  return body;
}

/** Sends the pages as one batch and waits for it; returns the batch's results. */
async function runBatch(url: string, pages: Buffer[]): Promise<any[]> {
  const { body, type } = multipart(pages);
  const created = await json(`${url}/api/ocr/process_batch`, {
    method: 'POST',
    body,
    headers: { 'content-type': type, 'content-length': String(body.length) },
  });
  for (let poll = 0; poll < MAX_POLLS; poll++) {
    const status = await json(`${url}/api/ocr/batch_status/${created.batch_id}`);
    if (status.status === 'completed') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const { results } = await json(`${url}/api/ocr/batch_results/${created.batch_id}`);
  return results;
}

/** Clock ticks a second in /proc (USER_HZ; 100 on Linux builds in practice). */
const TICKS_PER_SECOND = 100;

/** CPU ticks the whole machine spent busy (all but idle and iowait). */
function machineBusyTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const ticks = fields.slice(1).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  return total - (ticks[3] ?? 0) - (ticks[4] ?? 0);
}

/** User + system CPU ticks of a process (all its threads: the tesseract.js workers too). */
function processTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name in parentheses; utime and stime are the 12th and 13th.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

interface Measurement {
  workers: number;
  /** Cores kept busy by other processes during the measurement (not the target, not us). */
  otherCores: number;
  pagesPerSecond: number;
  makespanSeconds: number;
  meanProcessingSeconds: number;
}

/**
 * 1. Start the target with `workers` (engines load before it answers).
 * 2. Warm up: one page per worker, not measured.
 * 3. Measure: all pages at once; rate = pages / (last finish - first start), both taken
 *    from the target's own timestamps so upload and polling are left out.
 */
async function measure(workers: number, pages: Buffer[]): Promise<Measurement> {
  const target = await spawnTarget({ port: 0, workers, languages: 'eng' });
  try {
    await runBatch(target.url, pages.slice(0, workers));
    const machineBefore = machineBusyTicks();
    const ownBefore = processTicks(process.pid) + processTicks(target.pid);
    const wallBefore = performance.now();
    const results = await runBatch(target.url, pages);
    const wallSeconds = (performance.now() - wallBefore) / 1000;
    const ownTicks = processTicks(process.pid) + processTicks(target.pid) - ownBefore;
    const otherTicks = machineBusyTicks() - machineBefore - ownTicks;
    const failed = results.filter((result) => result.status !== 'completed');
    if (failed.length > 0) throw new Error(`${failed.length} pages failed: ${failed[0].error}`);
    const first = Math.min(...results.map((result) => Date.parse(result.started_at)));
    const last = Math.max(...results.map((result) => Date.parse(result.finished_at)));
    const makespanSeconds = (last - first) / 1000;
    const processing = results.reduce((sum, result) => sum + result.processing_time, 0);
    return {
      workers,
      otherCores: Math.max(0, otherTicks / TICKS_PER_SECOND / wallSeconds),
      pagesPerSecond: results.length / makespanSeconds,
      makespanSeconds,
      meanProcessingSeconds: processing / results.length,
    };
  } finally {
    await target.close();
  }
}

const distinct = await Promise.all(Array.from({ length: DISTINCT }, (_, n) => receipt(n)));
const pages = Array.from({ length: PAGES }, (_, n) => distinct[n % DISTINCT]!);
console.log(`worker scaling: ${CORES} cores, ${PAGES} pages a measurement, order 1 N N 1`);

const runs: Measurement[] = [];
for (const workers of [1, CORES, CORES, 1]) {
  const run = await measure(workers, pages);
  runs.push(run);
  console.log(
    `  ${String(run.workers).padStart(2)} workers: ${run.pagesPerSecond.toFixed(2)} pages/s ` +
      `(${run.makespanSeconds.toFixed(1)} s, mean processing ` +
      `${(run.meanProcessingSeconds * 1000).toFixed(0)} ms; other processes kept ` +
      `${run.otherCores.toFixed(2)} cores busy)`,
  );
}

const mean = (workers: number) => {
  const rates = runs.filter((run) => run.workers === workers).map((r) => r.pagesPerSecond);
  return rates.reduce((sum, rate) => sum + rate, 0) / rates.length;
};
const rate1 = mean(1);
const rateN = mean(CORES);
const scaling = rateN / (CORES * rate1);
console.log(
  `rate1 = ${rate1.toFixed(2)} pages/s, rate${CORES} = ${rateN.toFixed(2)} pages/s, ` +
    `scaling = rate${CORES} / (${CORES} x rate1) = ${scaling.toFixed(3)} ` +
    `(target >= 0.9: ${scaling >= 0.9 ? 'met' : 'NOT met'})`,
);
// A shared machine: other processes' CPU makes the N-worker side starve first, so a low
// ratio then says more about the neighbours than about the target.
const busiest = Math.max(...runs.map((run) => run.otherCores));
if (busiest > 0.2) {
  console.log(
    `caveat: other processes kept up to ${busiest.toFixed(2)} of ${CORES} cores busy ` +
      'during a measurement; rerun on a quiet machine before trusting the ratio.',
  );
}
