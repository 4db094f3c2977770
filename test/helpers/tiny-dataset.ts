import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { DatasetManifest } from '../../src/dataset/manifest.ts';

/**
 * A dataset folder with `count` small grey PNGs and a manifest, for runs against fake
 * servers (which never read the pixels). Ground truth matches the fake server's default
 * text, so accuracy is checked too.
 */
export async function tinyDataset(count = 2, groundTruth = 'hello world'): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'ocrbench-tiny-'));
  const manifest: DatasetManifest = {
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    generator: null,
    files: [],
  };
  for (let index = 0; index < count; index++) {
    const bytes = await sharp({
      create: {
        width: 40 + index,
        height: 20,
        channels: 3,
        background: { r: 200, g: 200, b: 200 },
      },
    })
      .png()
      .toBuffer();
    const file = `doc-${index}.png`;
    writeFileSync(join(folder, file), bytes);
    manifest.files.push({
      file,
      format: 'png',
      bytes: bytes.length,
      sizeClass: 'tiny',
      widthPx: 40 + index,
      heightPx: 20,
      pages: 1,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      language: 'eng',
      kind: 'page',
      groundTruth,
    });
  }
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return folder;
}

/** Writes a scenario file into `folder` and returns its path. */
export function writeScenario(folder: string, yaml: string, name = 'scenario.yaml'): string {
  const path = join(folder, name);
  writeFileSync(path, yaml);
  return path;
}
