/** The API key of the tab: from the fragment `#key=…` (then removed from the URL) or sessionStorage. */

const STORAGE_NAME = 'nimbus-sandbox-key';

/** The key in a fragment such as `#key=sk_test_demo`, or undefined. */
export function keyFromFragment(hash: string): string | undefined {
  const key = new URLSearchParams(hash.replace(/^#/, '')).get('key')?.trim();
  return key === undefined || key === '' ? undefined : key;
}

export interface KeyPlace {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/** Reads the key from the fragment first, keeping it for the tab and clearing it from the address bar. */
export function readKey(place: KeyPlace): string | undefined {
  const fromFragment = keyFromFragment(place.location.hash);
  if (fromFragment !== undefined) {
    place.storage.setItem(STORAGE_NAME, fromFragment);
    place.history.replaceState(null, '', place.location.pathname + place.location.search);
    return fromFragment;
  }
  return place.storage.getItem(STORAGE_NAME) ?? undefined;
}

export function storeKey(place: KeyPlace, key: string | undefined): void {
  if (key === undefined) place.storage.removeItem(STORAGE_NAME);
  else place.storage.setItem(STORAGE_NAME, key);
}

/** A short name for the key that does not reveal it: the first 8 hex digits of its SHA-256, as the sandbox's log shows it. */
export async function keyFingerprint(key: string, digest: Pick<SubtleCrypto, 'digest'> = crypto.subtle): Promise<string> {
  const hash = new Uint8Array(await digest.digest('SHA-256', new TextEncoder().encode(key)));
  return Array.from(hash.subarray(0, 4), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
