import { HttpRefusal } from './errors.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** No request body of the API nests deeper than 3; a deep one is refused before it costs a parse. */
export const MAX_JSON_DEPTH = 32;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function tooLarge(maxBytes: number): HttpRefusal {
  return new HttpRefusal('payload_too_large', `The request body is larger than ${maxBytes} bytes`, {
    field: 'body', reason: `At most ${maxBytes} bytes`,
  });
}

async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * The body as a JSON object; every other body is refused with the envelope (400, 413 or 415).
 * An `optional` body may be absent or empty, which reads as `{}`.
 */
export async function readJsonObject(request: Request, maxBytes: number, optional = false): Promise<Record<string, unknown>> {
  const declaredLength = request.headers.get('content-length');
  const contentType = request.headers.get('content-type');
  const unsupported = contentType !== null && !JSON_MEDIA_TYPE.test(contentType)
    ? new HttpRefusal('unsupported_media_type', `The body must be sent as application/json, not ${contentType.slice(0, 100) || 'an empty Content-Type'}`, {
      field: 'Content-Type', reason: 'Use Content-Type: application/json',
    })
    : undefined;
  // An optional body that is absent needs no Content-Type; otherwise refuse before reading.
  if (unsupported !== undefined && !optional) throw unsupported;
  const declared = Number(declaredLength ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);

  let text: string;
  try {
    // With a declared length (already checked), arrayBuffer() takes the server's fast path; only
    // a chunked body needs counting as it streams in.
    const bytes = request.headers.has('content-length') ? new Uint8Array(await request.arrayBuffer()) : await readLimited(request, maxBytes);
    if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
    text = utf8.decode(bytes);
  } catch (error) {
    if (error instanceof HttpRefusal) throw error;
    throw new HttpRefusal('invalid_request', 'The request body is not valid UTF-8', { field: 'body', reason: 'Not UTF-8' });
  }
  if (unsupported !== undefined && text.trim() !== '') throw unsupported;
  if (text.trim() === '') {
    if (optional) return {};
    throw new HttpRefusal('invalid_request', 'The request body is empty; send a JSON object', { field: 'body', reason: 'Required' });
  }
  if (nestingDepthOver(text, MAX_JSON_DEPTH)) {
    throw new HttpRefusal('invalid_request', `The request body nests deeper than ${MAX_JSON_DEPTH} levels`, {
      field: 'body', reason: `At most ${MAX_JSON_DEPTH} levels of objects and arrays`,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HttpRefusal('invalid_request', 'The request body is not valid JSON', {
      field: 'body', reason: (error as Error).message.slice(0, 200),
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpRefusal('invalid_request', 'The request body must be a JSON object', {
      field: 'body', reason: `Got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}`,
    });
  }
  return parsed as Record<string, unknown>;
}

/** Whether objects and arrays in `text` nest deeper than `limit`, brackets inside strings aside. One pass, no parse. */
export function nestingDepthOver(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x7b || code === 0x5b) {
      if (++depth > limit) return true;
    } else if (code === 0x7d || code === 0x5d) {
      depth--;
    }
  }
  return false;
}
