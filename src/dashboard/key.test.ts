import { describe, expect, it } from 'vitest';
import { keyFingerprint as logFingerprint } from '../log/entry.ts';
import { keyFingerprint, keyFromFragment, readKey, storeKey, type KeyPlace } from './key.ts';

function placeAt(hash: string, stored?: string) {
  const storage = new Map<string, string>();
  if (stored !== undefined) storage.set('nimbus-sandbox-key', stored);
  const replaced: string[] = [];
  const place: KeyPlace = {
    location: { hash, pathname: '/sandbox/dashboard', search: '' },
    history: { replaceState: (_data, _unused, url) => { replaced.push(String(url)); } },
    storage: { getItem: (name) => storage.get(name) ?? null, setItem: (name, value) => { storage.set(name, value); }, removeItem: (name) => { storage.delete(name); } },
  };
  return { place, storage, replaced };
}

describe('the dashboard key', () => {
  it('is read from the fragment, kept for the tab and cleared from the address', () => {
    const { place, storage, replaced } = placeAt('#key=sk_test_demo', 'sk_test_old');
    expect(readKey(place)).toBe('sk_test_demo');
    expect(storage.get('nimbus-sandbox-key')).toBe('sk_test_demo');
    expect(replaced).toEqual(['/sandbox/dashboard']);
  });

  it('comes from sessionStorage when the fragment has none, and the address is left alone', () => {
    const { place, replaced } = placeAt('#other=1', 'sk_test_kept');
    expect(readKey(place)).toBe('sk_test_kept');
    expect(replaced).toEqual([]);
  });

  it('is absent when neither has one, and forgotten on request', () => {
    const { place, storage } = placeAt('', 'sk_test_x');
    storeKey(place, undefined);
    expect(readKey(place)).toBeUndefined();
    expect(storage.size).toBe(0);
  });

  it('ignores an empty fragment key', () => {
    expect(keyFromFragment('#key=')).toBeUndefined();
    expect(keyFromFragment('#key=%20sk_test_a%20')).toBe('sk_test_a');
  });

  it("names a key by the same fingerprint as the sandbox's log, never by a part of the key", async () => {
    for (const key of ['sk_test_demo', 'sk_test_a', 'sk_test_ünïcode']) {
      const shown = await keyFingerprint(key);
      expect(shown).toBe(logFingerprint(key));
      expect(key).not.toContain(shown);
    }
  });
});
