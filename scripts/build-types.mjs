import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Declarations for users of the package: tsc keeps our `.ts` import specifiers, which only
// resolve for consumers as `.js`.
// The library's and the contract kit's (`nimbus-sandbox/contract`), each under its own root.
for (const config of ['tsconfig.build.json', 'tsconfig.build-contract.json']) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', config], { stdio: 'inherit' });
}
const rewrite = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) rewrite(path);
    else if (name.endsWith('.d.ts')) writeFileSync(path, readFileSync(path, 'utf8').replace(/((?:from |import\()['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2'));
  }
};
rewrite('dist/types');
