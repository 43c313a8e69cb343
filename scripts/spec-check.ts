import { readFile } from 'node:fs/promises';
import { buildSpecArtifacts, root } from './spec-artifacts.ts';

let artifacts: Map<string, string>;
try {
  artifacts = await buildSpecArtifacts();
} catch (error) {
  console.error(`spec/openapi.yaml is not a valid OpenAPI 3.1 document:\n${(error as Error).message}`);
  process.exit(1);
}
const stale: string[] = [];
for (const [path, expected] of artifacts) {
  const actual = await readFile(root + path, 'utf8').catch(() => undefined);
  if (actual !== expected) stale.push(path);
}
if (stale.length > 0) {
  console.error(`${stale.join(', ')} do not match spec/openapi.yaml. Run \`npm run generate\` and commit the result.`);
  process.exit(1);
}
console.log('spec/openapi.yaml is valid and everything generated from it (src/generated/, contract-tests/generated/, the README tables) matches it');
