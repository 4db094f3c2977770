import { createRequire } from 'node:module';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createWorker, type Worker } from 'tesseract.js';
import { OcrbenchError } from '../util/errors.ts';
import { withTimeout, type OcrEngine } from './engine.ts';

const require = createRequire(import.meta.url);

/** Model load takes 150-370 ms here; a language that fails to load never resolves, ms. */
const CREATE_TIMEOUT_MS = 60_000;

/**
 * tesseract.js reads every language from ONE folder, and without `langPath` it fetches
 * from a CDN. This fills `folder` with links to the npm packages' `best_int` models, so the
 * engine runs offline (FIELD-NOTES: `best_int` loads faster for the same accuracy).
 */
export function offlineLanguageFolder(languages: string, folder: string): string {
  mkdirSync(folder, { recursive: true });
  for (const code of languages.split('+')) {
    let packageJson: string;
    try {
      packageJson = require.resolve(`@tesseract.js-data/${code}/package.json`);
    } catch {
      throw new OcrbenchError(
        'E_TARGET_START',
        `--languages: no model for "${code}" (npm package @tesseract.js-data/${code} is not ` +
          'installed). Use eng, spa or install the package.',
      );
    }
    const link = join(folder, `${code}.traineddata.gz`);
    // Replace any old link: node_modules may have moved since it was made.
    rmSync(link, { force: true });
    symlinkSync(join(dirname(packageJson), '4.0.0_best_int', `${code}.traineddata.gz`), link);
  }
  return folder;
}

/**
 * A tesseract.js worker: one WASM thread in a worker_thread, so N workers use N cores.
 * `languageFolder` comes from offlineLanguageFolder.
 */
export async function createTesseractJsEngine(
  languages: string,
  languageFolder: string,
  dpi = 150,
): Promise<OcrEngine> {
  let lastError: unknown = null;
  const worker: Worker = await withTimeout(
    createWorker(languages, 1, {
      langPath: languageFolder,
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
  // Images without a sane resolution tag make tesseract guess ("Invalid resolution").
  await worker.setParameters({ user_defined_dpi: String(dpi) });
  return {
    name: 'tesseract.js',
    async recognise(image) {
      lastError = null;
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
