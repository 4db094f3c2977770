import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startFakeOcrServer, type FakeOcrServer } from '../servers/fake-ocr-server.ts';

// Shared by the cli-*.test.ts files: the real CLI as a child process, and servers to aim it at.

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[]): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, ['bin/ocrbench.js', ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const result = new Promise<CliResult>((done) =>
    child.on('close', (status, signal) => done({ status, signal, stdout, stderr })),
  );
  return { child, result };
}

/** Runs the CLI without blocking this process, which hosts the fake servers. */
export const runCli = (args: string[]) => startCli(args).result;

export function scenario(url: string, load: string, extra = ''): string {
  return `name: robust
target: { url: "${url}", profile: ocrlotes }
dataset: { path: . }
load: ${load}
poll: { intervalMs: 10, maxIntervalMs: 50, maxWaitSeconds: 60 }
observe: { intervalMs: 200 }
${extra}`;
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `ocrbench-${prefix}-`));
export const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at /);

export async function withServer<T>(
  options: Parameters<typeof startFakeOcrServer>[0],
  body: (server: FakeOcrServer) => Promise<T>,
): Promise<T> {
  const server = await startFakeOcrServer(options);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/** A TCP server that accepts connections and never answers: a hung service. */
export async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
