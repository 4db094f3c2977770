import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';

export type ImageFormat = 'png' | 'jpeg' | 'tiff' | 'pdf';

/** A file of a multipart upload, held in memory up to the size limit. */
export interface ReceivedFile {
  filename: string;
  bytes: Buffer;
}

export type UploadResult =
  | { kind: 'ok'; files: ReceivedFile[] }
  | { kind: 'tooLarge'; filename: string }
  | { kind: 'bad'; message: string };

/** Reads the `files` fields of a multipart request; stops at the first file over the limit. */
export function readUpload(request: IncomingMessage, maxBytes: number): Promise<UploadResult> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { fileSize: maxBytes, files: 1000 } });
    } catch (error) {
      request.resume();
      resolve({ kind: 'bad', message: `not a multipart upload: ${(error as Error).message}` });
      return;
    }
    const files: ReceivedFile[] = [];
    let tooLarge: string | null = null;
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => (tooLarge ??= info.filename ?? 'upload'));
      stream.on('end', () => {
        if (field === 'files' || field === 'file') {
          files.push({ filename: info.filename ?? 'upload', bytes: Buffer.concat(chunks) });
        }
      });
    });
    parser.on('error', (error: Error) => resolve({ kind: 'bad', message: error.message }));
    parser.on('close', () =>
      resolve(tooLarge !== null ? { kind: 'tooLarge', filename: tooLarge } : { kind: 'ok', files }),
    );
    request.pipe(parser);
  });
}

/** The format by magic bytes, never by the name: a `.png` of text is refused. */
export function formatOf(bytes: Buffer): ImageFormat | null {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'jpeg';
  }
  if (bytes.length >= 4) {
    const head = bytes.toString('latin1', 0, 4);
    if (head === 'II*\0' || head === 'MM\0*') return 'tiff';
    if (head === '%PDF') return 'pdf';
  }
  return null;
}

const EXTENSIONS: Record<ImageFormat, string> = {
  png: 'png',
  jpeg: 'jpg',
  tiff: 'tif',
  pdf: 'pdf',
};

export function extensionOf(format: ImageFormat): string {
  return EXTENSIONS[format];
}

/** A display name safe for logs and JSON: no folders, no control characters. */
export function safeDisplayName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? 'upload';
  return base.replace(/[\x00-\x1f]/g, '').slice(0, 200) || 'upload';
}
