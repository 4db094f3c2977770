import { createRequire } from 'node:module';
import { mkdirSync, existsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createWorker, type Worker } from 'tesseract.js';
import { withTimeout, type OcrEngine } from './engine.ts';

const require = createRequire(import.meta.url);

/** Model load takes 150-370 ms here; a language that fails to load never resolves. */
const CREATE_TIMEOUT_MS = 60_000;

/**
 * tesseract.js reads every language from ONE folder, and without `langPath` it fetches
 * from a CDN. This makes a folder of links to the npm packages' `best_int` models, so the
 * engine runs offline (FIELD-NOTES: `best_int` loads faster for the same accuracy).
 */
export function offlineLanguageFolder(languages: string): string {
  const codes = languages.split('+');
  const folder = join(tmpdir(), `ocrbench-tessdata-${codes.join('-')}`);
  mkdirSync(folder, { recursive: true });
  for (const code of codes) {
    const link = join(folder, `${code}.traineddata.gz`);
    if (existsSync(link)) continue;
    const packageJson = require.resolve(`@tesseract.js-data/${code}/package.json`);
    const source = join(dirname(packageJson), '4.0.0_best_int', `${code}.traineddata.gz`);
    try {
      symlinkSync(source, link);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return folder;
}

/** A tesseract.js worker (one WASM thread in a worker_thread). */
export async function createTesseractJsEngine(languages: string, dpi = 150): Promise<OcrEngine> {
  let lastError: unknown = null;
  const worker: Worker = await withTimeout(
    createWorker(languages, 1, {
      langPath: offlineLanguageFolder(languages),
      cacheMethod: 'none',
      gzip: true,
      // Without a handler a worker error (a corrupt image) throws and kills the process.
      errorHandler: (error: unknown) => {
        lastError = error;
      },
    }),
    CREATE_TIMEOUT_MS,
    `loading the ${languages} model`,
  );
  // Generated PNGs carry 150 dpi; telling the engine avoids "Invalid resolution" guesses.
  await worker.setParameters({ user_defined_dpi: String(dpi) });
  return {
    name: 'tesseract.js',
    async recognise(image) {
      try {
        const { data } = await worker.recognize(image);
        return { text: data.text, confidence: data.confidence };
      } catch (error) {
        throw new Error(`the engine could not read the image: ${String(lastError ?? error)}`);
      }
    },
    close: async () => {
      await worker.terminate();
    },
  };
}
