import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../src/dataset/generate.ts';
import { importDataset } from '../src/dataset/import.ts';
import { sniffFormat } from '../src/dataset/magic.ts';
import type { DatasetManifest } from '../src/dataset/manifest.ts';
import { importedSizeClass, parseSizeClass } from '../src/dataset/sizes.ts';
import { splitPadding } from '../src/dataset/pad-image.ts';

const run = promisify(execFile);
const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'ocrbench-import-'));
  folders.push(folder);
  return folder;
}

describe('size classes and padding arithmetic', () => {
  it('parses decimal and binary units', () => {
    expect(parseSizeClass('50KB')).toEqual({ name: '50KB', bytes: 50_000 });
    expect(parseSizeClass('1.5MB')).toEqual({ name: '1.5MB', bytes: 1_500_000 });
    expect(parseSizeClass('20MiB')).toEqual({ name: '20MiB', bytes: 20 * 1024 * 1024 });
    expect(parseSizeClass('natural')).toEqual({ name: 'natural', bytes: null });
    expect(() => parseSizeClass('big')).toThrow(/"big" is not a size class/);
  });

  it('buckets imported files by bytes', () => {
    expect([99_999, 100_000, 999_999, 1_000_000, 10_000_000].map(importedSizeClass)).toEqual([
      'small',
      'medium',
      'medium',
      'large',
      'huge',
    ]);
  });

  it('splits padding evenly into segments that each fit their format', () => {
    expect(splitPadding(0, 12, 100)).toEqual([]);
    expect(splitPadding(11, 12, 100)).toBeNull();
    expect(splitPadding(12, 12, 100)).toEqual([0]);
    expect(splitPadding(224, 12, 100)).toEqual([100, 100]);
    expect(splitPadding(250, 12, 100)).toEqual([72, 71, 71]);
    expect(splitPadding(226, 12, 100)).toEqual([64, 63, 63]);
  });
});

describe('sniffFormat', () => {
  it('recognises documents by their first bytes, not their names', () => {
    expect(sniffFormat(Buffer.from('89504e470d0a1a0a0000', 'hex'))).toBe('png');
    expect(sniffFormat(Buffer.from('ffd8ffe000104a464946', 'hex'))).toBe('jpeg');
    expect(sniffFormat(Buffer.from('49492a0008000000', 'hex'))).toBe('tiff');
    expect(sniffFormat(Buffer.from('4d4d002a00000008', 'hex'))).toBe('tiff');
    expect(sniffFormat(Buffer.from('\n%PDF-1.7\n', 'latin1'))).toBe('pdf');
    expect(sniffFormat(Buffer.from('hello, world', 'latin1'))).toBeNull();
  });
});

describe('importDataset', () => {
  let source: string;
  let generated: DatasetManifest;

  beforeAll(async () => {
    source = tempFolder();
    generated = await generateDataset({
      out: source,
      count: 1,
      formats: ['png', 'jpeg', 'tiff', 'pdf'],
      sizes: ['natural', '150KB'],
    });
  }, 60_000);

  function userFolder(): string {
    const folder = tempFolder();
    mkdirSync(join(folder, 'scans'));
    const png = generated.files.find((f) => f.format === 'png' && f.sizeClass === 'natural');
    const tiff = generated.files.find((f) => f.format === 'tiff' && f.sizeClass === '150KB');
    const pdf = generated.files.find((f) => f.format === 'pdf' && f.sizeClass === 'natural');
    // Names that lie about the format: import must go by the bytes.
    copyFileSync(join(source, png?.file ?? ''), join(folder, 'recibo.bin'));
    writeFileSync(join(folder, 'recibo.txt'), `\uFEFF${png?.groundTruth}\r\n`);
    copyFileSync(join(source, tiff?.file ?? ''), join(folder, 'scans', 'page.tif'));
    copyFileSync(join(source, pdf?.file ?? ''), join(folder, 'scans', 'doc.pdf'));
    writeFileSync(join(folder, 'scans', 'doc.pdf.txt'), 'texto\nde prueba\n');
    writeFileSync(join(folder, 'notes.md'), '# not a document\n');
    writeFileSync(join(folder, 'broken.png'), Buffer.from('89504e470d0a1a0a00000000', 'hex'));
    writeFileSync(join(folder, '.hidden.png'), 'ignored');
    return folder;
  }

  it('lists documents by magic bytes with sidecar ground truth, and skips the rest', async () => {
    const folder = userFolder();
    const { manifest, skipped } = await importDataset(folder);
    const png = generated.files.find((f) => f.format === 'png' && f.sizeClass === 'natural');
    expect(manifest.generator).toBeNull();
    expect(manifest.files.map((f) => [f.file, f.format, f.sizeClass, f.kind])).toEqual([
      ['recibo.bin', 'png', 'small', 'imported'],
      ['scans/doc.pdf', 'pdf', 'small', 'imported'],
      ['scans/page.tif', 'tiff', 'medium', 'imported'],
    ]);
    const [receipt, pdf, tiff] = manifest.files;
    expect(receipt).toMatchObject({
      bytes: png?.bytes,
      sha256: png?.sha256,
      widthPx: png?.widthPx,
      heightPx: png?.heightPx,
      pages: 1,
      language: 'spa+eng',
      groundTruth: png?.groundTruth,
    });
    expect(pdf).toMatchObject({ pages: 1, widthPx: 690, groundTruth: 'texto\nde prueba' });
    expect(tiff?.groundTruth).toBeNull();
    expect(skipped.map((s) => s.file)).toEqual(['broken.png', 'notes.md']);
    const written = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    expect(written.files).toEqual(manifest.files);
  });

  it('puts every file in one class with sizeClasses natural', async () => {
    const { manifest } = await importDataset(userFolder(), { sizeClasses: 'natural' });
    expect(new Set(manifest.files.map((f) => f.sizeClass))).toEqual(new Set(['natural']));
  });

  it('will not replace a generated manifest without --force', async () => {
    await expect(importDataset(source)).rejects.toThrow(/written by `dataset generate`/);
  });

  it('runs from the CLI, reporting files without truth and skipped ones', async () => {
    const folder = userFolder();
    const { stdout, stderr } = await run('node', ['bin/ocrbench.js', 'dataset', 'import', folder]);
    expect(stdout).toContain('3 documents, 2 with ground truth, 1 without');
    expect(stdout).toContain('2 skipped');
    expect(stderr).toContain('skipped notes.md: not a PNG, JPEG, TIFF or PDF');
  }, 30_000);

  it('fails from the CLI with code 2 and one line when a folder holds no documents', async () => {
    const folder = tempFolder();
    writeFileSync(join(folder, 'a.txt'), 'solo texto');
    const failure = await run('node', ['bin/ocrbench.js', 'dataset', 'import', folder]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(/^ocrbench: E_DATASET: .*no PNG/);
  }, 30_000);
});
