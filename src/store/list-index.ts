import { UnknownCursorError, type ListFilter } from './store.ts';

/** Places in creation order, kept as a set and sorted only when read after a change. */
class Places {
  private readonly members = new Set<number>();
  private sorted: number[] | undefined = [];

  get size(): number {
    return this.members.size;
  }

  add(place: number): void {
    this.members.add(place);
    this.sorted = undefined;
  }

  delete(place: number): void {
    if (this.members.delete(place)) this.sorted = undefined;
  }

  ascending(): readonly number[] {
    this.sorted ??= [...this.members].sort((a, b) => a - b);
    return this.sorted;
  }
}

/** The index of the last entry of `ascending` below `bound`, or -1. */
function lastBelow(ascending: readonly number[], bound: number): number {
  let low = 0;
  let high = ascending.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (ascending[middle]! < bound) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/**
 * One tenant's orders (or refills) in creation order, with an index by status and by patient, so
 * a filtered page reads only the records that can match: a filter matching nothing costs nothing,
 * however many records the key holds.
 */
export class ListIndex<Status extends string> {
  /** Record ids in creation order; an id's place there is its cursor position. */
  private readonly sequence: string[] = [];
  private readonly place = new Map<string, number>();
  private readonly statusAt: Status[] = [];
  private readonly patientAt: string[] = [];
  private readonly byStatus = new Map<Status, Places>();
  /** A patient never changes on a record, so appending keeps these in creation order. */
  private readonly byPatient = new Map<string, number[]>();

  /** Records a record's status and patient: a new record goes last; a known one keeps its place. */
  put(id: string, status: Status, patientId: string): void {
    let at = this.place.get(id);
    if (at === undefined) {
      at = this.sequence.length;
      this.place.set(id, at);
      this.sequence.push(id);
      this.patientAt.push(patientId);
      const ofPatient = this.byPatient.get(patientId);
      if (ofPatient === undefined) this.byPatient.set(patientId, [at]);
      else ofPatient.push(at);
    } else {
      const before = this.statusAt[at]!;
      if (before === status) return;
      this.byStatus.get(before)!.delete(at);
    }
    this.statusAt[at] = status;
    let places = this.byStatus.get(status);
    if (places === undefined) {
      places = new Places();
      this.byStatus.set(status, places);
    }
    places.add(at);
  }

  /** Ids of matching records, newest first, after the record `after` (exclusive): at most `limit`, and whether more match. */
  page(filter: ListFilter<Status>, page: { after?: string; limit: number }): { ids: string[]; hasMore: boolean } {
    let bound = this.sequence.length;
    if (page.after !== undefined) {
      const at = this.place.get(page.after);
      if (at === undefined) throw new UnknownCursorError(page.after);
      bound = at;
    }
    const ofStatus = filter.status === undefined ? undefined : this.byStatus.get(filter.status)?.ascending() ?? [];
    const ofPatient = filter.patientId === undefined ? undefined : this.byPatient.get(filter.patientId) ?? [];
    // Walk the smaller index; test the other filter on each place it gives.
    const walk = ofStatus === undefined ? ofPatient : ofPatient === undefined || ofStatus.length <= ofPatient.length ? ofStatus : ofPatient;
    const needsStatus = filter.status !== undefined && walk !== ofStatus;
    const needsPatient = filter.patientId !== undefined && walk !== ofPatient;
    const ids: string[] = [];
    const start = walk === undefined ? bound - 1 : lastBelow(walk, bound);
    for (let i = start; i >= 0; i--) {
      const at = walk === undefined ? i : walk[i]!;
      if (needsStatus && this.statusAt[at] !== filter.status) continue;
      if (needsPatient && this.patientAt[at] !== filter.patientId) continue;
      if (ids.length === page.limit) return { ids, hasMore: true };
      ids.push(this.sequence[at]!);
    }
    return { ids, hasMore: false };
  }
}
