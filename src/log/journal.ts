import type { TenantPart } from '../tenancy/tenancy.ts';
import type { RequestFacts } from './entry.ts';

/** The last `capacity` entries, overwriting the oldest. */
class Ring {
  private readonly entries: RequestFacts[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  push(entry: RequestFacts): void {
    this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  newestFirst(): RequestFacts[] {
    const { entries, next } = this;
    return [...entries.slice(0, next).reverse(), ...entries.slice(next).reverse()];
  }
}

/**
 * Each API key's last requests, for `GET /sandbox/requests` and the dashboard. A key's ring
 * exists while the tenancy holds the key (it is a tenant part), so its memory is bounded by the
 * keys held: a request of a key not held, or of none, is not kept. The key is the ring's name
 * only; entries never hold it.
 */
export class RequestJournal {
  private readonly rings = new Map<string, Ring>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`journal capacity must be a positive integer, not ${capacity}`);
  }

  /** Whether requests of `tenant` are kept now. */
  keeps(tenant: string): boolean {
    return this.rings.has(tenant);
  }

  record(tenant: string, entry: RequestFacts): void {
    this.rings.get(tenant)?.push(entry);
  }

  /** The tenant's entries, newest first (none for a key not held). */
  list(tenant: string): RequestFacts[] {
    return this.rings.get(tenant)?.newestFirst() ?? [];
  }

  /** Opened when the key is set up; survives a reset (the reset is itself a request worth seeing); dropped with the key. */
  readonly part: TenantPart = {
    name: 'request journal',
    setUp: (tenant) => {
      if (!this.rings.has(tenant)) this.rings.set(tenant, new Ring(this.capacity));
    },
    forget: (tenant) => {
      this.rings.delete(tenant);
    },
  };
}
