import { capabilitiesOf, CAPABILITY_NAMES, type Capabilities } from './capabilities.ts';
import { Client } from './client.ts';
import { CheckSkipped } from './exchange.ts';
import { freshKey } from './keys.ts';
import type { Target } from './target.ts';

/** One behaviour of the contract: resolves when the target keeps it, throws a ContractViolation otherwise. */
export interface Check {
  (target: Target): Promise<void>;
  /** Stable, `area/behaviour`, such as `idempotency/replay-returns-the-first-answer-byte-for-byte`. */
  readonly checkName: string;
  /** The contract rule it checks, in a sentence. */
  readonly covers: string;
}

export interface CheckContext {
  target: Target;
  capabilities: Capabilities;
  /** A client on a tenant of its own where the target accepts any key; otherwise on the configured key. */
  client(): Client;
  /** A client no one else uses; skips the check where the target cannot give one. */
  isolatedClient(why: string): Client;
  /** A client that sends no API key. */
  anonymousClient(): Client;
  /** Skips the check unless the target offers this. */
  require(capability: keyof Capabilities): void;
  skip(reason: string): never;
}

function skip(reason: string): never {
  throw new CheckSkipped(reason);
}

async function contextFor(target: Target): Promise<CheckContext> {
  const capabilities = await capabilitiesOf(target);
  const anyKey = capabilities.anyKey.offered;
  return {
    target,
    capabilities,
    client() {
      if (anyKey) return new Client(target, freshKey());
      if (target.apiKey === undefined) throw new Error('The target refuses random API keys: pass a key it accepts with --api-key (or NIMBUS_API_KEY)');
      return new Client(target, target.apiKey);
    },
    isolatedClient(why) {
      if (!anyKey) skip(`needs a tenant of its own (${why}), but ${capabilities.anyKey.evidence}`);
      return new Client(target, freshKey());
    },
    anonymousClient: () => new Client(target, undefined),
    require(capability) {
      const { offered, evidence } = capabilities[capability];
      if (!offered) skip(`needs ${CAPABILITY_NAMES[capability]}, which this run cannot use: ${evidence}`);
    },
    skip,
  };
}

export function defineCheck(checkName: string, covers: string, run: (context: CheckContext) => Promise<void>): Check {
  return Object.assign(async (target: Target) => run(await contextFor(target)), { checkName, covers });
}
