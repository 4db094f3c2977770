/**
 * `--sizes -5KB` reaches yargs as the option `--sizes` without a value followed by the short
 * flags `-5`, `-K` and `-B` ("unexpected argument "5"; "K"; "B""): only a whole negative
 * number such as `-5` is taken as a value. No ocrbench option is a digit, so a token that
 * starts with `-` and a digit (or `-.` and a digit) right after a `--long` option is that
 * option's value: it is joined as `--sizes=-5KB`, and the option's own check then names it
 * ("--sizes: "-5KB" is not a size class"). Tokens after `--` are left alone.
 */
export function joinDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index];
    if (token === '--') {
      out.push(...argv.slice(index));
      break;
    }
    const next = argv[index + 1];
    const isLongOption = /^--[^-=][^=]*$/.test(token);
    if (isLongOption && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${token}=${next}`);
      index++;
    } else {
      out.push(token);
    }
  }
  return out;
}
