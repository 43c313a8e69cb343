import { describe, expect, it } from 'vitest';
import { createSandbox } from '../sandbox.ts';
import { openApiDocument } from '../spec.ts';
import { bindOperations, specOperations } from './operations.ts';
import type { Handlers } from './respond.ts';

/** A handler for every operation of the spec, each answering its own operationId. */
function stubHandlers(): Record<string, unknown> {
  return Object.fromEntries(specOperations().map((operation) => [operation.id, () => new Response(operation.id)]));
}

describe('operations bound by operationId', () => {
  it('lists every operation of spec/openapi.yaml, and nothing else', () => {
    const fromSpec = Object.values(openApiDocument.paths).flatMap((item) => Object.values(item as Record<string, { operationId?: string }>))
      .map((operation) => operation.operationId).filter((id): id is string => id !== undefined).sort();
    expect(specOperations().map((operation) => operation.id).sort()).toEqual(fromSpec);
    expect(fromSpec.length).toBeGreaterThan(10);
  });

  it('refuses at start-up an operation of the spec with no handler', () => {
    const handlers = stubHandlers();
    delete handlers.getOrder;
    expect(() => bindOperations(handlers as unknown as Handlers)).toThrow('getOrder has no handler');
  });

  it('refuses at start-up a handler that names no operation of the spec', () => {
    const handlers = { ...stubHandlers(), listPharmacies: () => new Response() };
    expect(() => bindOperations(handlers as unknown as Handlers)).toThrow('listPharmacies is no operation of spec/openapi.yaml');
  });

  it('gives the published API its rate-limit group and the sandbox helpers none', () => {
    const groups = Object.fromEntries(bindOperations(stubHandlers() as unknown as Handlers).map((path) => [path.specPath, path.group]));
    expect(groups).toMatchObject({
      '/orders': 'orders', '/orders/{orderId}': 'orders', '/refills': 'refills', '/webhooks/test': 'webhooks',
      '/sandbox/orders': undefined, '/sandbox/reset': undefined,
    });
  });

  it('binds each path of the spec once, in Hono\'s form, with every method the spec gives it', () => {
    const bound = bindOperations(stubHandlers() as unknown as Handlers);
    const orders = bound.find((path) => path.specPath === '/orders/{orderId}')!;
    expect({ route: orders.route, methods: [...orders.methods.keys()].sort() }).toEqual({ route: '/orders/:orderId', methods: ['DELETE', 'GET'] });
    expect(new Set(bound.map((path) => path.specPath)).size).toBe(Object.keys(openApiDocument.paths).length);
  });

  it('serves every operation of the spec from the sandbox\'s own handlers (none answers 404 for its route or 405)', async () => {
    const sandbox = createSandbox({ rateLimit: false, sweepIntervalMs: 0 });
    for (const operation of specOperations()) {
      const path = operation.path.replace('{orderId}', 'ord_1234567890').replace('{refillId}', 'ref_unknown').replace('{endpointId}', 'we_unknown');
      const response = await sandbox.request(path, { method: operation.method, headers: { 'X-API-Key': 'key_coverage' } });
      const json = response.headers.get('Content-Type')?.startsWith('application/json') === true;
      const body = (json ? await response.json() : {}) as { error?: { code: string; details?: { field?: string } } };
      expect([operation.id, response.status === 405 || body.error?.details?.field === 'path']).toEqual([operation.id, false]);
    }
    sandbox.close();
  });

  it('answers 404 naming the parameter for a path id of the wrong shape, before any handler runs', async () => {
    const sandbox = createSandbox({ rateLimit: false, sweepIntervalMs: 0 });
    const response = await sandbox.request('/orders/not-an-order-id', { headers: { 'X-API-Key': 'key_shape' } });
    expect([response.status, (await response.json() as { error: { code: string; details: { field: string } } }).error]).toMatchObject([404, { code: 'not_found', details: { field: 'orderId', reason: 'Must match ^ord_[A-Za-z0-9_]+$' } }]);
    sandbox.close();
  });
});
