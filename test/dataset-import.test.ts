import { execFile } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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
import { decodeSidecar, firstInvalidUtf8 } from '../src/dataset/sidecar.ts';

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

  it('refuses a --language that is not tesseract codes, naming the flag', async () => {
    for (const language of ['', 'klingon', 'spa eng', 'SPA']) {
      const attempt = importDataset(tempFolder(), { language });
      await expect(attempt, language).rejects.toThrow(/^--language .*: expected tesseract/);
    }
    await expect(importDataset(tempFolder(), { language: 'chi_sim+eng' })).rejects.toThrow(
      /no PNG/,
    );
  });

  function pngOf(sizeClass = 'natural'): string {
    const png = generated.files.find((f) => f.format === 'png' && f.sizeClass === sizeClass);
    return join(source, png?.file ?? '');
  }

  /**
   * A folder with every kind of symbolic link, and a folder outside it that links lead to:
   *   in/plain.png                      a plain file, with plain.txt
   *   in/inside.png -> plain.png        a link to a file inside
   *   in/away.png -> ../out/far.png     a link to a file outside (far.txt next to it)
   *   in/far-folder -> ../out           a link to a folder outside
   *   in/broken.png -> missing.png      a broken link
   *   in/loop-a.png <-> in/loop-b.png   a link loop (ELOOP)
   *   in/sub/up -> ..                   a link to a folder that holds it
   */
  function linkedFolders(): { folder: string; outside: string } {
    const base = tempFolder();
    const folder = join(base, 'in');
    const outside = join(base, 'out');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    mkdirSync(outside);
    copyFileSync(pngOf(), join(folder, 'plain.png'));
    writeFileSync(join(folder, 'plain.txt'), 'texto simple\n');
    copyFileSync(pngOf(), join(outside, 'far.png'));
    writeFileSync(join(outside, 'far.txt'), 'texto lejano\n');
    symlinkSync('plain.png', join(folder, 'inside.png'));
    symlinkSync('../out/far.png', join(folder, 'away.png'));
    symlinkSync('../out', join(folder, 'far-folder'));
    symlinkSync('missing.png', join(folder, 'broken.png'));
    symlinkSync('loop-b.png', join(folder, 'loop-a.png'));
    symlinkSync('loop-a.png', join(folder, 'loop-b.png'));
    symlinkSync('..', join(folder, 'sub', 'up'));
    return { folder, outside };
  }

  it('follows symbolic links inside and outside the folder, and says so per file', async () => {
    const { folder, outside } = linkedFolders();
    const { manifest } = await importDataset(folder);
    const rows = manifest.files.map((f) => [f.file, f.link ?? null, f.groundTruth]);
    expect(rows).toEqual([
      ['away.png', { target: join(outside, 'far.png'), outside: true }, 'texto lejano'],
      ['far-folder/far.png', { target: join(outside, 'far.png'), outside: true }, 'texto lejano'],
      // No inside.txt: a link without its own sidecar takes its target's.
      ['inside.png', { target: 'plain.png', outside: false }, 'texto simple'],
      ['plain.png', null, 'texto simple'],
    ]);
    const original = generated.files.find((f) => f.format === 'png' && f.sizeClass === 'natural');
    expect(new Set(manifest.files.map((f) => f.sha256))).toEqual(new Set([original?.sha256]));
    const written = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    expect(written.files[0].link).toEqual({ target: join(outside, 'far.png'), outside: true });
  });

  it('lists broken links and link loops as skipped, with the reason, and goes on', async () => {
    const { folder } = linkedFolders();
    const { skipped } = await importDataset(folder);
    expect(skipped).toEqual([
      { file: 'broken.png', reason: expect.stringMatching(/^broken symbolic link: .*missing/) },
      { file: 'loop-a.png', reason: expect.stringMatching(/^symbolic link loop: .*ELOOP/) },
      { file: 'loop-b.png', reason: expect.stringMatching(/^symbolic link loop: .*ELOOP/) },
      {
        file: join('sub', 'up'),
        reason: expect.stringMatching(/^symbolic link loop: it leads to the imported folder/),
      },
    ]);
  });

  it('treats a link to a folder above the imported one as a loop, not a disk walk', async () => {
    const folder = join(tempFolder(), 'docs');
    mkdirSync(folder);
    copyFileSync(pngOf(), join(folder, 'a.png'));
    symlinkSync('../..', join(folder, 'grandparent'));
    const { manifest, skipped } = await importDataset(folder);
    expect(manifest.files.map((f) => f.file)).toEqual(['a.png']);
    expect(skipped).toEqual([
      { file: 'grandparent', reason: expect.stringMatching(/^symbolic link loop: .*holds/) },
    ]);
  });

  it('reports links, broken links and loops from the CLI without crashing', async () => {
    const { folder } = linkedFolders();
    const { stdout, stderr } = await run('node', ['bin/ocrbench.js', 'dataset', 'import', folder]);
    expect(stdout).toContain('4 documents, 4 with ground truth, 3 through symbolic links');
    expect(stdout).toContain('(2 outside the folder), 4 skipped');
    expect(stderr).toContain('skipped broken.png: broken symbolic link');
    expect(stderr).toContain('skipped loop-a.png: symbolic link loop');
    expect(stderr).toMatch(/linked away\.png -> \S+far\.png \(outside the folder\)/);
    expect(stderr).toContain('linked inside.png -> plain.png\n');
  }, 30_000);

  it('imports a document whose sidecar is not UTF-8, warning with the sidecar name', async () => {
    const folder = tempFolder();
    copyFileSync(pngOf(), join(folder, 'recibo.png'));
    copyFileSync(pngOf(), join(folder, 'good.png'));
    // "Año: 12,50 €" saved by a Windows editor: Windows-1252, not UTF-8.
    writeFileSync(join(folder, 'recibo.txt'), Buffer.from('A\xf1o: 12,50 \x80\r\n', 'latin1'));
    writeFileSync(join(folder, 'good.txt'), 'Año: 12,50 €\n');
    const { manifest, warnings } = await importDataset(folder);
    const [good, receipt] = manifest.files;
    expect(receipt).toMatchObject({
      file: 'recibo.png',
      groundTruth: 'Año: 12,50 €',
      groundTruthEncoding: 'windows-1252',
    });
    expect(good?.groundTruth).toBe('Año: 12,50 €');
    expect(good).not.toHaveProperty('groundTruthEncoding');
    expect(warnings).toEqual([
      {
        file: 'recibo.txt',
        message: expect.stringMatching(
          new RegExp(
            String.raw`^not valid UTF-8 \(byte 0xF1 at offset 1, line 1\): read as ` +
              String.raw`Windows-1252 .*"Año: 12,50 €".*ground truth of recibo\.png$`,
          ),
        ),
      },
    ]);
    const { stdout, stderr } = await run('node', ['bin/ocrbench.js', 'dataset', 'import', folder]);
    expect(stdout).toContain('2 documents, 2 with ground truth, 0 skipped, 1 warning (stderr)');
    expect(stderr).toMatch(/^ocrbench: warning: recibo\.txt: not valid UTF-8/m);
  }, 30_000);

  it('reads UTF-16 sidecars with a warning; an unreadable sidecar gives no truth', async () => {
    const folder = tempFolder();
    copyFileSync(pngOf(), join(folder, 'wide.png'));
    copyFileSync(pngOf(), join(folder, 'odd.png'));
    mkdirSync(join(folder, 'odd.png.txt')); // a folder where the sidecar should be
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('señal\r\n', 'utf16le')]);
    writeFileSync(join(folder, 'wide.txt'), utf16);
    const { manifest, warnings } = await importDataset(folder);
    expect(manifest.files.map((f) => [f.file, f.groundTruth, f.groundTruthEncoding])).toEqual([
      ['odd.png', null, undefined],
      ['wide.png', 'señal', 'utf-16le'],
    ]);
    expect(warnings).toEqual([
      {
        file: 'odd.png.txt',
        message: 'cannot be read (EISDIR): odd.png imported without ground truth',
      },
      {
        file: 'wide.txt',
        message: expect.stringMatching(/^not UTF-8: read as UTF-16LE \(by its byte order mark/),
      },
    ]);
  });
});

describe('decodeSidecar', () => {
  it('keeps valid UTF-8 as it is, without a warning, BOM and final newlines removed', () => {
    expect(decodeSidecar(Buffer.from('\uFEFFniño\r\n\n'))).toEqual({
      text: 'niño',
      encoding: 'utf-8',
      warning: null,
    });
  });

  it('reads the Windows-1252 range 0x80-0x9F as its printable characters', () => {
    const decoded = decodeSidecar(Buffer.from([0x93, 0x68, 0x69, 0x94, 0x20, 0x96, 0x20, 0x80]));
    expect(decoded.text).toBe('\u201chi\u201d \u2013 \u20ac');
    expect(decoded.encoding).toBe('windows-1252');
  });

  it('names the line of the first invalid byte', () => {
    const decoded = decodeSidecar(Buffer.from('uno\ndos\ntr\xe9s\n', 'latin1'));
    expect(decoded.warning).toMatch(/byte 0xE9 at offset 10, line 3/);
    expect(decoded.text).toBe('uno\ndos\ntrés');
  });

  it('finds the first byte outside a valid UTF-8 sequence', () => {
    const valid = Buffer.from('a ñ € 𝄞');
    expect(firstInvalidUtf8(valid)).toBe(valid.length);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc3]))).toBe(1); // cut short
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // a surrogate
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0x80]))).toBe(2); // a lone continuation
  });

  it('recognises UTF-16 without a byte order mark by its zero bytes', () => {
    const decoded = decodeSidecar(Buffer.from('hola mundo', 'utf16le'));
    expect(decoded).toMatchObject({ text: 'hola mundo', encoding: 'utf-16le' });
    expect(decoded.warning).toMatch(/without a byte order mark/);
  });
});
