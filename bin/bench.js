#!/usr/bin/env node
// `npm run bench [name...]`: runs the benchmarks under bench/ one after another (never in
// parallel: they measure a shared 2-core machine) and stops at the first failure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('../bench/', import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts'))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.includes(name)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`bench: nothing matches ${wanted.join(' ')}\n`);
  process.exit(2);
}
for (const file of files) {
  process.stdout.write(`\n## bench/${file}\n\n`);
  const args = ['--expose-gc', '--import', 'tsx', `${benchDir}${file}`];
  const result = spawnSync(process.execPath, args, {
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
