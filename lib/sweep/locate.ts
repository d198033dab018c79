/**
 * Maps a schema error path (e.g. rules[3].allowlists[0].regexes) to a line in a TOML file, so a
 * bad rules file gets "file:line field: problem" instead of a dump. TOML parsers do not keep
 * positions for values, so this walks the text: the n-th `[[rules]]` header, then the key.
 */
export function tomlLine(text: string, path: readonly (string | number)[]): number {
  const lines = text.split(/\r?\n/);
  let from = 0;
  let to = lines.length;
  let prefix = '';
  let line = 1;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const next = path[i + 1];
    if (typeof seg === 'string' && typeof next === 'number') {
      const header = new RegExp(`^\\s*\\[\\[\\s*${escapeRegex(prefix + seg)}\\s*\\]\\]`);
      let seen = -1;
      let found = -1;
      for (let l = from; l < to; l++) {
        if (header.test(lines[l] ?? '')) {
          seen++;
          if (seen === next) {
            found = l;
            break;
          }
        }
      }
      if (found < 0) return locateKey(lines, from, to, seg) ?? line;
      line = found + 1;
      // The block ends at the next header of the same or a shallower table.
      const child = `${prefix}${seg}.`;
      let end = to;
      for (let l = found + 1; l < to; l++) {
        const name = /^\s*\[\[?\s*([^\]\s]+)/.exec(lines[l] ?? '')?.[1];
        if (name !== undefined && !name.startsWith(child)) {
          end = l;
          break;
        }
      }
      from = found + 1;
      to = end;
      prefix = `${prefix}${seg}.`;
      i++;
    } else if (typeof seg === 'string') {
      const table = new RegExp(`^\\s*\\[\\s*${escapeRegex(prefix + seg)}\\s*\\]`);
      const t = findLine(lines, from, to, table);
      if (t !== undefined) {
        line = t + 1;
        from = t + 1;
        prefix = `${prefix}${seg}.`;
        continue;
      }
      const k = locateKey(lines, from, to, seg);
      if (k !== undefined) line = k;
      return line;
    }
  }
  return line;
}

function locateKey(lines: string[], from: number, to: number, key: string): number | undefined {
  const re = new RegExp(`^\\s*["']?${escapeRegex(key)}["']?\\s*=`);
  const l = findLine(lines, from, to, re);
  return l === undefined ? undefined : l + 1;
}

function findLine(lines: string[], from: number, to: number, re: RegExp): number | undefined {
  for (let l = from; l < to; l++) if (re.test(lines[l] ?? '')) return l;
  return undefined;
}

/** A literal as a JS regex source. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Dotted path with indexes, as a user would name the field: rules[3].regex */
export function fieldName(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(root)';
}
