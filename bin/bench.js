#!/usr/bin/env node
// `npm run bench [name...]`: runs the benchmarks under bench/ one after another (never in
// parallel: they measure a shared 2-core machine) and stops at the first failure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('../bench/', import.meta.url));
// Names select benchmarks; everything from the first option on is passed to each of them
// (`npm run bench gate-false-alarms -- --run reports/x`).
const args = process.argv.slice(2);
const firstOption = args.findIndex((arg) => arg.startsWith('-'));
const wanted = firstOption < 0 ? args : args.slice(0, firstOption);
const passed = firstOption < 0 ? [] : args.slice(firstOption);
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
  const nodeArgs = ['--expose-gc', '--import', 'tsx', `${benchDir}${file}`, ...passed];
  const result = spawnSync(process.execPath, nodeArgs, {
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
