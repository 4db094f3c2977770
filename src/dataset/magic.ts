import type { DocumentFormat } from './manifest.ts';

/** Bytes a reader needs to recognise every format below. */
export const MAGIC_BYTES = 1024;

/**
 * Recognises a document by its first bytes, never by its name: PNG signature, JPEG SOI
 * followed by a marker, TIFF "II*\0" / "MM\0*" (and BigTIFF 43), `%PDF-` within the first
 * 1024 bytes (the PDF spec allows leading junk there).
 */
export function sniffFormat(head: Buffer): DocumentFormat | null {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.every((byte, i) => head[i] === byte)) return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  const intel = head[0] === 0x49 && head[1] === 0x49 && head[3] === 0;
  const motorola = head[0] === 0x4d && head[1] === 0x4d && head[2] === 0;
  const version = intel ? head[2] : motorola ? head[3] : undefined;
  if (version === 42 || version === 43) return 'tiff';
  if (head.subarray(0, MAGIC_BYTES).includes('%PDF-', 0, 'latin1')) return 'pdf';
  return null;
}
