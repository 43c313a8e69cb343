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
}

export const CAPABILITY_NAMES: Record<keyof Capabilities, string> = {
  anyKey: 'any API key is its own tenant',
  cancel: 'DELETE /orders/{orderId} (planned)',
  sandboxList: 'GET /sandbox/orders',
  sandboxReset: 'POST /sandbox/reset',
};

/** Probes talk to a target that may lack what they look for, so their answers are not held to the spec. */
const PROBE: SendOptions = { conformance: false };
const ABSENT = new Set([404, 405, 501]);

async function probeCancel(client: Client): Promise<Capability> {
  const created = await client.send({ method: 'POST', path: '/orders', json: requestExample(operation('createOrder'), 'guide') }, PROBE);
  if (created.status !== 201) return { offered: false, evidence: `could not create an order to cancel (POST /orders answered ${created.status})` };
  const orderId = (created.json as { id?: string }).id ?? '';
  const cancelled = await client.send({ method: 'DELETE', path: `/orders/${orderId}` }, PROBE);
  return { offered: !ABSENT.has(cancelled.status), evidence: `DELETE of a new order answered ${cancelled.status}` };
}

async function probe(target: Target): Promise<Capabilities> {
  const stranger = new Client(target, freshKey());
  const read = await stranger.send({ method: 'GET', path: `/orders/${PUBLISHED_ORDER_ID}` }, PROBE);
  const anyKey = { offered: read.status !== 401 && read.status !== 403, evidence: `a random API key got ${read.status} from GET /orders/${PUBLISHED_ORDER_ID}` };
  const client = anyKey.offered ? stranger : target.apiKey === undefined ? undefined : new Client(target, target.apiKey);
  if (client === undefined) {
    const none = { offered: false, evidence: 'the target refuses random API keys and NIMBUS_API_KEY is not set' };
    return { anyKey, cancel: none, sandboxList: none, sandboxReset: none };
  }
  const list = await client.send({ method: 'GET', path: '/sandbox/orders', query: { limit: 1 } }, PROBE);
  const sandboxList = { offered: list.status === 200, evidence: `GET /sandbox/orders answered ${list.status}` };
  let sandboxReset: Capability = { offered: false, evidence: 'not probed: resetting would wipe the data of NIMBUS_API_KEY; only probed where any key is accepted' };
  if (anyKey.offered) {
    const reset = await new Client(target, freshKey()).send({ method: 'POST', path: '/sandbox/reset' }, PROBE);
    sandboxReset = { offered: reset.status === 200, evidence: `POST /sandbox/reset answered ${reset.status}` };
  }
  return { anyKey, cancel: await probeCancel(client), sandboxList, sandboxReset };
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
