import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Refusal } from '../../domain/refusal.ts';
import type { Handlers, SandboxContext } from '../respond.ts';

/** What a file of the assets directory is served as, by extension; a file of any other kind is not served. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

/**
 * The pages load scripts, styles, fonts and data from the sandbox alone. Styles may be inline
 * (the docs renderer sets them from script), and its search runs in a worker made from a blob.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self' data:",
  "connect-src 'self'", "worker-src 'self' blob:", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // The names carry no version, so a browser asks again each time: an upgraded sandbox never shows an old page.
  'Cache-Control': 'no-cache',
};

const BUILD_ADVICE = 'run `npm run build` when running from a source checkout';

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/**
 * The dashboard, the docs page and their files, read from the assets directory on each request
 * (nothing is loaded at start-up, and a rebuild shows at once); `assetsDir` is asked for it on
 * first use. A name is one path segment checked against the spec's pattern before it gets here,
 * so it cannot leave the directory.
 */
export function pageHandlers(assetsDir: () => string) {
  let directory: string | undefined;
  const serve = async (c: SandboxContext, name: string, noun: 'page' | 'asset'): Promise<Response> => {
    // A page has no parameter to blame.
    const field = noun === 'asset' ? { field: 'asset' } : {};
    const contentType = ASSET_TYPES[extname(name).toLowerCase()];
    if (contentType === undefined) {
      throw new Refusal('not_found', `No ${noun} named ${name}`, { ...field, reason: `Not a kind of file the sandbox serves (${Object.keys(ASSET_TYPES).join(', ')})` });
    }
    let body: Buffer;
    try {
      const path = join(directory ??= assetsDir(), name);
      // A FIFO or a device in a directory a library user chose would block or never end a read.
      if (!(await stat(path)).isFile()) throw Object.assign(new Error(`${name} is not a regular file`), { code: 'not a regular file' });
      body = await readFile(path);
    } catch (error) {
      const reason = isMissing(error) ? `Not built: ${BUILD_ADVICE}` : `Cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
      throw new Refusal('not_found', `No ${noun} named ${name} in the sandbox's built assets`, { ...field, reason });
    }
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': contentType, 'X-Request-Id': c.get('requestId') },
    });
  };
  return {
    sandboxDashboard: (c) => serve(c, 'dashboard.html', 'page'),
    sandboxDocs: (c) => serve(c, 'docs.html', 'page'),
    sandboxAsset: (c, { asset }) => serve(c, asset, 'asset'),
  } satisfies Partial<Handlers>;
}
