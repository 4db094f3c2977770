import { crc32 } from 'node:zlib';
import { paddingBytes } from './prng.ts';

/**
 * Padding that brings an image file to an exact byte size without touching its pixels.
 * Each function returns null when `extra` bytes cannot be added exactly (too few for one
 * padding segment); the caller then tries another encoding.
 */

/** PNG private ancillary chunk "ocPd": ancillary, private, reserved bit clear, safe to copy. */
const PNG_CHUNK_TYPE = Buffer.from('ocPd', 'latin1');
/** Data bytes per PNG chunk: tesseract.js's PNG decoder rejects a single 20 MB chunk. */
export const PNG_CHUNK_MAX_DATA = 1024 * 1024;
/** Length, type and CRC fields of a PNG chunk, bytes. */
const PNG_CHUNK_OVERHEAD = 12;
/** JPEG COM segment: 2-byte length field counts itself, so at most 65,533 data bytes. */
export const JPEG_COM_MAX_DATA = 65_533;
/** Marker (FF FE) and length field of a JPEG COM segment, bytes. */
const JPEG_COM_OVERHEAD = 4;

/** Splits `extra` bytes into segments of `overhead` + at most `maxData` bytes, evenly. */
export function splitPadding(extra: number, overhead: number, maxData: number): number[] | null {
  if (extra === 0) return [];
  const segments = Math.ceil(extra / (overhead + maxData));
  const data = extra - segments * overhead;
  if (data < 0) return null;
  const base = Math.floor(data / segments);
  const remainder = data % segments;
  return Array.from({ length: segments }, (_, i) => base + (i < remainder ? 1 : 0));
}

/** Inserts private chunks before IEND (the last 12 bytes of a PNG). */
export function padPng(png: Buffer, target: number, seed: number): Buffer | null {
  const sizes = splitPadding(target - png.length, PNG_CHUNK_OVERHEAD, PNG_CHUNK_MAX_DATA);
  if (sizes === null) return null;
  const iendAt = png.length - 12;
  if (png.toString('latin1', iendAt + 4, iendAt + 8) !== 'IEND') {
    throw new Error('PNG does not end with IEND');
  }
  const chunks = sizes.map((size, i) => {
    const chunk = Buffer.alloc(size + PNG_CHUNK_OVERHEAD);
    chunk.writeUInt32BE(size, 0);
    PNG_CHUNK_TYPE.copy(chunk, 4);
    paddingBytes(size, seed + i).copy(chunk, 8);
    chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + size)), 8 + size);
    return chunk;
  });
  return Buffer.concat([png.subarray(0, iendAt), ...chunks, png.subarray(iendAt)]);
}

/**
 * Inserts COM segments after the JFIF APP0 segment (or right after SOI when there is none):
 * JFIF asks for APP0 first, and every decoder skips comments.
 */
export function padJpeg(jpeg: Buffer, target: number, seed: number): Buffer | null {
  const sizes = splitPadding(target - jpeg.length, JPEG_COM_OVERHEAD, JPEG_COM_MAX_DATA);
  if (sizes === null) return null;
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('JPEG does not start with SOI');
  let insertAt = 2;
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0) insertAt = 4 + jpeg.readUInt16BE(4);
  const segments = sizes.map((size, i) => {
    const segment = Buffer.alloc(size + JPEG_COM_OVERHEAD);
    segment[0] = 0xff;
    segment[1] = 0xfe;
    segment.writeUInt16BE(size + 2, 2);
    paddingBytes(size, seed + i).copy(segment, 4);
    return segment;
  });
  return Buffer.concat([jpeg.subarray(0, insertAt), ...segments, jpeg.subarray(insertAt)]);
}

/**
 * Appends unreferenced bytes after the last TIFF structure. TIFF locates everything by
 * absolute offsets from the header, so bytes no offset points to are never read: libtiff,
 * libvips and leptonica ignore them.
 */
export function padTiff(tiff: Buffer, target: number, seed: number): Buffer | null {
  const extra = target - tiff.length;
  if (extra < 0) return null;
  return extra === 0 ? tiff : Buffer.concat([tiff, paddingBytes(extra, seed)]);
}
