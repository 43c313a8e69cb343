import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../api-types.ts';
import { ListIndex } from './list-index.ts';
import { UnknownCursorError } from './store.ts';

const STATUSES: OrderStatus[] = ['pending', 'processing', 'shipped', 'delivered', 'cancelled'];
const PATIENTS = ['pat_a', 'pat_b', 'pat_c'];

type Step =
  | { op: 'put'; id: number; status: OrderStatus; patient: string }
  | { op: 'page'; status: OrderStatus | undefined; patient: string | undefined; after: number | undefined; limit: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('put' as const), id: fc.nat({ max: 30 }), status: fc.constantFrom(...STATUSES), patient: fc.constantFrom(...PATIENTS) }), weight: 4 },
  {
    arbitrary: fc.record({
      op: fc.constant('page' as const),
      status: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
      patient: fc.option(fc.constantFrom(...PATIENTS, 'pat_none'), { nil: undefined }),
      after: fc.option(fc.nat({ max: 30 }), { nil: undefined }),
      limit: fc.integer({ min: 1, max: 8 }),
    }),
    weight: 2,
  },
);

describe('ListIndex', () => {
  it('pages exactly as a scan of every order in creation order would', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
      const index = new ListIndex<OrderStatus>();
      const model: Array<{ id: string; status: OrderStatus; patient: string }> = [];
      for (const s of steps) {
        if (s.op === 'put') {
          const id = `ord_${s.id}`;
          const known = model.find((order) => order.id === id);
          // A patient never changes on an order.
          if (known === undefined) model.push({ id, status: s.status, patient: s.patient });
          else known.status = s.status;
          index.put(id, s.status, known?.patient ?? s.patient);
          continue;
        }
        const after = s.after === undefined ? undefined : `ord_${s.after}`;
        const start = after === undefined ? model.length : model.findIndex((order) => order.id === after);
        if (start === -1) {
          expect(() => index.page({ status: s.status, patientId: s.patient }, { after: after!, limit: s.limit })).toThrow(UnknownCursorError);
          continue;
        }
        const matching = model.slice(0, start).reverse()
          .filter((order) => (s.status === undefined || order.status === s.status) && (s.patient === undefined || order.patient === s.patient));
        const expected = { ids: matching.slice(0, s.limit).map((order) => order.id), hasMore: matching.length > s.limit };
        const filter = { ...(s.status === undefined ? {} : { status: s.status }), ...(s.patient === undefined ? {} : { patientId: s.patient }) };
        expect(index.page(filter, { ...(after === undefined ? {} : { after }), limit: s.limit })).toEqual(expected);
      }
    }), { numRuns: 500 });
  });

  it('answers a status filter matching nothing among 30,000 orders without reading them', () => {
    const index = new ListIndex<OrderStatus>();
    for (let i = 0; i < 30_000; i++) index.put(`ord_${i}`, 'pending', `pat_${i % 100}`);
    const started = performance.now();
    for (let i = 0; i < 100; i++) expect(index.page({ status: 'delivered' }, { limit: 20 })).toEqual({ ids: [], hasMore: false });
    expect((performance.now() - started) / 100).toBeLessThan(1);
  });
});
