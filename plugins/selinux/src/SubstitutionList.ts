/**
 * A file_contexts.subs or .subs_dist file: `ALIAS ORIGINAL` pairs, so a path under ALIAS is
 * labeled as the same path under ORIGINAL (/lib64/x as /usr/lib/x). As in libselinux's
 * selabel_subs_init(), later lines take precedence (its list is built by prepending), a path
 * matches ALIAS only whole-component, and only the first matching pair applies.
 */
export class SubstitutionList {
  private constructor(private readonly pairs: ReadonlyArray<readonly [alias: string, original: string]>) {}

  static readonly EMPTY = new SubstitutionList([]);

  static parse(text: string): SubstitutionList {
    const pairs: Array<[string, string]> = [];
    for (const line of text.split('\n')) {
      const fields = line.match(/[^ \t\n\v\f\r]+/g);
      if (!fields || fields[0]!.startsWith('#') || fields.length < 2) continue;
      pairs.unshift([fields[0]!, fields[1]!]);
    }
    return new SubstitutionList(pairs);
  }

  get size(): number {
    return this.pairs.length;
  }

  /** The path with its alias replaced, or null when no pair applies. */
  apply(path: string): string | null {
    for (const [alias, original] of this.pairs) {
      if (!path.startsWith(alias)) continue;
      const next = path.charCodeAt(alias.length);
      if (path.length !== alias.length && next !== 0x2f) continue;
      // An original of "/" must not leave "//" behind (selabel_sub).
      const rest = next === 0x2f && original === '/' ? path.slice(alias.length + 1) : path.slice(alias.length);
      return original + rest;
    }
    return null;
  }
}
