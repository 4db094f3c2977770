/** Recognised text and the engine's mean confidence, 0-100. */
export interface Recognised {
  text: string;
  confidence: number;
}

/** What a worker needs from an OCR engine. */
export interface OcrEngine {
  readonly name: string;
  /** Recognises one image (PNG, JPEG or TIFF bytes). */
  recognise(image: Buffer): Promise<Recognised>;
  close(): Promise<void>;
}

/** What withTimeout rejects with: the awaited work may still be running. */
export class TimeoutError extends Error {}

/** Rejects when `promise` does not settle in `ms`, naming what was awaited. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TimeoutError(`${what} did not finish within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
