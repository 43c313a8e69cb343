import { isNotFound } from './api.ts';
import { formatTime, h, prettyJson, redraw, replace } from './dom.ts';
import type { Panel, PanelContext } from './panel.ts';
import { newestOnly, section } from './panel.ts';
import { EVENT_TYPES } from './rules.ts';

interface Endpoint { id: string; url: string; events: string[]; secret: string; createdAt: string }
interface Delivery extends Record<string, unknown> {
  eventId: string; eventType: string; body: string; signature: string; attempt: number; attemptedAt: string; succeeded: boolean;
  responseStatus: number | null; error: string | null; nextRetryAt: string | null; deadLettered: boolean;
}

/** What a delivery row and its details show; whatever else the sandbox says of it goes in the details too, as JSON. */
const DELIVERY_SHOWN = new Set(['eventId', 'eventType', 'body', 'signature', 'attempt', 'attemptedAt', 'succeeded', 'responseStatus', 'error', 'nextRetryAt', 'deadLettered']);

/** A delivery's body and signature, and anything else listed of it, in a disclosure. */
function deliveryDetails(delivery: Delivery, open: Set<string>): HTMLElement {
  const name = `${delivery.eventId} attempt ${delivery.attempt}`;
  const more = Object.fromEntries(Object.entries(delivery).filter(([field]) => !DELIVERY_SHOWN.has(field)));
  const details = h('details', { class: 'delivery-sent', open: open.has(name) },
    h('summary', { 'data-focus': `sent-${name}` }, 'Show', h('span', { class: 'visually-hidden' }, ` body and signature of ${name}`)),
    h('dl', {},
      h('dt', {}, 'X-Webhook-Signature'),
      h('dd', {}, h('code', { 'data-testid': 'delivery-signature' }, delivery.signature)),
      h('dt', {}, 'Body'),
      h('dd', {}, h('pre', { 'data-testid': 'delivery-body' }, prettyJson(delivery.body)),
        h('small', {}, 'Pretty-printed here; the signature is over the body exactly as sent, on one line.')),
      Object.keys(more).length === 0 ? null : [h('dt', {}, 'Also listed'), h('dd', {}, h('pre', {}, JSON.stringify(more, null, 2)))]));
  // A poll redraws the table: what the user opened stays open.
  details.addEventListener('toggle', () => {
    if (details.open) open.add(name);
    else open.delete(name);
  });
  return details;
}

export function webhooksPanel({ api, refreshAll }: PanelContext): Panel {
  const { element, message, run } = section('webhooks', 'Webhooks');
  const order = newestOnly();
  const endpointsRegion = h('div', { class: 'list' });
  const deliveriesRegion = h('div', { class: 'deliveries' });
  const revealed = new Set<string>();
  const openDeliveries = new Set<string>();
  let selected: string | undefined;
  let endpoints: Endpoint[] = [];

  const urlInput = h('input', { id: 'endpoint-url', type: 'url', required: true, placeholder: 'http://127.0.0.1:4000/webhooks', autocomplete: 'off' });
  const eventBoxes = EVENT_TYPES.map((type) => h('input', { type: 'checkbox', id: `event-${type}`, value: type }));
  const register = h('form', { class: 'stack', onsubmit: (event: Event) => {
    event.preventDefault();
    const events = eventBoxes.filter((box) => box.checked).map((box) => box.value);
    void run(async () => {
      const endpoint = await api.call<Endpoint>('POST', '/sandbox/webhook-endpoints', events.length > 0 ? { url: urlInput.value, events } : { url: urlInput.value });
      urlInput.value = '';
      selected = endpoint.id;
      await refreshAll();
      return `Registered ${endpoint.id}`;
    });
  } },
  h('div', { class: 'row' }, h('label', { for: 'endpoint-url' }, 'Endpoint URL'), urlInput, h('button', { type: 'submit' }, 'Register endpoint')),
  h('fieldset', { class: 'events' }, h('legend', {}, 'Events (none ticked: the published events)'),
    eventBoxes.map((box) => h('span', {}, box, h('label', { for: box.id }, box.value)))));

  const testType = h('select', { id: 'test-event-type' }, EVENT_TYPES.map((type) => h('option', { value: type }, type)));
  const test = h('form', { class: 'row', onsubmit: (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const result = await api.call<{ message: string }>('POST', '/webhooks/test', { eventType: testType.value });
      await refreshAll();
      return result.message;
    });
  } }, h('label', { for: 'test-event-type' }, 'Test event'), testType, h('button', { type: 'submit' }, 'Send test event'));

  element.append(register, test, message, endpointsRegion, deliveriesRegion);

  function showEndpoints(): void {
    redraw(endpointsRegion, [endpoints, selected, [...revealed]], drawEndpoints);
  }

  function drawEndpoints(): void {
    replace(endpointsRegion, endpoints.length === 0 ? h('p', {}, 'No endpoints yet.') : h('table', {},
      h('caption', { class: 'visually-hidden' }, 'Webhook endpoints'),
      h('thead', {}, h('tr', {}, ['Id', 'URL', 'Events', 'Secret', 'Actions'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, endpoints.map((endpoint) => h('tr', { 'aria-current': endpoint.id === selected ? 'true' : undefined },
        h('td', {}, endpoint.id),
        h('td', { class: 'wrap' }, endpoint.url),
        h('td', { class: 'wrap' }, endpoint.events.join(', ')),
        h('td', {}, revealed.has(endpoint.id) ? h('code', {}, endpoint.secret) : '••••••',
          ' ', h('button', { type: 'button', class: 'link', 'data-focus': `secret-${endpoint.id}`, 'aria-label': `${revealed.has(endpoint.id) ? 'Hide' : 'Reveal'} secret of ${endpoint.id}`, onclick: () => {
            if (!revealed.delete(endpoint.id)) revealed.add(endpoint.id);
            showEndpoints();
          } }, revealed.has(endpoint.id) ? 'Hide secret' : 'Reveal secret')),
        h('td', {},
          h('button', { type: 'button', 'data-focus': `deliveries-${endpoint.id}`, 'aria-label': `Deliveries of ${endpoint.id}`, onclick: () => { selected = endpoint.id; void run(async () => { await refresh(); return undefined; }); } }, 'Deliveries'),
          ' ',
          h('button', { type: 'button', class: 'danger', 'data-focus': `delete-${endpoint.id}`, onclick: () => void run(async () => {
            await api.call('DELETE', `/sandbox/webhook-endpoints/${encodeURIComponent(endpoint.id)}`);
            if (selected === endpoint.id) selected = undefined;
            await refresh();
            // Its row, and the button used, are gone.
            message.focus();
            return `Deleted ${endpoint.id}`;
          }), 'aria-label': `Delete ${endpoint.id}` }, 'Delete')))))));
  }

  function showDeliveries(endpointId: string, deliveries: Delivery[]): void {
    redraw(deliveriesRegion, [endpointId, deliveries], () => drawDeliveries(endpointId, deliveries));
  }

  function drawDeliveries(endpointId: string, deliveries: Delivery[]): void {
    replace(deliveriesRegion, h('h3', {}, `Deliveries to ${endpointId}`), deliveries.length === 0 ? h('p', {}, 'No deliveries yet.') : h('table', {},
      h('caption', { class: 'visually-hidden' }, `Deliveries to ${endpointId}, oldest first`),
      h('thead', {}, h('tr', {}, ['Event', 'Attempt', 'At', 'Result', 'Next retry', 'Dead letter', 'Body and signature sent'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, deliveries.map((delivery) => h('tr', {},
        h('td', {}, delivery.eventType, h('br'), h('small', {}, delivery.eventId)),
        h('td', {}, delivery.attempt),
        h('td', {}, formatTime(delivery.attemptedAt)),
        h('td', { class: delivery.succeeded ? 'ok' : 'failed' }, delivery.succeeded ? `${delivery.responseStatus ?? ''} delivered` : delivery.error ?? `HTTP ${delivery.responseStatus ?? '?'}`),
        h('td', {}, formatTime(delivery.nextRetryAt)),
        h('td', {}, delivery.deadLettered ? 'yes' : 'no'),
        h('td', {}, deliveryDetails(delivery, openDeliveries)))))));
  }

  /** Draws what could be read: a failing deliveries read does not hold back the endpoints; the first failure is thrown after. */
  async function refresh(): Promise<void> {
    const id = selected;
    const ticket = order.ticket();
    const [listRead, deliveriesRead] = await Promise.allSettled([
      api.poll<{ data: Endpoint[] }>('/sandbox/webhook-endpoints'),
      id === undefined ? Promise.resolve(undefined) : api.poll<{ data: Delivery[] }>(`/sandbox/webhook-endpoints/${encodeURIComponent(id)}/deliveries`),
    ]);
    if (!order.mayDraw(ticket)) return;
    if (listRead.status === 'fulfilled') {
      endpoints = listRead.value.data;
      showEndpoints();
    }
    if (id !== selected) return;
    if (id === undefined || (deliveriesRead.status === 'rejected' && isNotFound(deliveriesRead.reason))) {
      selected = undefined;
      replace(deliveriesRegion);
    } else if (deliveriesRead.status === 'fulfilled' && deliveriesRead.value !== undefined) {
      showDeliveries(id, deliveriesRead.value.data);
    }
    const failed = [listRead, deliveriesRead].find((read): read is PromiseRejectedResult => read.status === 'rejected');
    if (failed !== undefined && !isNotFound(failed.reason)) throw failed.reason;
  }

  return { element, refresh };
}
