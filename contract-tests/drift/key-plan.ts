import { capabilitiesOf } from '../kit/capabilities.ts';
import { Client, errorOf } from '../kit/client.ts';
import { TargetUnreachable } from '../kit/exchange.ts';
import { freshKey } from '../kit/keys.ts';
import type { Target } from '../kit/target.ts';
import { PUBLISHED_ORDER_ID } from '../kit/test-data.ts';
import { ReplayStopped, stoppedBy } from './stopped.ts';
import type { Transcript } from './transcript-reader.ts';

/** What each key alias of a transcript is sent as. */
export interface KeyPlan {
  keyFor(alias: string): string;
  /** Every alias is the one --api-key key: they share one tenant of the target. */
  shared: boolean;
}

/**
 * Aliases of keys the upstream refused at every use (401): the suite sent a wrong key on
 * purpose. They are sent empty, which every target refuses, rather than as a key that works.
 */
function refusedAliases(transcript: Transcript): Set<string> {
  const alwaysRefused = new Map<string, boolean>();
  for (const exchange of transcript.exchanges) {
    if (exchange.key === null || exchange.response === undefined) continue;
    alwaysRefused.set(exchange.key, (alwaysRefused.get(exchange.key) ?? true) && exchange.response.status === 401);
  }
  return new Set([...alwaysRefused].filter(([, refused]) => refused).map(([alias]) => alias));
}

/**
 * A fresh key for each alias where the target accepts any key; else the one given (--api-key),
 * shared by every alias. Stops the replay when the target cannot be reached, refuses the key
 * given, or refuses random keys and none was given.
 */
export async function planKeys(target: Target, transcript: Transcript, log: (line: string) => void): Promise<KeyPlan> {
  const probe = new Client(target, target.apiKey ?? freshKey());
  let read;
  try {
    read = await probe.send({ method: 'GET', path: `/orders/${PUBLISHED_ORDER_ID}` }, { conformance: false, waitOutRateLimit: false });
  } catch (error) {
    if (error instanceof TargetUnreachable) throw stoppedBy(target, error);
    throw error;
  }
  if (target.apiKey !== undefined && (read.status === 401 || read.status === 403)) {
    const code = errorOf(read)?.code;
    throw new ReplayStopped(`the target refuses the API key given (--api-key or NIMBUS_API_KEY): GET /orders/${PUBLISHED_ORDER_ID} with it answered ${read.status}${code === undefined ? '' : ` ${code}`}`);
  }
  const { anyKey } = await capabilitiesOf(target);
  const refused = refusedAliases(transcript);
  const aliases = [...new Set(transcript.exchanges.map((exchange) => exchange.key))].filter((key) => key !== null && !refused.has(key)) as string[];
  if (refused.size > 0) log(`Keys: ${[...refused].join(', ')} ${refused.size === 1 ? 'was' : 'were'} refused by the upstream at every use (401), so ${refused.size === 1 ? 'it is' : 'they are'} sent empty`);
  const empty = (alias: string) => (refused.has(alias) ? '' : undefined);
  if (anyKey.offered) {
    const fresh = new Map(aliases.map((alias) => [alias, freshKey()]));
    if (aliases.length > 0) {
      const unused = target.apiKey === undefined ? '' : '; the --api-key key is not used, so every alias keeps a tenant of its own';
      const which = aliases.length === 1 ? `${aliases[0]} is` : `each of the ${aliases.length} key aliases (${aliases.join(', ')}) is`;
      log(`Keys: ${which} sent as a fresh key of its own (the target accepts any key)${unused}`);
    }
    return { keyFor: (alias) => empty(alias) ?? fresh.get(alias)!, shared: false };
  }
  if (target.apiKey === undefined) {
    if (aliases.length === 0) return { keyFor: () => '', shared: true };
    throw new ReplayStopped(`the target refuses random API keys (${anyKey.evidence}): pass the key it gives you with --api-key KEY or NIMBUS_API_KEY`);
  }
  if (aliases.length > 0) log(`Keys: the target refuses random API keys (${anyKey.evidence}), so every key alias (${aliases.join(', ')}) is sent as the --api-key key: they share one tenant there`);
  return { keyFor: (alias) => empty(alias) ?? target.apiKey!, shared: true };
}
