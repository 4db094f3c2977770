import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { GlobalFonts, createCanvas } from '@napi-rs/canvas';
import sharp from 'sharp';
import { request } from 'undici';

const require = createRequire(import.meta.url);
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
GlobalFonts.registerFromPath(FONT, 'DejaVu Sans Target');

/**
 * A 400x100 PNG (150 dpi, grey) showing `word` in black on white: about 60 ms of OCR.
 * `height` scales the image for tests that need a slower job.
 */
export async function wordPng(word: string, width = 400, height = 100): Promise<Buffer> {
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#000000';
  context.font = '48px "DejaVu Sans Target"';
  context.fillText(word, 20, 68);
  return sharp(canvas.toBuffer('image/png')).greyscale().withDensity(150).png().toBuffer();
}

/** A 1200 px wide PNG (150 dpi) with one line of text per entry: OCR of 0.1-0.3 s. */
export async function paragraphPng(lines: string[]): Promise<Buffer> {
  const canvas = createCanvas(1200, 40 + 60 * lines.length);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#000000';
  context.font = '36px "DejaVu Sans Target"';
  lines.forEach((line, i) => context.fillText(line, 20, 70 + 60 * i));
  return sharp(canvas.toBuffer('image/png')).greyscale().withDensity(150).png().toBuffer();
}

export interface UploadFile {
  filename: string;
  bytes: Buffer;
  type?: string;
}

/** A multipart body with Content-Length (not chunked), files in field `files`. */
export function multipartBody(files: UploadFile[]): { body: Buffer; contentType: string } {
  const boundary = `----target${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; ` +
          `filename="${file.filename}"\r\nContent-Type: ${file.type ?? 'image/png'}\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** POSTs files; returns status, headers and the JSON answer. */
export async function upload(
  url: string,
  files: UploadFile[],
  path = '/api/ocr/process_image',
): Promise<{ status: number; headers: Record<string, unknown>; json: any }> {
  const { body, contentType } = multipartBody(files);
  const response = await request(`${url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType, 'content-length': String(body.length) },
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    json: await response.body.json(),
  };
}

/** GETs a path; JSON unless the answer is text. */
export async function get(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; json: any; text: string }> {
  const response = await request(`${url}${path}`, { headers });
  const text = await response.body.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.statusCode, headers: response.headers, json, text };
}

/** Polls a job's result until it is no longer 404 (bounded: 2000 polls, 25 ms apart). */
export async function waitResult(url: string, id: string): Promise<any> {
  for (let poll = 0; poll < 2000; poll++) {
    const answer = await get(url, `/api/ocr/result/${id}`);
    if (answer.status !== 404) return answer.json;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`job ${id} did not finish after 2000 polls`);
}

/** Uploads one file and waits for its result. */
export async function ocrOne(url: string, file: UploadFile): Promise<any> {
  const answer = await upload(url, [file]);
  if (answer.status !== 202) throw new Error(`upload answered ${answer.status}`);
  return waitResult(url, answer.json.request_ids[0]);
}
