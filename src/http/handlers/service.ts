import { packageVersion, specYaml } from '../../package-info.ts';
import { openApiDocument } from '../../spec.ts';
import { ok, okAs, okText, type Handlers } from '../respond.ts';
import type { Services } from '../services.ts';

/** The keyless helpers: health for a container's check, and the spec this sandbox serves. */
export function serviceHandlers({ tenancy, realClock, startedAt }: Services) {
  let specJson: string | undefined;
  return {
    sandboxHealth: (c) => ok<'sandboxHealth'>(c, {
      status: 'ok',
      version: packageVersion(),
      uptimeSeconds: Math.max(0, Math.round(realClock.now() - startedAt) / 1000),
      keys: tenancy.size,
    }),
    sandboxOpenApiYaml: (c) => okAs(c, specYaml(), 'application/yaml; charset=utf-8'),
    sandboxOpenApiJson: (c) => okText<'sandboxOpenApiJson'>(c, specJson ??= JSON.stringify(openApiDocument)),
  } satisfies Partial<Handlers>;
}
