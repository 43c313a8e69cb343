import { Client, type SendOptions } from './client.ts';
import { freshKey } from './keys.ts';
import { operation, requestExample } from './spec.ts';
import type { Target } from './target.ts';
import { PUBLISHED_ORDER_ID } from './test-data.ts';

export interface Capability {
  offered: boolean;
  /** What the probe saw, printed with every skip that depends on it. */
  evidence: string;
}

export interface Capabilities {
  /** Any non-empty API key is accepted as a tenant of its own (the sandbox default). */
  anyKey: Capability;
  /** The planned `DELETE /orders/{orderId}`. */
  cancel: Capability;
  /** `GET /sandbox/orders`. */
  sandboxList: Capability;
  /** `POST /sandbox/reset`. */
  sandboxReset: Capability;
  /** `GET /sandbox/clock` and `POST /sandbox/clock/advance`. */
  sandboxClock: Capability;
  /** `POST /sandbox/orders/{orderId}/advance`. */
  sandboxAdvance: Capability;
  /** `POST /refills`. */
  refills: Capability;
  /** The planned `GET /refills/{refillId}`. */
  refillRead: Capability;
  /** `POST /sandbox/webhook-endpoints`: endpoints the target posts events to, with their secrets. */
  webhookEndpoints: Capability;
  /** `GET /sandbox/orders/{orderId}/history`. */
  orderHistory: Capability;
}

export const CAPABILITY_NAMES: Record<keyof Capabilities, string> = {
  anyKey: 'any API key is its own tenant',
  cancel: 'DELETE /orders/{orderId} (planned)',
  sandboxList: 'GET /sandbox/orders',
  sandboxReset: 'POST /sandbox/reset',
  sandboxClock: 'GET /sandbox/clock and POST /sandbox/clock/advance',
  sandboxAdvance: 'POST /sandbox/orders/{orderId}/advance',
  refills: 'POST /refills',
  refillRead: 'GET /refills/{refillId} (planned)',
  webhookEndpoints: 'POST /sandbox/webhook-endpoints',
  orderHistory: 'GET /sandbox/orders/{orderId}/history',
};

/** Probes talk to a target that may lack what they look for, so their answers are not held to the spec. */
const PROBE: SendOptions = { conformance: false };
const ABSENT = new Set([404, 405, 501]);
const ONLY_WITH_ANY_KEY = 'only probed where any key is accepted';

/** The `id` of a created resource; undefined when the answer is no JSON object with a text id. */
const idIn = (json: unknown): string | undefined => {
  const id = (json as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
};

async function createProbeOrder(client: Client): Promise<{ orderId?: string; evidence: string }> {
  const created = await client.send({ method: 'POST', path: '/orders', json: requestExample(operation('createOrder'), 'guide') }, PROBE);
  // Any success will do: whether creates answer 201 is for the checks to judge, not for the probe of another operation.
  if (created.status < 200 || created.status > 299) return { evidence: `POST /orders answered ${created.status}` };
  const orderId = idIn(created.json);
  return orderId === undefined ? { evidence: `POST /orders answered ${created.status} without an id in a JSON body` } : { orderId, evidence: 'created' };
}

async function probeCancel(client: Client): Promise<Capability> {
  const { orderId, evidence } = await createProbeOrder(client);
  if (orderId === undefined) return { offered: false, evidence: `could not create an order to cancel (${evidence})` };
  const cancelled = await client.send({ method: 'DELETE', path: `/orders/${encodeURIComponent(orderId)}` }, PROBE);
  return { offered: !ABSENT.has(cancelled.status), evidence: `DELETE of a new order answered ${cancelled.status}` };
}

async function probeAdvance(client: Client): Promise<Capability> {
  const { orderId, evidence } = await createProbeOrder(client);
  if (orderId === undefined) return { offered: false, evidence: `could not create an order to advance (${evidence})` };
  const advanced = await client.send({ method: 'POST', path: `/sandbox/orders/${encodeURIComponent(orderId)}/advance` }, PROBE);
  return { offered: advanced.status === 200, evidence: `POST /sandbox/orders/{orderId}/advance of a new order answered ${advanced.status}` };
}

async function probeClock(client: Client, fresh: Client | undefined): Promise<Capability> {
  const clock = await client.send({ method: 'GET', path: '/sandbox/clock' }, PROBE);
  if (clock.status !== 200) return { offered: false, evidence: `GET /sandbox/clock answered ${clock.status}` };
  if (fresh === undefined) return { offered: false, evidence: `GET /sandbox/clock answered 200; POST /sandbox/clock/advance not probed: it would move the clock of the given API key; ${ONLY_WITH_ANY_KEY}` };
  const advanced = await fresh.send({ method: 'POST', path: '/sandbox/clock/advance', json: { seconds: 0.001 } }, PROBE);
  return { offered: advanced.status === 200, evidence: `GET /sandbox/clock answered 200; POST /sandbox/clock/advance on a fresh key answered ${advanced.status}` };
}

/** POST /refills with an empty body: a target that offers refills refuses it (422), one that does not answers 404/405/501. */
async function probeRefills(client: Client): Promise<Capability> {
  const refused = await client.send({ method: 'POST', path: '/refills', json: {} }, PROBE);
  return { offered: !ABSENT.has(refused.status), evidence: `POST /refills with an empty body answered ${refused.status}` };
}

/** Registration with an empty body: refused (422) where offered, so the probe leaves no endpoint behind. */
async function probeWebhookEndpoints(client: Client): Promise<Capability> {
  const refused = await client.send({ method: 'POST', path: '/sandbox/webhook-endpoints', json: {} }, PROBE);
  return { offered: !ABSENT.has(refused.status), evidence: `POST /sandbox/webhook-endpoints with an empty body answered ${refused.status}` };
}

async function probeOrderHistory(client: Client): Promise<Capability> {
  const history = await client.send({ method: 'GET', path: `/sandbox/orders/${PUBLISHED_ORDER_ID}/history` }, PROBE);
  return { offered: history.status === 200, evidence: `GET /sandbox/orders/${PUBLISHED_ORDER_ID}/history answered ${history.status}` };
}

async function probeRefillRead(fresh: Client | undefined, refills: Capability): Promise<Capability> {
  if (!refills.offered) return { offered: false, evidence: `there is no refill to read: ${refills.evidence}` };
  if (fresh === undefined) return { offered: false, evidence: `not probed: creating a refill would use up a refill window of the given API key; ${ONLY_WITH_ANY_KEY}` };
  const created = await fresh.send({ method: 'POST', path: '/refills', json: { prescriptionId: 'rx_9876543210', patientId: 'pat_1234567890' } }, PROBE);
  if (created.status !== 201) return { offered: false, evidence: `could not create a refill to read (POST /refills answered ${created.status})` };
  const refillId = idIn(created.json);
  if (refillId === undefined) return { offered: false, evidence: 'could not create a refill to read (POST /refills answered 201 without an id in a JSON body)' };
  const read = await fresh.send({ method: 'GET', path: `/refills/${encodeURIComponent(refillId)}` }, PROBE);
  return { offered: read.status === 200, evidence: `GET of a new refill answered ${read.status}` };
}

async function probe(target: Target): Promise<Capabilities> {
  const stranger = new Client(target, freshKey());
  const read = await stranger.send({ method: 'GET', path: `/orders/${PUBLISHED_ORDER_ID}` }, PROBE);
  const anyKey = { offered: read.status !== 401 && read.status !== 403, evidence: `a random API key got ${read.status} from GET /orders/${PUBLISHED_ORDER_ID}` };
  const client = anyKey.offered ? stranger : target.apiKey === undefined ? undefined : new Client(target, target.apiKey);
  if (client === undefined) {
    const none = { offered: false, evidence: 'the target refuses random API keys and no API key was given (--api-key or NIMBUS_API_KEY)' };
    return { anyKey, cancel: none, sandboxList: none, sandboxReset: none, sandboxClock: none, sandboxAdvance: none, refills: none, refillRead: none, webhookEndpoints: none, orderHistory: none };
  }
  /** A client on a fresh tenant, for probes that change a tenant; undefined where only the given API key is accepted. */
  const fresh = () => (anyKey.offered ? new Client(target, freshKey()) : undefined);
  const list = await client.send({ method: 'GET', path: '/sandbox/orders', query: { limit: 1 } }, PROBE);
  const sandboxList = { offered: list.status === 200, evidence: `GET /sandbox/orders answered ${list.status}` };
  let sandboxReset: Capability = { offered: false, evidence: `not probed: resetting would wipe the data of the given API key; ${ONLY_WITH_ANY_KEY}` };
  const resetter = fresh();
  if (resetter !== undefined) {
    const reset = await resetter.send({ method: 'POST', path: '/sandbox/reset' }, PROBE);
    sandboxReset = { offered: reset.status === 200, evidence: `POST /sandbox/reset answered ${reset.status}` };
  }
  const refills = await probeRefills(client);
  return {
    anyKey, cancel: await probeCancel(client), sandboxList, sandboxReset,
    sandboxClock: await probeClock(client, fresh()),
    sandboxAdvance: await probeAdvance(client),
    refills,
    refillRead: await probeRefillRead(fresh(), refills),
    webhookEndpoints: await probeWebhookEndpoints(client),
    orderHistory: await probeOrderHistory(client),
  };
}

const probed = new WeakMap<Target, Promise<Capabilities>>();

/** What the target offers, probed once per target. */
export function capabilitiesOf(target: Target): Promise<Capabilities> {
  let capabilities = probed.get(target);
  if (capabilities === undefined) {
    capabilities = probe(target);
    probed.set(target, capabilities);
  }
  return capabilities;
}

export function describeCapabilities(capabilities: Capabilities): string {
  return (Object.keys(CAPABILITY_NAMES) as Array<keyof Capabilities>)
    .map((name) => `  ${capabilities[name].offered ? 'yes' : 'no '}  ${CAPABILITY_NAMES[name]} (${capabilities[name].evidence})`)
    .join('\n');
}
