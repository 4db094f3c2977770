import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * An upload body as a list of byte slices. The file's bytes are loaded once and shared by
 * every request: slices are views (`subarray`), never copies, so a run uploading gigabytes
 * keeps flat memory. The total length is known, so requests carry `Content-Length`
 * (some servers answer 411 to chunked uploads).
 */
export interface UploadBody {
  parts: Uint8Array[];
  bytes: number;
}

export function bodyOf(parts: Uint8Array[]): UploadBody {
  let bytes = 0;
  for (const part of parts) bytes += part.byteLength;
  return { parts, bytes };
}

const PNG_SIGNATURE_AND_IHDR = 8 + 25; // signature 8 bytes + IHDR chunk (4+4+13+4)

/**
 * Makes the upload's bytes unique without changing its pixels, so a service that caches
 * results by content hash cannot answer from cache. PNG: a private ancillary chunk after
 * IHDR. JPEG: a comment segment after the start marker. PDF: a comment after the end.
 * Returns null for formats where no safe insertion is known (TIFF).
 */
export function withUniqueBytes(file: Uint8Array, format: string): UploadBody | null {
  const nonce = randomBytes(16).toString('hex');
  if (format === 'png') {
    const chunk = pngChunk('ocRb', Buffer.from(nonce, 'latin1'));
    const head = file.subarray(0, PNG_SIGNATURE_AND_IHDR);
    return bodyOf([head, chunk, file.subarray(PNG_SIGNATURE_AND_IHDR)]);
  }
  if (format === 'jpeg') {
    const text = Buffer.from(`ocrbench ${nonce}`, 'latin1');
    const segment = Buffer.alloc(4 + text.length);
    segment[0] = 0xff;
    segment[1] = 0xfe; // COM marker
    segment.writeUInt16BE(text.length + 2, 2);
    text.copy(segment, 4);
    return bodyOf([file.subarray(0, 2), segment, file.subarray(2)]);
  }
  if (format === 'pdf') {
    return bodyOf([file, Buffer.from(`\n%ocrbench ${nonce}\n`, 'latin1')]);
  }
  return null;
}

/** A PNG chunk: length, type, data, CRC-32 over type and data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  Buffer.from(data).copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// Unique per request and unguessable enough: a random prefix per process plus a counter
// (a random boundary per request cost 2% of the generator's CPU in bench/).
const BOUNDARY_PREFIX = randomBytes(9).toString('hex');
let boundaryCounter = 0;

/** One file of a multipart form. */
export interface MultipartFile {
  field: string;
  name: string;
  contentType: string;
  body: UploadBody;
}

/**
 * Builds a multipart/form-data body around the files' slices. Only the small headers are
 * new bytes; the returned `contentType` carries the boundary (setting the header by hand
 * without it is a classic bug).
 */
export function multipart(
  files: MultipartFile[],
  fields: Record<string, string> = {},
): { body: UploadBody; contentType: string } {
  const boundary = `----ocrbench${BOUNDARY_PREFIX}${(boundaryCounter++).toString(36)}`;
  const parts: Uint8Array[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n` +
          `${value}\r\n`,
      ),
    );
  }
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.field)}"; ` +
          `filename="${quote(file.name)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
      ),
    );
    parts.push(...file.body.parts);
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: bodyOf(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function quote(value: string): string {
  return value.replace(/["\r\n\\]/g, '_');
}

/** Bodies up to this size are joined into one buffer: cheaper than a stream, bytes. */
const JOIN_BELOW_BYTES = 64 * 1024;

/**
 * The request body: large bodies stream their slices without joining or copying them;
 * small ones are joined, since one write is cheaper than a stream for a few KiB.
 */
export function bodyChunks(body: UploadBody): Readable | Buffer {
  if (body.bytes <= JOIN_BELOW_BYTES) return Buffer.concat(body.parts, body.bytes);
  return Readable.from(body.parts, { objectMode: false });
}
