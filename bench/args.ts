/** `--name value` from the bench's command line, or the default. */
export function arg(name: string, dflt: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1]! : dflt;
}
