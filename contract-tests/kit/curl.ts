/** Quotes a word for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface CurlRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Its X-API-Key is the key the run was given, which is never printed. */
  sendsConfiguredKey?: boolean;
}

/** Shell lines that send these requests again, in order. */
export interface Reproduction {
  /** `KEY_1='contract-…'`: the keys the kit made up, defined before the curl lines use them. */
  definitions: string[];
  /** One curl line a request, the same order. */
  curl: string[];
}

/**
 * Curl lines that send these requests again, runnable as printed: the configured key becomes
 * `$NIMBUS_API_KEY` (the user has it), and each other key (a fresh one the kit made for a tenant
 * of its own) becomes `$KEY_1`, `$KEY_2`, …, in order of first use, defined by `definitions`.
 */
export function reproduction(requests: readonly CurlRequest[]): Reproduction {
  const variables = new Map<string, string>();
  const definitions: string[] = [];
  const variableFor = (key: string) => {
    let name = variables.get(key);
    if (name === undefined) {
      name = `KEY_${variables.size + 1}`;
      variables.set(key, name);
      definitions.push(`${name}=${shellQuote(key)}`);
    }
    return name;
  };
  const curl = requests.map((request) => {
    // -g: brackets and braces in a URL are sent as they are, not expanded by curl.
    const words = ['curl -sS -i -g'];
    if (request.method !== 'GET' || request.body !== undefined) words.push(`-X ${request.method}`);
    words.push(shellQuote(request.url));
    for (const [name, value] of Object.entries(request.headers)) {
      // `Name:` alone tells curl to drop the header; `Name;` sends it empty.
      if (value === '') words.push(`-H ${shellQuote(`${name};`)}`);
      else if (name.toLowerCase() !== 'x-api-key') words.push(`-H ${shellQuote(`${name}: ${value}`)}`);
      else words.push(`-H "${name}: $${request.sendsConfiguredKey === true ? 'NIMBUS_API_KEY' : variableFor(value)}"`);
    }
    if (request.body !== undefined) words.push(`--data-raw ${shellQuote(request.body)}`);
    return words.join(' ');
  });
  return { definitions, curl };
}
