/** Shannon entropy in bits per character: random keys score high, words and repeated chars low. */
const ascii = new Int32Array(128);

export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  // Runs once per candidate secret on every matched line: a counting array, no allocation,
  // for the ASCII case that keys are made of; a Map only when the text has other characters.
  let other: Map<number, number> | undefined;
  const touched: number[] = [];
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    n++;
    if (c < 128) {
      if (ascii[c]! === 0) touched.push(c);
      ascii[c]!++;
    } else {
      other ??= new Map();
      other.set(c, (other.get(c) ?? 0) + 1);
    }
  }
  let h = 0;
  for (const c of touched) {
    const p = ascii[c]! / n;
    h -= p * Math.log2(p);
    ascii[c] = 0;
  }
  if (other) {
    for (const count of other.values()) {
      const p = count / n;
      h -= p * Math.log2(p);
    }
  }
  return h;
}
