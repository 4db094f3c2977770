import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import PDFDocument from 'pdfkit';
import { startTarget } from '../src/target/index.ts';
import { parseTsv } from '../src/target/engine-cli.ts';
import { get, ocrOne, wordPng } from './target-kit.ts';

type Target = Awaited<ReturnType<typeof startTarget>>;
let target: Target | null = null;

afterEach(async () => {
  await target?.close();
  target = null;
});

/** A one-page PDF (288 x 72 pt) showing `word` in DejaVu Sans, embedded. */
function wordPdf(word: string): Promise<Buffer> {
  const font = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
  const doc = new PDFDocument({ size: [288, 72], margin: 0 });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) =>
    doc.on('end', () => resolve(Buffer.concat(chunks))),
  );
  doc.font(font).fontSize(28).text(word, 12, 20, { lineBreak: false });
  doc.end();
  return done;
}

/** The Debian command is a system package: CI installs it (.ci/run), a laptop may not. */
const tesseractMissing = spawnSync('tesseract', ['--version']).error
  ? 'the tesseract command is not installed (apt-get install tesseract-ocr ' +
    'tesseract-ocr-eng tesseract-ocr-spa)'
  : null;
if (tesseractMissing) console.warn(`skipping the tesseract-cli engine test: ${tesseractMissing}`);

describe('built-in target: engines', () => {
  it('reads PDFs by rasterising their pages (tesseract.js)', async () => {
    target = await startTarget({ port: 0, workers: 1, languages: 'eng' });
    const result = await ocrOne(target.url, {
      filename: 'word.pdf',
      bytes: await wordPdf('Invoice'),
      type: 'application/pdf',
    });
    expect(result.status).toBe('completed');
    expect(result.text.trim()).toBe('Invoice');
    const broken = await ocrOne(target.url, {
      filename: 'broken.pdf',
      bytes: Buffer.from('%PDF-1.4 nothing else'),
    });
    expect(broken.status).toBe('error');
    expect(broken.error).toMatch(/PDF could not be rasterised/);
  });

  it.skipIf(tesseractMissing)('runs the Debian tesseract command (spa+eng)', async () => {
    // Needs `apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa` (.ci/run).
    target = await startTarget({
      port: 0,
      workers: 2,
      engine: 'tesseract-cli',
      threadsPerWorker: 1,
    });
    const result = await ocrOne(target.url, { filename: 'a.png', bytes: await wordPng('Hola') });
    expect(result.error).toBeNull();
    expect(result.text.trim()).toBe('Hola');
    expect(result.confidence).toBeGreaterThan(50);
    expect(result.confidence).toBeLessThanOrEqual(100);
    const metrics = (await get(target.url, '/api/metrics')).json;
    expect(metrics).toMatchObject({ engine: 'tesseract-cli', workers: 2, threads_per_worker: 1 });
    const corrupt = await ocrOne(target.url, {
      filename: 'bad.png',
      bytes: Buffer.from('\x89PNG\r\n\x1a\ngarbage', 'latin1'),
    });
    expect(corrupt.status).toBe('error');
    expect(corrupt.error).toMatch(/^tesseract exited/);
  });

  it('fails a page the engine hangs on, and the worker goes on with a new engine', async () => {
    // A stand-in `tesseract` first on PATH: hangs on images holding HANG, else reads "ok".
    const bin = mkdtempSync(join(tmpdir(), 'ocrbench-hanging-tesseract-'));
    const script = join(bin, 'tesseract');
    writeFileSync(
      script,
      '#!/bin/sh\nif grep -aq HANG; then exec sleep 60; fi\n' +
        'printf "level\\n5\\t1\\t1\\t1\\t1\\t1\\t0\\t0\\t1\\t1\\t90\\tok\\n"\n',
    );
    chmodSync(script, 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      target = await startTarget({
        port: 0,
        workers: 1,
        engine: 'tesseract-cli',
        pageTimeoutMs: 300,
      });
      const png = await wordPng('ok');
      const hanging = Buffer.concat([png.subarray(0, 8), Buffer.from('HANG')]);
      const hung = await ocrOne(target.url, { filename: 'hang.png', bytes: hanging });
      expect(hung.status).toBe('error');
      expect(hung.error).toBe('reading a page did not finish within 300 ms');
      const next = await ocrOne(target.url, { filename: 'ok.png', bytes: png });
      expect(next).toMatchObject({ status: 'completed', text: 'ok\n', confidence: 90 });
      const metrics = (await get(target.url, '/api/metrics')).json;
      expect(metrics.fault_state.engines_replaced).toBe(1);
      expect(metrics.fault_state.model_loads).toBe(2);
    } finally {
      process.env.PATH = path;
    }
  });

  it('turns tesseract TSV into lines, paragraphs and a mean confidence', () => {
    const row = (par: number, line: number, word: number, conf: number, text: string) =>
      `5\t1\t1\t${par}\t${line}\t${word}\t0\t0\t1\t1\t${conf}\t${text}`;
    const tsv = [
      'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\t' +
        'left\ttop\twidth\theight\tconf\ttext',
      '1\t1\t0\t0\t0\t0\t0\t0\t400\t100\t-1\t',
      row(1, 1, 1, 90, 'Hola'),
      row(1, 1, 2, 80, 'mundo'),
      row(1, 2, 1, 70, 'otra'),
      row(1, 2, 2, -1, ' '),
      row(2, 1, 1, 60, 'fin'),
    ].join('\n');
    expect(parseTsv(tsv)).toEqual({ text: 'Hola mundo\notra\n\nfin\n', confidence: 75 });
    expect(parseTsv('level\n')).toEqual({ text: '', confidence: 0 });
  });
});
