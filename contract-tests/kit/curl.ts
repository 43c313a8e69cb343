/** Quotes a word for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Shows enough of a key to tell keys apart, never the key. */
export function maskKey(key: string): string {
  return key.length <= 8 ? '****' : `${key.slice(0, 4)}****`;
}

export interface CurlRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * A curl line that sends this request. The configured key becomes `$NIMBUS_API_KEY`, so the
 * line works as is once that variable is set; any other key is masked.
 */
export function curlLine(request: CurlRequest, configuredKey: string | undefined): string {
  const words = ['curl -sS -i'];
  if (request.method !== 'GET' || request.body !== undefined) words.push(`-X ${request.method}`);
  words.push(shellQuote(request.url));
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() !== 'x-api-key') words.push(`-H ${shellQuote(`${name}: ${value}`)}`);
    else if (value !== '' && value === configuredKey) words.push(`-H "${name}: $NIMBUS_API_KEY"`);
    else words.push(`-H ${shellQuote(`${name}: ${value === '' ? '' : maskKey(value)}`)}`);
  }
  if (request.body !== undefined) words.push(`--data-raw ${shellQuote(request.body)}`);
  return words.join(' ');
}
