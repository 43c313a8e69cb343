import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The only source of randomness for identifiers. */
export interface IdGenerator {
  /** A new identifier: the prefix, an underscore, then `length` letters and digits. */
  next(prefix: string, length?: number): string;
  /** `length` random decimal digits. */
  digits(length: number): string;
  /** A random integer in [0, bound). */
  int(bound: number): number;
}

function fromBytes(nextBytes: (length: number) => Uint8Array): IdGenerator {
  return {
    next: (prefix, length = 24) => `${prefix}_${encode(nextBytes(length), length)}`,
    digits: (length) => Array.from(nextBytes(length), (byte) => byte % 10).join(''),
    int: (bound) => {
      const bytes = nextBytes(4);
      return (((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0) % bound;
    },
  };
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
  return fromBytes((length) => {
    if (offset + length > pool.length) {
      pool = randomBytes(Math.max(4096, length));
      offset = 0;
    }
    offset += length;
    return pool.subarray(offset - length, offset);
  });
}

/** Reproducible ids from a seed (sfc32), so two runs with the same seed answer identically. */
export function seededIds(seed: number): IdGenerator {
  return sfc32(0x9e3779b9, 0x243f6a88, 0xb7e15162, seed >>> 0);
}

/**
 * Reproducible ids from a seed and a stream name: each stream its own sequence, so what one
 * API key is given does not depend on how its requests interleave with another key's.
 */
export function seededIdsFor(seed: number, stream: string): IdGenerator {
  const digest = createHash('sha256').update(`${seed >>> 0}\u0000${stream}`).digest();
  return sfc32(digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12));
}

function sfc32(a: number, b: number, c: number, d: number): IdGenerator {
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
  return fromBytes((length) => {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = nextWord() & 0xff;
    return bytes;
  });
}

/** One reproducible stream per key, made on first use: `seededIdsFor(seed, purpose + key)`. */
export class SeededStreams {
  private readonly streams = new Map<string, IdGenerator>();

  constructor(private readonly seed: number, private readonly purpose: string) {}

  for(key: string): IdGenerator {
    let stream = this.streams.get(key);
    if (stream === undefined) {
      stream = seededIdsFor(this.seed, `${this.purpose}\u0000${key}`);
      this.streams.set(key, stream);
    }
    return stream;
  }

  forget(key: string): void {
    this.streams.delete(key);
  }
}
