import { spawn, type ChildProcess } from 'node:child_process';
import type { OcrEngine, Recognised } from './engine.ts';

const INSTALL_HINT =
  'install it with `apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa`';

/**
 * The Debian `tesseract` command, one process per page, image on stdin, TSV on stdout.
 * `threads` sets OMP_THREAD_LIMIT; null removes it, and each process then runs tesseract's
 * own OpenMP team of 4 threads (TESSERACT_CLI_MAX_THREADS), which oversubscribes the CPU when
 * several run at once (FIELD-NOTES: an A4 page takes 1.2-1.6 s with one thread, 8-10 s with
 * the default side by side).
 */
export function createTesseractCliEngine(languages: string, threads: number | null): OcrEngine {
  // Processes still reading, so close() can end a hung one.
  const running = new Set<ChildProcess>();
  return {
    name: 'tesseract-cli',
    recognise: (image) =>
      new Promise((resolve, reject) => {
        const env = { ...process.env };
        if (threads === null) delete env.OMP_THREAD_LIMIT;
        else env.OMP_THREAD_LIMIT = String(threads);
        // --dpi: generated images are 150 dpi; without it tesseract guesses from the tag.
        const args = ['stdin', 'stdout', '-l', languages, '--dpi', '150', 'tsv'];
        const child = spawn('tesseract', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
        running.add(child);
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        // A process that died early closes stdin: EPIPE is reported by 'close' below.
        child.stdin.on('error', () => {});
        child.stdin.end(image);
        child.on('error', (error) =>
          reject(new Error(`cannot run tesseract (${error.message}); ${INSTALL_HINT}`)),
        );
        child.on('close', (code) => {
          running.delete(child);
          if (code === 0) resolve(parseTsv(stdout));
          else reject(new Error(`tesseract exited ${code}: ${lastLine(stderr)}`));
        });
      }),
    close: async () => {
      for (const child of running) child.kill('SIGKILL');
    },
  };
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/**
 * Text and mean word confidence (0-100) from tesseract's TSV: words (level 5) joined by
 * spaces, a new line per line, a blank line between paragraphs, as its text output does.
 */
export function parseTsv(tsv: string): Recognised {
  const lines: string[] = [];
  const confidences: number[] = [];
  let key = '';
  let paragraph = '';
  let words: string[] = [];
  const flush = () => {
    if (words.length > 0) lines.push(words.join(' '));
    words = [];
  };
  for (const row of tsv.split('\n').slice(1)) {
    const cells = row.split('\t');
    if (cells.length < 12 || cells[0] !== '5') continue;
    const [, page, block, par, line] = cells;
    const lineKey = `${page}.${block}.${par}.${line}`;
    const paragraphKey = `${page}.${block}.${par}`;
    if (lineKey !== key) {
      flush();
      if (paragraph !== '' && paragraphKey !== paragraph) lines.push('');
      key = lineKey;
      paragraph = paragraphKey;
    }
    const word = cells.slice(11).join('\t').trim();
    if (word === '') continue;
    words.push(word);
    confidences.push(Number(cells[10]));
  }
  flush();
  const mean = confidences.reduce((sum, c) => sum + c, 0) / Math.max(1, confidences.length);
  return { text: lines.length > 0 ? `${lines.join('\n')}\n` : '', confidence: mean };
}
