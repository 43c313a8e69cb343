import { afterAll, beforeAll, test } from 'vitest';
import { allChecks } from './checks/index.ts';
import { capabilitiesOf, describeCapabilities } from './kit/capabilities.ts';
import { CheckSkipped } from './kit/exchange.ts';
import { startLocalSandbox, type LocalSandbox } from './kit/local-sandbox.ts';
import { contractEnv, networkTarget, type Target } from './kit/target.ts';

/*
 * The contract suite: every check against NIMBUS_BASE_URL, or against this repository's sandbox
 * started on a free port when NIMBUS_BASE_URL is unset.
 */

const env = contractEnv();
let target: Target;
let local: LocalSandbox | undefined;

beforeAll(async () => {
  if (env.baseUrl === undefined) local = await startLocalSandbox(env.lifecycleTimeoutMs);
  target = networkTarget(env.baseUrl ?? local!.baseUrl, env.apiKey, env.lifecyclePollMs);
  const capabilities = await capabilitiesOf(target);
  console.info(`Contract target ${target.baseUrl}${local === undefined ? '' : ' (local sandbox started for this run)'}; it offers:\n${describeCapabilities(capabilities)}`);
}, env.lifecycleTimeoutMs + 30_000);

afterAll(async () => {
  await local?.stop();
}, env.lifecycleTimeoutMs + 5_000);

for (const check of allChecks) {
  test(check.checkName, async (context) => {
    try {
      await check(target);
    } catch (error) {
      if (!(error instanceof CheckSkipped)) throw error;
      console.info(`skipped ${check.checkName}: ${error.reason}`);
      context.skip(error.reason);
    }
  }, env.lifecyclePollMs > 0 ? 120_000 + env.lifecyclePollMs : undefined);
}
