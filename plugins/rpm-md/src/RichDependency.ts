import type { Dependency } from './Dependency';
import { parseDependency } from './Dependency';

/**
 * Rich (boolean) dependencies, rpm >= 4.13: `(A and B)`, `(A or B)`, `(A if B)`,
 * `(A if B else C)`, `(A unless B)`, `(A unless B else C)`, `(A with B)`, `(A without B)`.
 * Operands are simple dependencies (`name [op evr]`) or nested parenthesised expressions.
 * `and`/`or`/`with` may chain (`(A or B or C)`); the others take exactly two or three operands
 * (rpm's "Boolean Dependencies" documentation).
 */
export type RichNode =
  | { op: 'dep'; dep: Dependency }
  | { op: 'and' | 'or' | 'with'; args: RichNode[] }
  | { op: 'without'; args: [RichNode, RichNode] }
  | { op: 'if' | 'unless'; then: RichNode; cond: RichNode; else?: RichNode };

const OPERATORS = new Set(['and', 'or', 'if', 'unless', 'with', 'without', 'else']);
const COMPARATORS = new Set(['=', '==', '<', '<=', '>', '>=']);

export class RichDependencyError extends Error {}

const parsed = new Map<string, RichNode>();

/**
 * Parses one rich dependency string; throws RichDependencyError naming the problem. Results are
 * kept: the resolver asks about the same few expressions over and over while it searches.
 */
export function parseRichDependency(text: string): RichNode {
  let node = parsed.get(text);
  if (!node) {
    node = parseUncached(text);
    parsed.set(text, node);
  }
  return node;
}

function parseUncached(text: string): RichNode {
  const tokens = tokenize(text);
  let position = 0;

  const expect = (token: string): void => {
    if (tokens[position] !== token) {
      throw new RichDependencyError(`expected "${token}" at "${tokens.slice(position).join(' ')}" in ${text}`);
    }
    position++;
  };

  const parseOperand = (): RichNode => {
    if (tokens[position] === '(') return parseGroup();
    const name = tokens[position++];
    if (name === undefined || name === ')' || OPERATORS.has(name)) {
      throw new RichDependencyError(`expected a dependency at "${name ?? 'end'}" in ${text}`);
    }
    if (COMPARATORS.has(tokens[position] ?? '') && tokens[position + 1] !== undefined) {
      const op = tokens[position++]!;
      const evr = tokens[position++]!;
      return { op: 'dep', dep: parseDependency(`${name} ${op} ${evr}`) };
    }
    return { op: 'dep', dep: { name } };
  };

  const parseGroup = (): RichNode => {
    expect('(');
    const first = parseOperand();
    const op = tokens[position];
    if (op === ')') {
      position++;
      return first;
    }
    if (op === undefined || !OPERATORS.has(op) || op === 'else') {
      throw new RichDependencyError(`expected an operator at "${op ?? 'end'}" in ${text}`);
    }
    position++;
    let node: RichNode;
    if (op === 'and' || op === 'or' || op === 'with') {
      const args = [first, parseOperand()];
      while (tokens[position] === op) {
        position++;
        args.push(parseOperand());
      }
      node = { op, args };
    } else if (op === 'without') {
      node = { op, args: [first, parseOperand()] };
    } else {
      const cond = parseOperand();
      let otherwise: RichNode | undefined;
      if (tokens[position] === 'else') {
        position++;
        otherwise = parseOperand();
      }
      node = { op: op as 'if' | 'unless', then: first, cond, else: otherwise };
    }
    expect(')');
    return node;
  };

  const root = parseGroup();
  if (position !== tokens.length) {
    throw new RichDependencyError(`unexpected "${tokens.slice(position).join(' ')}" after the expression in ${text}`);
  }
  return root;
}

/**
 * Splits on blanks and parentheses, except that a name keeps the parentheses that belong to it:
 * `libc.so.6()(64bit)` and `perl(Foo::Bar)` are single names (a name's own parentheses are
 * balanced and start inside the name).
 */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
    } else {
      let depth = 0;
      const start = i;
      while (i < text.length) {
        const d = text[i]!;
        if (/\s/.test(d) && depth === 0) break;
        if (d === '(') depth++;
        if (d === ')') {
          if (depth === 0) break;
          depth--;
        }
        i++;
      }
      tokens.push(text.slice(start, i));
    }
  }
  return tokens;
}

/** Every simple dependency named anywhere in the expression, for indexing and messages. */
export function richAtoms(node: RichNode): Dependency[] {
  switch (node.op) {
    case 'dep':
      return [node.dep];
    case 'if':
    case 'unless':
      return [...richAtoms(node.then), ...richAtoms(node.cond), ...(node.else ? richAtoms(node.else) : [])];
    default:
      return node.args.flatMap(richAtoms);
  }
}
