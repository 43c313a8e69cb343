import { UnknownCursorError, type ListFilter } from '../store/store.ts';
import { Refusal } from './refusal.ts';

/** A page of a sandbox listing: the filter, at most `limit` records, after the record `after`. */
export interface ListQuery<Status extends string> extends ListFilter<Status> {
  limit: number;
  after?: string;
}

/** Runs a store listing, refusing a cursor whose record the store does not have (`noun`: what is listed). */
export async function listPage<Page>(noun: string, list: () => Promise<Page>): Promise<Page> {
  try {
    return await list();
  } catch (error) {
    if (error instanceof UnknownCursorError) {
      throw new Refusal('invalid_request', `The cursor is not one this sandbox issued, or its ${noun} was removed by a reset`, {
        field: 'cursor', reason: 'Unknown cursor',
      });
    }
    throw error;
  }
}
