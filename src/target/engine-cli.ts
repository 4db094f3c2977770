import { spawn } from 'node:child_process';
import type { OcrEngine } from './engine.ts';

/**
 * The Debian `tesseract` command, one process per page. `threads` sets OMP_THREAD_LIMIT;
 * null leaves OpenMP's default (one thread per core per process), which is what
 * oversubscribes the CPU when several run at once (FIELD-NOTES: 1.2-1.6 s -> 8-10 s).
 */
export function createTesseractCliEngine(languages: string, threads: number | null): OcrEngine {
  return {
    name: 'tesseract-cli',
    recognise: (_image, path) =>
      new Promise((resolve, reject) => {
        const env = { ...process.env };
        if (threads === null) delete env.OMP_THREAD_LIMIT;
        else env.OMP_THREAD_LIMIT = String(threads);
        const child = spawn('tesseract', [path, 'stdout', '-l', languages, '--dpi', '150'], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.on('error', (error) =>
          reject(
            new Error(
              `cannot run tesseract (${error.message}); install it with ` +
                '`apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa`',
            ),
          ),
        );
        child.on('close', (code) => {
          if (code === 0) resolve({ text: stdout, confidence: -1 });
          else reject(new Error(`tesseract exited ${code}: ${stderr.trim().split('\n').at(-1)}`));
        });
      }),
    close: async () => {},
  };
}
