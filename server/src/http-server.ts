import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ApiErrorBody } from '../../core/errors.ts';

/** Node's default limit of the request line and headers together (`--max-http-header-size`). */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * The HTTP server around the app. A request Node's parser refuses before Express sees it (a URL or
 * headers over 16 KB, a malformed request line) gets the API's JSON error shape too, instead of
 * Node's empty 431/400, and the connection is closed.
 */
export function createHttpServer(app: RequestListener): Server {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, app);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || socket.destroyed) return socket.destroy();
    // A timed-out or reset connection has no one to answer.
    if (err.code === 'ECONNRESET' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const [status, reason] = tooLarge ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body: ApiErrorBody = {
      error: tooLarge
        ? {
            code: 'bad_request',
            message: `The request's URL and headers together exceed ${MAX_HEADER_BYTES / 1024} KB`,
            details: { problem: 'headers_too_large', limit_bytes: MAX_HEADER_BYTES },
          }
        : {
            code: 'bad_request',
            message: 'Malformed HTTP request',
            details: { problem: 'malformed_request' },
          },
    };
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  });
  return server;
}
