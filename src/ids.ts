import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The only source of randomness for identifiers. */
export interface IdGenerator {
  /** A new identifier: the prefix, an underscore, then `length` letters and digits. */
  next(prefix: string, length?: number): string;
}

function encode(bytes: Uint8Array, length: number): string {
  let out = '';
  // 62 does not divide 256, so the slight bias towards early letters is accepted: ids need
  // uniqueness, not uniform distribution.
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % ALPHABET.length];
  return out;
}

export function randomIds(): IdGenerator {
  let pool = randomBytes(4096);
  let offset = 0;
  return {
    next(prefix, length = 24) {
      if (offset + length > pool.length) {
        pool = randomBytes(4096);
        offset = 0;
      }
      const id = `${prefix}_${encode(pool.subarray(offset, offset + length), length)}`;
      offset += length;
      return id;
    },
  };
}

/** Reproducible ids from a seed (sfc32), so two runs with the same seed answer identically. */
export function seededIds(seed: number): IdGenerator {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const nextWord = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) nextWord();
  return {
    next(prefix, length = 24) {
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) bytes[i] = nextWord() & 0xff;
      return `${prefix}_${encode(bytes, length)}`;
    },
  };
}
