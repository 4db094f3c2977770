/**
 * yargs' usage errors, reworded: an unknown option is named once and as typed
 * (`--bogus-flag`), an unknown command lists the commands, a missing argument shows the
 * command's usage line.
 *
 * `usages` maps command paths ("run", "scenario check") to their yargs command strings
 * ("run <scenario>", "check <files..>").
 */
export function usageMessage(
  message: string,
  argv: string[],
  usages: Record<string, string>,
): string {
  const positionals = argv.filter((token) => !token.startsWith('-'));
  const topLevel = Object.keys(usages).filter((path) => !path.includes(' '));
  let path: string | undefined;
  for (let depth = positionals.length; depth > 0 && path === undefined; depth--) {
    const candidate = positionals.slice(0, depth).join(' ');
    if (candidate in usages) path = candidate;
  }
  const help = `See \`ocrbench ${path ?? '<command>'} --help\`.`;
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown) {
    const names = [...new Set(unknown[1].split(', '))];
    const lines = names.map((name) => {
      const typed = argv.find(
        (token) => token === `--${name}` || token === `-${name}` || token.startsWith(`--${name}=`),
      );
      if (typed !== undefined) return `unknown option ${typed.replace(/=.*$/, '')}`;
      if (path === undefined && name === positionals[0]) {
        return `unknown command "${name}". Commands: ${topLevel.join(', ')}`;
      }
      return `unexpected argument "${name}"`;
    });
    return `${lines.join('; ')}. ${help}`;
  }
  const noValue = /^Not enough arguments following: (.*)$/.exec(message);
  if (noValue) return `--${noValue[1]} needs a value. ${help}`;
  if (/^Not enough non-option arguments/.test(message) && path !== undefined) {
    const parent = path.split(' ').slice(0, -1).join(' ');
    const usage = `ocrbench ${parent ? `${parent} ` : ''}${usages[path]}`;
    return `${path}: missing argument. Usage: ${usage}. ${help}`;
  }
  return `${message.replace(/\.?$/, '.')} ${help}`;
}
