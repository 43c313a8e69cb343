import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderReadmeTables } from './readme-tables.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const spec = () => parse(readFileSync(new URL('../spec/openapi.yaml', import.meta.url), 'utf8'));

describe('the README tables generated from the spec', () => {
  it('are up to date (npm run spec:check fails otherwise)', () => {
    expect(renderReadmeTables(readme, spec())).toBe(readme);
  });

  it('follow the spec: a changed status, when or magic value changes the README', () => {
    const changed = spec();
    const errorCode = changed.components.schemas.ErrorCode;
    errorCode['x-nimbus-statuses'].service_unavailable = 502;
    errorCode['x-nimbus-when'].service_unavailable = 'whenever it likes';
    changed.components.schemas.CreateRefillRequest['x-nimbus-magic-values'].push(
      { field: 'prescriptionId', value: 'rx_test_new', status: 422, code: 'refill_not_eligible', reason: 'New', description: 'New' },
    );
    const rendered = renderReadmeTables(readme, changed);
    expect(rendered).toContain('| 502 | `service_unavailable` | whenever it likes |');
    expect(rendered).not.toContain('| 503 | `service_unavailable` |');
    expect(rendered).toContain('| `prescriptionId` | `rx_test_new` | 422 `refill_not_eligible`, New |');
  });

  it('refuses a README without a table\'s markers, or with an unknown one', () => {
    expect(() => renderReadmeTables(readme.replace('<!-- generated: error-codes -->', ''), spec())).toThrow(/error-codes/);
    expect(() => renderReadmeTables(`${readme}\n<!-- generated: nonsense -->\nx\n<!-- /generated -->\n`, spec())).toThrow(/nonsense/);
  });
});
