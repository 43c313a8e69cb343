import { capabilitiesOf, type Capabilities } from './capabilities.ts';
import { Client, describeFetchError, errorOf, NoAnswer } from './client.ts';
import { TargetUnreachable } from './exchange.ts';
import { freshKey } from './keys.ts';
import { ReceiverUnavailable, startReceiver } from './receiver.ts';
import type { Target } from './target.ts';
import { PUBLISHED_ORDER_ID } from './test-data.ts';

/**
 * Before any check: can the target be reached, and does it take the key? A run against a target
 * that refuses the key would otherwise fail every check with the same message; it stops once,
 * saying what to pass.
 */
export type Admission = { admitted: true; capabilities: Capabilities } | { admitted: false; problem: string };

const PROBE_PATH = `/orders/${PUBLISHED_ORDER_ID}`;
const refused = (status: number) => status === 401 || status === 403;

function unreachable(target: Target, error: unknown): Admission {
  if (!(error instanceof TargetUnreachable)) {
    // Such as a Retry-After too long to wait out: the probe cannot tell what the target offers.
    return { admitted: false, problem: `probing what the target ${target.baseUrl} offers failed: ${(error as Error).message}. No check was run.` };
  }
  if (error.cause instanceof NoAnswer) {
    return { admitted: false, problem: `the target ${target.baseUrl} took the connection but gave ${error.cause.message}: is it running and well, and is --base-url right? (--request-timeout MS waits longer.) No check was run.` };
  }
  return { admitted: false, problem: `cannot reach the target ${target.baseUrl} (${describeFetchError(error.cause)}): is it running, and is --base-url right? No check was run.` };
}

/** The webhook checks' receiver must be able to listen where --receiver-host says; else each of them would fail alike. */
async function receiverProblem(target: Target): Promise<string | undefined> {
  try {
    await (await startReceiver(target.receiverHost ?? '127.0.0.1')).close();
    return undefined;
  } catch (error) {
    if (!(error instanceof ReceiverUnavailable)) throw error;
    return `${error.message}. No check was run.`;
  }
}

export async function admit(target: Target): Promise<Admission> {
  const receiver = await receiverProblem(target);
  if (receiver !== undefined) return { admitted: false, problem: receiver };
  const probe = new Client(target, target.apiKey ?? freshKey());
  let status: number;
  let code: string | undefined;
  try {
    const read = await probe.send({ method: 'GET', path: PROBE_PATH }, { conformance: false, waitOutRateLimit: false });
    ({ status } = read);
    code = errorOf(read)?.code;
  } catch (error) {
    return unreachable(target, error);
  }
  if (target.apiKey !== undefined && refused(status)) {
    return {
      admitted: false,
      problem: `the target refuses the API key given (--api-key or NIMBUS_API_KEY): GET ${PROBE_PATH} with it answered ${status}${code === undefined ? '' : ` ${code}`}. `
        + 'Pass a key this target accepts. No check was run.',
    };
  }
  let capabilities: Capabilities;
  try {
    capabilities = await capabilitiesOf(target);
  } catch (error) {
    return unreachable(target, error);
  }
  if (!capabilities.anyKey.offered && target.apiKey === undefined) {
    return {
      admitted: false,
      problem: `the target refuses random API keys (${capabilities.anyKey.evidence}): pass the key it gives you with --api-key KEY or NIMBUS_API_KEY. No check was run.`,
    };
  }
  return { admitted: true, capabilities };
}
