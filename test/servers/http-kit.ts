import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import busboy from 'busboy';

/** A test server on loopback: its base URL and a close that ends every connection. */
export interface LoopbackServer {
  /** e.g. `http://127.0.0.1:40123` (port chosen by the OS). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 port 0. `close()` destroys open sockets (keep-alive connections of
 * the client would otherwise hold the server open) and runs `onClose` first, so pending
 * timers of the caller can be cleared.
 */
export async function listenOnLoopback(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  onClose: () => void = () => {},
): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const server = createServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        onClose();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}

/** What one upload request looked like on the wire. */
export interface UploadSeen {
  route: string;
  /** The Content-Length header as sent; undefined when the body was chunked. */
  contentLength: string | undefined;
  transferEncoding: string | undefined;
  contentType: string | undefined;
  /** Bytes of the whole request body as received. */
  bodyBytes: number;
  files: { field: string; name: string; bytes: number }[];
  fields: Record<string, string>;
}

/** Reads a multipart upload to the end, counting files and their bytes. */
export function readUpload(request: IncomingMessage, route: string): Promise<UploadSeen> {
  const seen: UploadSeen = {
    route,
    contentLength: request.headers['content-length'],
    transferEncoding: request.headers['transfer-encoding'],
    contentType: request.headers['content-type'],
    bodyBytes: 0,
    files: [],
    fields: {},
  };
  request.on('data', (chunk: Buffer) => {
    seen.bodyBytes += chunk.length;
  });
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers });
    } catch {
      // Not multipart (or no boundary): drain the body; the caller sees zero files.
      request.resume();
      request.on('end', () => resolve(seen));
      request.on('error', () => resolve(seen));
      return;
    }
    parser.on('file', (field, stream, info) => {
      const file = { field, name: info.filename ?? '', bytes: 0 };
      seen.files.push(file);
      stream.on('data', (chunk: Buffer) => {
        file.bytes += chunk.length;
      });
    });
    parser.on('field', (name, value) => {
      seen.fields[name] = value;
    });
    parser.on('close', () => resolve(seen));
    parser.on('error', () => {
      request.resume();
      resolve(seen);
    });
    request.on('error', () => resolve(seen));
    request.pipe(parser);
  });
}

/** Answers with a JSON body and its Content-Length. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  sendText(response, status, text, headers);
}

/** Answers with a raw text body (also used to send deliberately broken JSON). */
export function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** Drains a request body the handler does not need. */
export function drain(request: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    request.resume();
    request.on('end', resolve);
    request.on('error', () => resolve());
    if (request.readableEnded) resolve();
  });
}
