import { CAPABILITY_NAMES, capabilitiesOf, type Capabilities, type Capability } from '../kit/capabilities.ts';
import { Client } from '../kit/client.ts';
import { operation as operationNamed, type Operation } from '../kit/spec.ts';
import type { Target } from '../kit/target.ts';

/**
 * Whether the target offers the sandbox helper (an operation tagged Sandbox) an exchange uses.
 * The kit's capability probes answer for the helpers they name (`GET /sandbox/orders`, …) and for
 * the helpers under the same path (the webhook endpoints' list, deletion, deliveries); any other
 * helper counts as offered when `GET /sandbox/health` is.
 */

const ABSENT = new Set([404, 405, 501]);
const HEALTH = operationNamed('sandboxHealth');

export const isSandboxHelper = (op: Operation | undefined) => op?.tags.includes('Sandbox') === true;

/** `GET /sandbox/clock and POST /sandbox/clock/advance` → the method and path of each. */
const namedRoutes = (Object.entries(CAPABILITY_NAMES) as Array<[keyof Capabilities, string]>).flatMap(([name, text]) =>
  [...text.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) (\/sandbox\/\S+)/g)].map((match) => ({ name, method: match[1]!, path: match[2]! })));

const within = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

function capabilityFor(op: Operation): keyof Capabilities | undefined {
  const exact = namedRoutes.find((route) => route.method === op.method && route.path === op.path);
  if (exact !== undefined) return exact.name;
  return namedRoutes.filter((route) => within(op.path, route.path)).sort((a, b) => b.path.length - a.path.length)[0]?.name;
}

export class SandboxHelpers {
  private health: Promise<Capability> | undefined;

  constructor(private readonly target: Target, private readonly probeKey: string) {}

  /** Whether the target offers `op`, and the evidence. */
  async offers(op: Operation): Promise<Capability & { helper: string }> {
    const name = capabilityFor(op);
    if (name !== undefined) return { ...(await capabilitiesOf(this.target))[name], helper: CAPABILITY_NAMES[name] };
    this.health ??= new Client(this.target, this.probeKey).send({ method: 'GET', path: HEALTH.path }, { conformance: false, waitOutRateLimit: false })
      .then((answer) => ({ offered: !ABSENT.has(answer.status), evidence: `GET ${HEALTH.path} answered ${answer.status}` }));
    return { ...(await this.health), helper: 'the sandbox helpers' };
  }
}
