import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { startReceiver, type Receiver } from '../../contract-tests/kit/receiver.ts';

/** Posts with a keep-alive connection, as a webhook sender does; resolves with the status. */
function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Connection: 'keep-alive' } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

let receiver: Receiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('the kit\'s webhook receiver', () => {
  test('keeps each delivery at its own path, raw, with its headers and the status it answered', async () => {
    receiver = await startReceiver('127.0.0.1', { maxBodyBytes: 1024, maxDeliveries: 10 });
    receiver.respondWith(({ json }) => ((json as { fail?: boolean }).fail ? 500 : 204));
    expect(await post(receiver.url, '{"fail":true}')).toBe(500);
    expect(await post(receiver.url, '{ "id": 1 }')).toBe(204);
    expect(await post(new URL('/elsewhere', receiver.url).toString(), '{}')).toBe(404);
    expect(receiver.deliveries.map(({ body, answered, headers }) => [body, answered, headers['content-type']]))
      .toEqual([['{"fail":true}', 500, 'application/json'], ['{ "id": 1 }', 204, 'application/json']]);
  });

  test('bounds what it keeps: a body over the limit is a 413, a delivery past the count a 503, neither kept', async () => {
    receiver = await startReceiver('127.0.0.1', { maxBodyBytes: 16, maxDeliveries: 2 });
    expect(await post(receiver.url, JSON.stringify({ padding: 'x'.repeat(100) }))).toBe(413);
    expect([await post(receiver.url, '{}'), await post(receiver.url, '{}'), await post(receiver.url, '{}')]).toEqual([200, 200, 503]);
    expect(receiver.deliveries).toHaveLength(2);
  });

  test('waitFor resolves with a delivery as it arrives, and with undefined at its timeout or when the receiver closes', async () => {
    receiver = await startReceiver();
    const waiting = receiver.waitFor((delivery) => (delivery.json as { n?: number }).n === 2, 5_000);
    await post(receiver.url, '{"n":1}');
    await post(receiver.url, '{"n":2}');
    expect((await waiting)?.body).toBe('{"n":2}');
    expect(await receiver.waitFor(() => false, 10)).toBeUndefined();
    const never = receiver.waitFor(() => false, 60_000);
    await receiver.close();
    expect(await never).toBeUndefined();
  });

  test('names the address it could not listen on', async () => {
    await expect(startReceiver('192.0.2.1')).rejects.toThrow(/cannot listen on 192\.0\.2\.1 .*--receiver-host/);
  });

  test('closes at once although a sender is still half-way through a request', async () => {
    receiver = await startReceiver();
    const { port, pathname } = new URL(receiver.url);
    const slow = connect(Number(port), '127.0.0.1');
    slow.on('error', () => {});
    await once(slow, 'connect');
    slow.write(`POST ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{`);
    // The receiver resets it: 'error' then 'close' (events.once would reject on the error).
    const ended = new Promise((resolve) => slow.on('close', resolve));
    const started = performance.now();
    await receiver.close();
    await ended;
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(post(receiver.url, '{}')).rejects.toThrow();
  }, 5_000);
});
