import { writeFile } from 'node:fs/promises';
import { buildSpecArtifacts, root } from './spec-artifacts.ts';

for (const [path, contents] of await buildSpecArtifacts()) {
  await writeFile(root + path, contents);
  console.log(`wrote ${path}`);
}
