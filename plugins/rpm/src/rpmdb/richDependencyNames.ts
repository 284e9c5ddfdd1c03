/**
 * The names an rpmdb index records for a rich dependency such as `(foo >= 2 if bar)`, beside
 * the whole string (rpm's lib/rpmdb.c, updateRichDep): every simple dependency's name except
 * rpmlib() ones; a name inside the condition of `if`/`unless` is prefixed `!`, and `else`
 * repeats the condition's names with the prefix flipped. The result is sorted by byte value
 * and without duplicates, as rpm's argvSort leaves it. A string that does not parse gives no
 * names, as in rpm.
 */
export function richDependencyNames(dependency: string): string[] {
  const collected: string[] = [];
  try {
    new RichParser(dependency, collected).parse();
  } catch {
    return [];
  }
  const sorted = collected.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const names: string[] = [];
  sorted.forEach((name, i) => {
    if (i > 0 && sorted[i - 1] === name) return;
    names.push(name.startsWith(' ') ? name.slice(1) : name);
  });
  return names;
}

const OPS = new Set(['and', 'or', 'if', 'unless', 'else', 'with', 'without']);

class RichParser {
  private at = 0;
  private negated = false;
  /** Per nesting level, where the names of the current condition block start. */
  private readonly blockStarts: number[] = [];

  constructor(private readonly text: string, private readonly names: string[]) {}

  parse(): void {
    this.group();
  }

  /** `( term (op term)* )`; the op stream drives negation as rpm's parser callbacks do. */
  private group(): void {
    this.blockStarts.push(this.names.length);
    if (this.text[this.at++] !== '(') throw new Error('expected (');
    let lastOp = '';
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] === ')' || this.at >= this.text.length) throw new Error('empty term');
      if (this.text[this.at] === '(') this.group();
      else this.simple();
      this.skipSpace();
      if (this.at >= this.text.length) throw new Error('unterminated');
      if (this.text[this.at] === ')') break;
      const op = this.word();
      if (!OPS.has(op)) throw new Error(`unknown op ${op}`);
      lastOp = op;
      const level = this.blockStarts.length - 1;
      if (op === 'if' || op === 'unless') {
        this.blockStarts[level] = this.names.length;
        this.negated = !this.negated;
      } else if (op === 'else') {
        const condition = this.names.slice(this.blockStarts[level]);
        for (const name of condition) this.names.push((name[0] === ' ' ? '!' : ' ') + name.slice(1));
        this.negated = !this.negated;
      }
    }
    this.at++;
    this.blockStarts.pop();
    if (lastOp === 'if' || lastOp === 'unless') this.negated = !this.negated;
  }

  /** `name [op version]`: only the name is recorded. */
  private simple(): void {
    const name = this.token();
    if (!name) throw new Error('name required');
    if (!(name.length > 7 && name.startsWith('rpmlib('))) this.names.push((this.negated ? '!' : ' ') + name);
    this.skipSpace();
    const save = this.at;
    const op = this.token();
    if (/^(<|>|=|<=|>=|=<|=>|==|<>)$/.test(op)) {
      this.skipSpace();
      if (!this.token()) throw new Error('version required');
    } else {
      this.at = save;
    }
  }

  /** A run of non-space characters; parentheses inside it nest (`foo(x86-64)`), as rpm's SKIPNONWHITEX. */
  private token(): string {
    const start = this.at;
    let depth = 0;
    while (this.at < this.text.length) {
      const c = this.text[this.at]!;
      if (/\s/.test(c) || c === ',') break;
      if (c === ')' && depth-- <= 0) break;
      if (c === '(') depth++;
      this.at++;
    }
    return this.text.slice(start, this.at);
  }

  private word(): string {
    const start = this.at;
    while (this.at < this.text.length && !/\s/.test(this.text[this.at]!) && this.text[this.at] !== ')') this.at++;
    return this.text.slice(start, this.at);
  }

  private skipSpace(): void {
    while (this.at < this.text.length && (/\s/.test(this.text[this.at]!) || this.text[this.at] === ',')) this.at++;
  }
}
