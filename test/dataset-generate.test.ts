import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../src/dataset/generate.ts';
import { readManifest, type DatasetManifest } from '../src/dataset/manifest.ts';

const folders: string[] = [];
function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'ocrbench-dataset-'));
  folders.push(folder);
  return folder;
}
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** PNG chunks as [type, data length]; throws on a bad CRC. */
function pngChunks(png: Buffer): Array<[string, number]> {
  const chunks: Array<[string, number]> = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const crc = png.readUInt32BE(at + 8 + length);
    if (crc !== crc32(png.subarray(at + 4, at + 8 + length))) throw new Error(`CRC ${type}`);
    chunks.push([type, length]);
    at += 12 + length;
  }
  return chunks;
}

/** Data lengths of the JPEG COM segments before the first frame header. */
function jpegComments(jpeg: Buffer): number[] {
  const lengths: number[] = [];
  for (let at = 2; jpeg[at] === 0xff && jpeg[at + 1] !== 0xc0;) {
    const length = jpeg.readUInt16BE(at + 2);
    if (jpeg[at + 1] === 0xfe) lengths.push(length - 2);
    at += 2 + length;
  }
  return lengths;
}

/** Checks a PDF's cross-reference table: every offset points at its object. */
function checkPdfStructure(pdf: Buffer): { pages: number; fontEmbedded: boolean } {
  const text = pdf.toString('latin1');
  expect(text.startsWith('%PDF-1.')).toBe(true);
  expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1]);
  expect(text.startsWith('xref', startxref)).toBe(true);
  const table = /xref\s+0 (\d+)\s+([\s\S]*?)trailer/.exec(text.slice(startxref));
  const entries = (table?.[2] ?? '').trim().split(/\s*\n/);
  expect(entries.length).toBe(Number(table?.[1]));
  entries.slice(1).forEach((entry, index) => {
    const offset = Number(entry.slice(0, 10));
    expect(text.startsWith(`${index + 1} 0 obj`, offset)).toBe(true);
  });
  return {
    pages: text.match(/\/Type \/Page\b(?!s)/g)?.length ?? 0,
    fontEmbedded: /\/FontFile2 \d+ 0 R/.test(text) && text.includes('DejaVuSans'),
  };
}

describe('generateDataset: exact sizes in every format', () => {
  let folder: string;
  let manifest: DatasetManifest;

  beforeAll(async () => {
    folder = tempFolder();
    manifest = await generateDataset({
      out: folder,
      kind: 'mixed',
      count: 2,
      formats: ['png', 'jpeg', 'tiff', 'pdf'],
      sizes: '50KB,1.5MB,natural',
      pdfPages: 2,
    });
  }, 120_000);

  it('lists count x formats x sizes files, as readManifest sees them', async () => {
    expect(manifest.files).toHaveLength(2 * 4 * 3);
    expect((await readManifest(folder)).files).toEqual(manifest.files);
    expect(manifest.generator).toMatchObject({ kind: 'mixed', count: 2, dpi: 150, seed: 1 });
    expect(manifest.files.map((f) => f.kind)).toContain('receipt');
    expect(manifest.files.map((f) => f.kind)).toContain('page');
  });

  it('hits each byte target exactly, with the sha256 of the bytes on disk', () => {
    for (const entry of manifest.files) {
      const bytes = readFileSync(join(folder, entry.file));
      expect(bytes.length).toBe(entry.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
      if (entry.sizeClass === '50KB') expect(entry.bytes).toBe(50_000);
      if (entry.sizeClass === '1.5MB') expect(entry.bytes).toBe(1_500_000);
    }
  });

  it('keeps padded images decodable by sharp at their size and 150 dpi', async () => {
    for (const entry of manifest.files.filter((f) => f.format !== 'pdf')) {
      const bytes = readFileSync(join(folder, entry.file));
      const { info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([entry.widthPx, entry.heightPx]);
      expect((await sharp(bytes).metadata()).density).toBe(150);
    }
  });

  it('pads PNGs with valid private chunks of at most 1 MiB before IEND', () => {
    const entry = manifest.files.find((f) => f.format === 'png' && f.sizeClass === '1.5MB');
    const chunks = pngChunks(readFileSync(join(folder, entry?.file ?? '')));
    const padding = chunks.filter(([type]) => type === 'ocPd');
    expect(padding.length).toBe(2);
    expect(padding.every(([, length]) => length <= 1024 * 1024)).toBe(true);
    expect(chunks.at(-1)).toEqual(['IEND', 0]);
  });

  it('pads JPEGs with comment segments of at most 65,533 bytes', () => {
    const entry = manifest.files.find((f) => f.format === 'jpeg' && f.sizeClass === '1.5MB');
    const comments = jpegComments(readFileSync(join(folder, entry?.file ?? '')));
    expect(comments.length).toBeGreaterThanOrEqual(Math.ceil(1_400_000 / 65_537));
    expect(Math.max(...comments)).toBeLessThanOrEqual(65_533);
  });

  it('writes PDFs with a consistent xref, embedded DejaVu and two pages', () => {
    for (const entry of manifest.files.filter((f) => f.format === 'pdf')) {
      const structure = checkPdfStructure(readFileSync(join(folder, entry.file)));
      expect(structure).toEqual({ pages: entry.pages, fontEmbedded: true });
      if (entry.sizeClass !== '50KB') expect(entry.pages).toBe(2);
      expect(entry.groundTruth?.split('\n').length).toBeGreaterThan(entry.pages * 8);
    }
  });

  it('shows fewer lines when a page must shrink to fit, and says so in the truth', () => {
    const full = manifest.files.find((f) => f.file === 'page-002-spa-natural.jpg');
    const partial = manifest.files.find((f) => f.file === 'page-002-spa-50KB.jpg');
    expect(partial?.heightPx).toBeLessThan(full?.heightPx ?? 0);
    expect(full?.groundTruth?.startsWith(partial?.groundTruth ?? 'x')).toBe(true);
    expect(partial?.rendering).toMatch(/^quality \d+, first \d+ of 35 lines$/);
    expect(full?.rendering).toBe('quality 85');
    const png = manifest.files.find((f) => f.file === 'page-002-spa-50KB.png');
    expect(png?.rendering).toBe('two colours');
  });
});

describe('generateDataset: determinism and errors', () => {
  const options = { count: 2, formats: ['png', 'jpeg', 'tiff', 'pdf'], sizes: ['50KB'] };

  it('gives byte-identical files for the same seed, different ones for another', async () => {
    const first = await generateDataset({ ...options, out: tempFolder() } as never);
    const second = await generateDataset({ ...options, out: tempFolder() } as never);
    const other = await generateDataset({ ...options, out: tempFolder(), seed: 2 } as never);
    const hashes = (m: DatasetManifest) => m.files.map((f) => `${f.file} ${f.sha256}`);
    expect(hashes(second)).toEqual(hashes(first));
    expect(second.files.map((f) => f.groundTruth)).toEqual(first.files.map((f) => f.groundTruth));
    expect(other.files.map((f) => f.sha256)).not.toContain(first.files[0]?.sha256);
  }, 60_000);

  it("regenerated into the same folder, leaves only the new manifest's files", async () => {
    const out = tempFolder();
    writeFileSync(join(out, 'mine.txt'), 'a file of the user');
    const before = await generateDataset({ out, count: 2, formats: 'png', sizes: '50KB' });
    const after = await generateDataset({ out, count: 1, formats: 'png', sizes: '50KB' });
    expect(before.files).toHaveLength(2);
    expect(readdirSync(out).sort()).toEqual(
      [...after.files.map((f) => f.file), 'manifest.json', 'mine.txt'].sort(),
    );
  }, 60_000);

  it('names the size class and format when a target is too small', async () => {
    const attempt = generateDataset({ out: tempFolder(), count: 1, formats: 'pdf', sizes: '2KB' });
    await expect(attempt).rejects.toMatchObject({ code: 'E_DATASET' });
    await expect(attempt).rejects.toThrow(/size class 2KB \(2000 bytes\) is too small for pdf/);
  });

  it('refuses unknown options and bad values with the option named', async () => {
    const out = tempFolder();
    await expect(generateDataset({ out, colour: 'red' } as never)).rejects.toThrow(
      /unknown dataset option "colour"/,
    );
    await expect(generateDataset({ out, formats: 'gif' })).rejects.toThrow(/formats: "gif"/);
    await expect(generateDataset({ out, sizes: '5 parsecs' })).rejects.toThrow(/sizes:/);
    await expect(generateDataset({ out, dpi: 0 })).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
