import { describe, expect, it } from 'vitest';
import { ApiError, createApi, isNotFound, isUnknownCursor } from './api.ts';

function recording(answer: () => Response) {
  const calls: Array<{ path: string; init: RequestInit }> = [];
  const api = createApi('sk_test_a', async (path, init) => { calls.push({ path, init }); return answer(); });
  return { api, calls };
}

describe('the dashboard API client', () => {
  it('marks polling reads with the poll header, and user actions without it', async () => {
    const { api, calls } = recording(() => Response.json({ ok: true }));
    await api.poll('/sandbox/clock');
    await api.call('POST', '/sandbox/clock/advance', { seconds: 3600 });
    expect(calls.map(({ init }) => init.headers)).toEqual([
      { 'X-API-Key': 'sk_test_a', 'Nimbus-Sandbox-Dashboard': 'poll' },
      { 'X-API-Key': 'sk_test_a', 'Content-Type': 'application/json' },
    ]);
    expect(calls[1]!.init.body).toBe('{"seconds":3600}');
  });

  it("throws the error envelope's message and code", async () => {
    const { api } = recording(() => Response.json({ error: { code: 'invalid_state_transition', message: 'Order ord_1 is shipped', requestId: 'req_1' } }, { status: 409 }));
    await expect(api.call('DELETE', '/orders/ord_1')).rejects.toMatchObject({ status: 409, code: 'invalid_state_transition', message: 'Order ord_1 is shipped' });
  });

  it('adds the field and reason the envelope names', async () => {
    const { api } = recording(() => Response.json({ error: { code: 'validation_error', message: 'The request body is invalid', requestId: 'req_1', details: { field: 'seconds', reason: 'must be <= 315360000' } } }, { status: 422 }));
    await expect(api.call('POST', '/sandbox/clock/advance', { seconds: 1e12 })).rejects.toThrow('The request body is invalid (seconds: must be <= 315360000)');
  });

  it('names the status when the answer is not an envelope, and says so when nothing answers', async () => {
    const { api } = recording(() => new Response('<html>', { status: 502, statusText: 'Bad Gateway' }));
    await expect(api.poll('/sandbox/clock')).rejects.toThrow('HTTP 502 Bad Gateway');
    const down = createApi('sk', async () => { throw new TypeError('fetch failed'); });
    await expect(down.poll('/sandbox/clock')).rejects.toEqual(new ApiError(0, 'The sandbox did not answer: is it still running?'));
  });

  it('tells a gone cursor and a missing record from other refusals', async () => {
    const { api } = recording(() => Response.json({ error: { code: 'invalid_request', message: 'The cursor is not one this sandbox issued', requestId: 'req_1', details: { field: 'cursor', reason: 'Unknown cursor' } } }, { status: 400 }));
    const gone = await api.poll('/sandbox/orders?cursor=x').catch((error: unknown) => error);
    expect([isUnknownCursor(gone), isNotFound(gone)]).toEqual([true, false]);
    const other = new ApiError(400, 'bad', 'invalid_request', 'limit');
    expect([isUnknownCursor(other), isNotFound(new ApiError(404, 'no'))]).toEqual([false, true]);
  });
});
