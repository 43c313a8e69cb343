import { defineCheck } from '../kit/check.ts';
import { ensure, expectError } from '../kit/expect.ts';

export const malformedJsonIs400 = defineCheck(
  'errors/malformed-json-is-400-invalid-request',
  'A body that is not valid JSON answers 400 invalid_request in the error envelope',
  async ({ client }) => {
    const refused = await client().send({ method: 'POST', path: '/orders', headers: { 'Content-Type': 'application/json' }, body: '{"patientId": "pat_1234567890",' });
    expectError(refused, 400, 'invalid_request', 'creating an order from malformed JSON');
  },
);

export const nonJsonBodyIs415 = defineCheck(
  'errors/non-json-body-is-415-unsupported-media-type',
  'A body not sent as application/json answers 415 unsupported_media_type',
  async ({ client }) => {
    const refused = await client().send({ method: 'POST', path: '/orders', headers: { 'Content-Type': 'text/plain' }, body: 'patientId=pat_1234567890' });
    expectError(refused, 415, 'unsupported_media_type', 'creating an order from a text/plain body');
  },
);

export const unknownRouteIs404 = defineCheck(
  'errors/unknown-route-is-404-not-found-in-the-envelope',
  'A path the API does not have answers 404 not_found in the error envelope, never an HTML page',
  async ({ client }) => {
    const refused = await client().send({ method: 'GET', path: '/contract-no-such-route' });
    expectError(refused, 404, 'not_found', 'requesting an unknown route');
  },
);

export const wrongMethodIs405 = defineCheck(
  'errors/wrong-method-is-405-with-allow',
  'A method a path does not offer answers 405 method_not_allowed with an Allow header listing the offered ones',
  async ({ client }) => {
    const refused = await client().send({ method: 'PUT', path: '/orders', json: {} });
    expectError(refused, 405, 'method_not_allowed', 'PUT /orders');
    const allow = (refused.headers.get('allow') ?? '').split(',').map((method) => method.trim());
    ensure(allow.includes('POST'), `Allow ${JSON.stringify(refused.headers.get('allow'))} does not list POST`, refused);
  },
);
