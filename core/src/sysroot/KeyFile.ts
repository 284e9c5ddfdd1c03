/**
 * The GLib key-file format that ostree's `.origin` files use: `[group]` headers, `key=value`
 * lines and `#` comments. Values escape `\s` (a leading space), `\n`, `\t`, `\r` and `\\`;
 * lists separate items with `;` and escape a literal one as `\;`. Group and key order survive
 * a parse and serialize, so groups written by other tools (rpm-ostree's `[packages]`) are kept.
 */
export class KeyFile {
  private readonly groups = new Map<string, Map<string, string>>();

  /** Parses key-file text; `source` names the file in errors. */
  static parse(text: string, source = 'key file'): KeyFile {
    const file = new KeyFile();
    let group: Map<string, string> | undefined;
    const lines = text.split('\n');
    for (let number = 1; number <= lines.length; number++) {
      const line = lines[number - 1]!.replace(/\r$/, '');
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const header = /^\[([^\]\[]+)\]$/.exec(trimmed);
      if (header) {
        const name = header[1]!;
        group = file.groups.get(name) ?? new Map();
        file.groups.set(name, group);
        continue;
      }
      const equals = line.indexOf('=');
      if (!group || equals <= 0) {
        throw new SyntaxError(`${source}, line ${number}: expected "[group]" or "key=value", got "${trimmed}"`);
      }
      group.set(line.slice(0, equals).trim(), line.slice(equals + 1).replace(/^ +/, ''));
    }
    return file;
  }

  get(group: string, key: string): string | undefined {
    const raw = this.groups.get(group)?.get(key);
    return raw === undefined ? undefined : unescapeValue(raw);
  }

  getList(group: string, key: string): string[] | undefined {
    const raw = this.groups.get(group)?.get(key);
    if (raw === undefined) return undefined;
    const items: string[] = [];
    let current = '';
    for (let i = 0; i < raw.length; i++) {
      const char = raw[i]!;
      if (char === '\\' && raw[i + 1] === ';') {
        current += ';';
        i++;
      } else if (char === '\\' && i + 1 < raw.length) {
        current += `\\${raw[++i]}`;
      } else if (char === ';') {
        items.push(unescapeValue(current));
        current = '';
      } else {
        current += char;
      }
    }
    if (current !== '') items.push(unescapeValue(current));
    return items;
  }

  getBoolean(group: string, key: string): boolean | undefined {
    const value = this.get(group, key);
    if (value === undefined) return undefined;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new SyntaxError(`[${group}] ${key}: expected true or false, got "${value}"`);
  }

  set(group: string, key: string, value: string): this {
    this.groupFor(group).set(key, escapeValue(value));
    return this;
  }

  setList(group: string, key: string, items: readonly string[]): this {
    this.groupFor(group).set(key, items.map((item) => `${escapeValue(item).replace(/;/g, '\\;')};`).join(''));
    return this;
  }

  setBoolean(group: string, key: string, value: boolean): this {
    return this.set(group, key, value ? 'true' : 'false');
  }

  delete(group: string, key: string): this {
    const entries = this.groups.get(group);
    entries?.delete(key);
    if (entries && entries.size === 0) this.groups.delete(group);
    return this;
  }

  toString(): string {
    const blocks: string[] = [];
    for (const [name, entries] of this.groups) {
      const lines = [`[${name}]`, ...[...entries].map(([key, value]) => `${key}=${value}`)];
      blocks.push(lines.join('\n'));
    }
    return blocks.length ? `${blocks.join('\n\n')}\n` : '';
  }

  private groupFor(name: string): Map<string, string> {
    if (!/^[^\]\[\n]+$/.test(name)) throw new RangeError(`Invalid key-file group name "${name}"`);
    let group = this.groups.get(name);
    if (!group) {
      group = new Map();
      this.groups.set(name, group);
    }
    return group;
  }
}

const UNESCAPES: Record<string, string> = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' };

function unescapeValue(raw: string): string {
  return raw.replace(/\\(.)/g, (whole, char: string) => UNESCAPES[char] ?? whole);
}

function escapeValue(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(/\r/g, '\\r')
    .replace(/^ /, '\\s');
}
