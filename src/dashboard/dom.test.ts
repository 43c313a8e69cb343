import { describe, expect, it } from 'vitest';
import { prettyJson } from './dom.ts';

describe('prettyJson', () => {
  it('indents a JSON body for reading, keeping every value', () => {
    const body = '{"id":"evt_1","data":{"orderId":"ord_1","status":"pending"}}';
    expect(prettyJson(body)).toBe('{\n  "id": "evt_1",\n  "data": {\n    "orderId": "ord_1",\n    "status": "pending"\n  }\n}');
  });

  it('shows a body that is not JSON as it is', () => {
    expect(prettyJson('{"cut short')).toBe('{"cut short');
  });
});
