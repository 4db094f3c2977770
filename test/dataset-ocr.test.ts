import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createWorker, OEM, type Worker } from 'tesseract.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { characterErrorRate } from '../src/accuracy/index.ts';
import { generateDataset } from '../src/dataset/generate.ts';
import { rasterisePdf } from '../src/imaging/rasterise-pdf.ts';
import type { DatasetFile } from '../src/dataset/manifest.ts';

// Reads generated documents back with tesseract.js, offline: both languages' data are
// linked into one folder (the {code, data} form crashes in tesseract.js 7) and nothing
// is cached or fetched. tesseract.js cannot open PDFs: they are rasterised with pdfjs-dist
// first (their structure is checked in dataset-generate.test.ts).

const require = createRequire(import.meta.url);
const folders: string[] = [];
let worker: Worker | undefined;
const workerErrors: unknown[] = [];

function languageFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'ocrbench-langs-'));
  folders.push(folder);
  for (const code of ['eng', 'spa']) {
    const data = dirname(require.resolve(`@tesseract.js-data/${code}/package.json`));
    const file = `${code}.traineddata.gz`;
    symlinkSync(join(data, '4.0.0_best_int', file), join(folder, file));
  }
  return folder;
}

/** createWorker never settles when a language fails to load: give up after 60 s. */
async function startWorker(): Promise<Worker> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('tesseract worker did not start')), 60_000);
  });
  const started = createWorker(['spa', 'eng'], OEM.LSTM_ONLY, {
    langPath: languageFolder(),
    cacheMethod: 'none',
    gzip: true,
    errorHandler: (error: unknown) => workerErrors.push(error),
  });
  try {
    return await Promise.race([started, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function readBack(folder: string, entry: DatasetFile) {
  const bytes = readFileSync(join(folder, entry.file));
  const images = entry.format === 'pdf' ? await rasterisePdf(bytes) : [bytes];
  expect(images).toHaveLength(entry.pages);
  const texts: string[] = [];
  for (const image of images) texts.push((await (worker as Worker).recognize(image)).data.text);
  return characterErrorRate(entry.groundTruth ?? '', texts.join('\n'));
}

describe('generated documents read back by tesseract.js (eng+spa, offline)', () => {
  let folder: string;
  let files: DatasetFile[];

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ocrbench-ocr-'));
    folders.push(folder);
    const small = await generateDataset({
      out: join(folder, 'small'),
      kind: 'mixed',
      count: 4,
      languages: ['eng', 'spa'],
      formats: ['png', 'jpeg', 'tiff'],
      sizes: ['50KB'],
    });
    const large = await generateDataset({
      out: join(folder, 'large'),
      count: 1,
      seed: 7,
      formats: ['png', 'jpeg', 'tiff'],
      sizes: ['5MB'],
    });
    const pdfs = await generateDataset({
      out: join(folder, 'pdf'),
      kind: 'mixed',
      count: 2,
      seed: 3,
      languages: ['eng'],
      formats: ['pdf'],
      sizes: ['50KB'],
      pdfPages: 2,
    });
    files = [
      ...small.files.map((f) => ({ ...f, file: join('small', f.file) })),
      ...large.files.map((f) => ({ ...f, file: join('large', f.file) })),
      ...pdfs.files.map((f) => ({ ...f, file: join('pdf', f.file) })),
    ];
    worker = await startWorker();
  }, 120_000);

  afterAll(async () => {
    await worker?.terminate();
    folders.forEach((path) => rmSync(path, { recursive: true, force: true }));
  });

  it('reads Spanish receipts (50 KB and 5 MB; PDFs of two) with CER under 2%', async () => {
    const receipts = files.filter((f) => f.kind === 'receipt');
    expect(receipts.map((f) => `${f.format} ${f.sizeClass}`).sort()).toEqual([
      'jpeg 50KB',
      'jpeg 50KB',
      'jpeg 5MB',
      'pdf 50KB',
      'png 50KB',
      'png 50KB',
      'png 5MB',
      'tiff 50KB',
      'tiff 50KB',
      'tiff 5MB',
    ]);
    for (const entry of receipts) {
      const result = await readBack(folder, entry);
      expect(result.referenceChars, entry.file).toBeGreaterThan(300);
      expect(result.cer, entry.file).toBeLessThan(0.02);
    }
  }, 120_000);

  it('reads English pages under 1% and Spanish pages under 2%', async () => {
    const pages = files.filter((f) => f.kind === 'page');
    expect(pages.map((f) => `${f.language} ${f.format}`).sort()).toEqual([
      'eng jpeg',
      'eng pdf',
      'eng png',
      'eng tiff',
      'spa jpeg',
      'spa png',
      'spa tiff',
    ]);
    for (const entry of pages) {
      const result = await readBack(folder, entry);
      expect(result.referenceChars, entry.file).toBeGreaterThan(200);
      expect(result.cer, entry.file).toBeLessThan(entry.language === 'eng' ? 0.01 : 0.02);
    }
    expect(workerErrors).toEqual([]);
  }, 120_000);
});
