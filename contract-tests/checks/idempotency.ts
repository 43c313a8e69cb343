import { defineCheck } from '../kit/check.ts';
import { errorOf, orderListOf, orderOf } from '../kit/client.ts';
import { ensure, expectEqual, expectError, expectStatus } from '../kit/expect.ts';
import { freshIdempotencyKey } from '../kit/keys.ts';
import { createOrder, guideOrder } from '../kit/steps.ts';

const PARALLEL_REQUESTS = 5;

export const replayIsByteIdentical = defineCheck(
  'idempotency/replay-returns-the-first-answer-byte-for-byte',
  'The same Idempotency-Key with the same body answers the stored answer: same status, byte-identical body, same Location',
  async ({ client }) => {
    const api = client();
    const key = freshIdempotencyKey();
    const { exchange: first } = await createOrder(api, guideOrder(), key);
    const replay = await api.createOrder(guideOrder(), key);
    expectStatus(replay, 201, 'replaying a create with its idempotency key', first);
    ensure(replay.text === first.text, 'the replay\'s body is not byte-identical to the first answer', first, replay);
    expectEqual(replay.headers.get('location'), first.headers.get('location'), 'Location of the replay', first, replay);
  },
);

export const replayIsMarked = defineCheck(
  'idempotency/replay-is-marked-with-idempotent-replayed-and-original-request-id',
  'A replay carries Idempotent-Replayed: true, its own X-Request-Id and Original-Request-Id naming the first request; a first answer carries no Idempotent-Replayed',
  async ({ client }) => {
    const api = client();
    const key = freshIdempotencyKey();
    const { exchange: first } = await createOrder(api, guideOrder(), key);
    const { exchange: replay } = await createOrder(api, guideOrder(), key);
    ensure(!first.headers.has('idempotent-replayed'), 'the first answer claims to be a replay', first);
    expectEqual(replay.headers.get('idempotent-replayed'), 'true', 'Idempotent-Replayed of the replay', first, replay);
    expectEqual(replay.headers.get('original-request-id'), first.headers.get('x-request-id'), 'Original-Request-Id of the replay', first, replay);
    ensure(replay.headers.get('x-request-id') !== first.headers.get('x-request-id'), 'the replay reuses the first X-Request-Id instead of its own', first, replay);
  },
);

export const memberOrderDoesNotMatter = defineCheck(
  'idempotency/replay-ignores-the-order-of-body-members',
  'The request fingerprint is the parsed body: the same members in another order replay, not conflict',
  async ({ client }) => {
    const api = client();
    const key = freshIdempotencyKey();
    const body = guideOrder();
    const { exchange: first } = await createOrder(api, body, key);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const replay = await api.createOrder(reordered, key);
    expectStatus(replay, 201, 'replaying with the body members in another order', first);
    expectEqual(orderOf(replay).id, orderOf(first).id, 'order id of the replay', first, replay);
  },
);

export const differentBodyIsConflict = defineCheck(
  'idempotency/same-key-with-another-body-is-409-conflict',
  'The same Idempotency-Key with a different body answers 409 idempotency_key_conflict',
  async ({ client }) => {
    const api = client();
    const key = freshIdempotencyKey();
    const { exchange: first } = await createOrder(api, guideOrder(), key);
    const conflicting = await api.createOrder({ ...guideOrder(), notes: 'A different request' }, key);
    expectError(conflicting, 409, 'idempotency_key_conflict', 'reusing an idempotency key for another body', first);
  },
);

export const parallelRequestsMakeOneOrder = defineCheck(
  'idempotency/parallel-identical-requests-create-one-order',
  'Identical requests sent at once with one Idempotency-Key create exactly one order (the others replay it or answer 409 idempotency_key_in_use)',
  async ({ client, capabilities }) => {
    const api = client();
    const key = freshIdempotencyKey();
    const listedIds = async () => {
      const listed = await api.listOrders({ limit: 100 });
      expectStatus(listed, 200, 'listing the tenant\'s orders');
      return new Set(orderListOf(listed).data.map((order) => order.id));
    };
    const canCount = capabilities.sandboxList.offered && capabilities.anyKey.offered;
    const before = canCount ? await listedIds() : new Set<string>();
    const answers = await Promise.all(Array.from({ length: PARALLEL_REQUESTS }, () => api.createOrder(guideOrder(), key)));
    for (const answer of answers) {
      if (answer.status !== 201) expectError(answer, 409, 'idempotency_key_in_use', 'a parallel request with the same key');
    }
    const settled = await api.createOrder(guideOrder(), key);
    expectStatus(settled, 201, 'repeating the request once all have finished', ...answers);
    const ids = new Set([...answers, settled].filter((answer) => answer.status === 201).map((answer) => orderOf(answer).id));
    ensure(ids.size === 1, `${PARALLEL_REQUESTS} parallel requests with one key answered with ${ids.size} orders: ${[...ids].join(', ')}`, ...answers, settled);
    if (canCount) {
      const created = [...await listedIds()].filter((id) => !before.has(id));
      ensure(created.length === 1, `the tenant lists ${created.length} new orders after ${PARALLEL_REQUESTS} parallel requests with one key: ${created.join(', ')}`, ...answers, settled);
    }
  },
);

export const keysAreScopedToTheApiKey = defineCheck(
  'idempotency/keys-are-scoped-to-the-api-key',
  'The same Idempotency-Key under another API key is independent: a new order, neither a replay nor a conflict',
  async ({ client, isolatedClient }) => {
    const key = freshIdempotencyKey();
    const { exchange: mine } = await createOrder(client(), guideOrder(), key);
    const theirs = await isolatedClient('a second tenant').createOrder({ ...guideOrder(), notes: 'Another tenant' }, key);
    expectStatus(theirs, 201, 'another API key using the same idempotency key', mine);
    ensure(!theirs.headers.has('idempotent-replayed') && orderOf(theirs).id !== orderOf(mine).id,
      'another API key got the first key\'s answer replayed', mine, theirs);
  },
);

export const refusalDoesNotConsumeTheKey = defineCheck(
  'idempotency/refused-request-does-not-consume-the-key',
  'A request refused before any work (422) does not claim its Idempotency-Key: a valid request with it then creates an order',
  async ({ client }) => {
    const api = client();
    const key = freshIdempotencyKey();
    const { patientId: _dropped, ...invalid } = guideOrder();
    const refused = await api.createOrder(invalid, key);
    expectError(refused, 422, 'validation_error', 'creating an order without patientId');
    const created = await api.createOrder(guideOrder(), key);
    expectStatus(created, 201, 'a valid request reusing the key of a refused one', refused);
    ensure(!created.headers.has('idempotent-replayed'), 'the valid request was answered as a replay of the refused one', refused, created);
  },
);

export const malformedKeyIs400 = defineCheck(
  'idempotency/over-long-key-is-400-naming-the-header',
  'An Idempotency-Key over 255 characters answers 400 invalid_request naming the Idempotency-Key header',
  async ({ client }) => {
    const refused = await client().createOrder(guideOrder(), 'k'.repeat(256));
    expectError(refused, 400, 'invalid_request', 'creating an order with a 256-character idempotency key');
    expectEqual(errorOf(refused)?.details?.field, 'Idempotency-Key', 'details.field of the refusal', refused);
  },
);

export const noKeyNoDeduplication = defineCheck(
  'idempotency/requests-without-a-key-are-not-deduplicated',
  'Without an Idempotency-Key nothing is deduplicated: two identical requests create two orders',
  async ({ client }) => {
    const api = client();
    const { exchange: first } = await createOrder(api);
    const { exchange: second } = await createOrder(api);
    ensure(orderOf(first).id !== orderOf(second).id, 'two identical requests without a key returned the same order', first, second);
  },
);

const HOUR_S = 60 * 60;

export const keysLastADay = defineCheck(
  'idempotency/a-key-replays-for-24-hours-then-expires',
  'On the target\'s clock, the same Idempotency-Key and body 23 hours after the first request still replays it; 25 hours after, the key has expired and a new order is created',
  async ({ isolatedClient, require }) => {
    require('sandboxClock');
    const api = isolatedClient('it moves its clock');
    const key = freshIdempotencyKey();
    const { exchange: first } = await createOrder(api, guideOrder(), key);
    const almost = await api.advanceClock(23 * HOUR_S);
    expectStatus(almost, 200, 'advancing the clock 23 hours', first);
    const replay = await api.createOrder(guideOrder(), key);
    expectStatus(replay, 201, 'sending the request again 23 hours later', first, almost);
    ensure(replay.text === first.text && replay.headers.get('idempotent-replayed') === 'true',
      'the same key and body 23 hours later is not a replay of the first answer', first, almost, replay);
    const past = await api.advanceClock(2 * HOUR_S);
    expectStatus(past, 200, 'advancing the clock 2 hours more', first, almost, replay);
    const { exchange: fresh, order } = await createOrder(api, guideOrder(), key);
    ensure(order.id !== orderOf(first).id && fresh.headers.get('idempotent-replayed') === null,
      'the same key and body 25 hours later still replays the first answer, instead of creating a new order', first, almost, replay, past, fresh);
  },
);
