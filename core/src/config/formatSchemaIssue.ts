import { closest } from 'fastest-levenshtein';
import type { GenericSchema } from 'valibot';

/** A schema issue as Arbor says it: one line naming the key and the file, and a hint. */
export interface SchemaProblem {
  /** Dotted key path, e.g. `plugins[1]` or `bootloader`. */
  key: string;
  message: string;
  hint?: string;
}

/** The parts of a valibot issue this file reads. */
interface IssueLike {
  kind: string;
  type: string;
  input: unknown;
  expected: string | null;
  message: string;
  requirement?: unknown;
  path?: ReadonlyArray<{ type: string; origin?: string; input?: unknown; key: unknown }>;
  /** A union's: what each option found, with paths relative to the union. */
  issues?: ReadonlyArray<IssueLike>;
}

/** The parts of a valibot schema this file walks, to list the keys allowed at a path. */
interface SchemaLike {
  kind: string;
  type: string;
  entries?: Record<string, SchemaLike>;
  wrapped?: SchemaLike;
  pipe?: ReadonlyArray<SchemaLike>;
  options?: ReadonlyArray<SchemaLike | string>;
  item?: SchemaLike;
  items?: SchemaLike[];
  value?: SchemaLike;
}

/** Renders `plugins[1].options` style paths, the way users write them in JSON or YAML. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`))
    .join('');
}

/** A strict object's issue for a key it does not know (valibot reports the first one). */
function isUnknownKey(issue: IssueLike): boolean {
  return issue.type === 'strict_object' && issue.expected === 'never' && issue.path?.at(-1)?.origin === 'key';
}

function keysOf(issue: IssueLike): PropertyKey[] {
  return (issue.path ?? []).map((item) => item.key as PropertyKey);
}

/**
 * The first unknown key among `issues`, looking into what each option of a union found (a
 * typo in `{ id, url }` of a string-or-object entry), with its path made whole.
 */
function findUnknownKey(issues: readonly IssueLike[]): IssueLike | undefined {
  for (const issue of issues) {
    if (isUnknownKey(issue)) return issue;
    const inner = issue.issues && findUnknownKey(issue.issues);
    if (inner) return { ...inner, path: [...(issue.path ?? []), ...(inner.path ?? [])] };
  }
  return undefined;
}

/**
 * Picks the problem to report: an unknown key first (a typo usually also makes a required
 * key look missing, and the typo is the thing to fix), else the first one found.
 */
export function formatSchemaIssues(issues: readonly IssueLike[], schema: GenericSchema, where: string): SchemaProblem {
  return formatSchemaIssue(findUnknownKey(issues) ?? issues[0]!, schema, where);
}

/**
 * Formats one problem the schema found. `where` names the file (or the plugin whose options
 * these are). Unknown keys get the closest known key as a suggestion.
 */
export function formatSchemaIssue(issue: IssueLike, schema: GenericSchema, where: string): SchemaProblem {
  let path = keysOf(issue);
  if (isUnknownKey(issue)) {
    const unknownKey = String(path[path.length - 1]);
    const keyPath = formatKeyPath(path);
    const known = knownKeysAt(schema, path.slice(0, -1));
    const suggestion = known.length ? closest(unknownKey, known) : undefined;
    const suffix = suggestion ? `; did you mean "${suggestion}"?` : '';
    return {
      key: keyPath,
      message: `Unknown key "${keyPath}" in ${where}${suffix}`,
      hint: known.length ? `Known keys here: ${known.join(', ')}` : undefined,
    };
  }
  const tuple = tupleLength(issue, schema as SchemaLike);
  if (tuple) path = path.slice(0, -1);
  const keyPath = formatKeyPath(path) || '(top level)';
  const values = issue.type === 'picklist' || isMissingKey(issue) ? picklistAt(schema as SchemaLike, path) : [];
  if (values.length) {
    return { key: keyPath, message: `Key "${keyPath}" in ${where} must be one of ${values.map((value) => JSON.stringify(value)).join(', ')}` };
  }
  return { key: keyPath, message: `Key "${keyPath}" in ${where} is invalid: ${tuple ?? describe(issue, schema as SchemaLike, path)}` };
}

/** A value's type as the messages name it: `array`, `null`, `NaN`, `Infinity`, a class name or typeof. */
export function typeName(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object' && Object.getPrototypeOf(value) !== Object.prototype && 'constructor' in value && value.constructor) {
    return (value.constructor as { name: string }).name;
  }
  return typeof value;
}

/** Schema types as the messages name them. */
const TYPE_NAMES: Record<string, string> = {
  strict_object: 'object',
  object: 'object',
  loose_object: 'object',
  strict_tuple: 'tuple',
  tuple: 'tuple',
  loose_tuple: 'tuple',
};

/** A strict object's issue for a required key that is absent. */
function isMissingKey(issue: IssueLike): boolean {
  return issue.type === 'strict_object' && issue.input === undefined && issue.path?.at(-1)?.origin === 'key';
}

/**
 * The detail after "is invalid: ", worded as Arbor's messages always were (`expected string,
 * received number`, `Too small: expected string to have >=1 characters`, ...).
 */
function describe(issue: IssueLike, schema: SchemaLike, path: readonly PropertyKey[]): string {
  const requirement = String(issue.requirement);
  const sized = typeof issue.input === 'string' ? 'string to have %s characters' : 'array to have %s items';
  const input = issue.input;
  switch (issue.type) {
    case 'union':
      return 'Invalid input';
    case 'min_length':
      return `Too small: expected ${sized.replace('%s', `>=${requirement}`)}`;
    case 'max_length':
      return `Too big: expected ${sized.replace('%s', `<=${requirement}`)}`;
    case 'min_value':
      return `Too small: expected number to be >=${requirement}`;
    case 'gt_value':
      return `Too small: expected number to be >${requirement}`;
    case 'max_value':
      return `Too big: expected number to be <=${requirement}`;
    case 'lt_value':
      return `Too big: expected number to be <${requirement}`;
    case 'integer':
    case 'safe_integer':
      if (typeof input === 'number' && !Number.isFinite(input)) return `expected number, received ${input}`;
      if (Number.isInteger(input) && (input as number) > Number.MAX_SAFE_INTEGER) return `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`;
      if (Number.isInteger(input) && (input as number) < Number.MIN_SAFE_INTEGER) return `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`;
      return `expected int, received ${typeName(input)}`;
  }
  if (isMissingKey(issue)) {
    const key = path[path.length - 1] as string;
    let entry = schemasAt(schema, path.slice(0, -1)).find((candidate) => candidate.entries?.[key])?.entries?.[key];
    while (entry?.pipe) entry = entry.pipe[0];
    if (entry?.type === 'union') return 'Invalid input';
    if (entry) return `expected ${TYPE_NAMES[entry.type] ?? entry.type}, received undefined`;
  }
  if (issue.kind === 'schema' && issue.type !== 'custom') {
    return `expected ${TYPE_NAMES[issue.type] ?? issue.type}, received ${typeName(input)}`;
  }
  return issue.message.replace(/^Invalid (input|type): /, '');
}

/**
 * For a tuple given too few or too many items, the detail Arbor always gave (`Too big:
 * expected array to have <=2 items`), reported at the tuple, not at the missing or extra item.
 */
function tupleLength(issue: IssueLike, schema: SchemaLike): string | undefined {
  const last = issue.path?.at(-1);
  if (!last || last.type !== 'array' || !Array.isArray(last.input) || typeof last.key !== 'number') return undefined;
  const tuple = schemasAt(schema, keysOf(issue).slice(0, -1)).find((candidate) => candidate.type.endsWith('tuple'));
  const length = tuple?.items?.length;
  if (length === undefined) return undefined;
  if (last.input.length > length && last.key === length) return `Too big: expected array to have <=${length} items`;
  if (last.input.length < length && last.key >= last.input.length) return `Too small: expected array to have >=${length} items`;
  return undefined;
}

function picklistAt(schema: SchemaLike, path: readonly PropertyKey[]): unknown[] {
  return schemasAt(schema, path).flatMap((candidate) => (candidate.type === 'picklist' ? candidate.options ?? [] : []));
}

/** The keys an object schema allows at `path`, looking through optional, pipes, arrays and unions. */
export function knownKeysAt(schema: GenericSchema, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const candidate of schemasAt(schema as SchemaLike, path)) {
    if (candidate.entries) Object.keys(candidate.entries).forEach((key) => keys.add(key));
  }
  return [...keys];
}

function schemasAt(schema: SchemaLike, path: readonly PropertyKey[]): SchemaLike[] {
  if (schema.pipe) {
    return schema.pipe.filter((item) => item.kind === 'schema').flatMap((item) => schemasAt(item, path));
  }
  if (schema.wrapped) return schemasAt(schema.wrapped, path);
  if (schema.type === 'union' && schema.options) {
    return schema.options.flatMap((option) => (typeof option === 'string' ? [] : schemasAt(option, path)));
  }
  if (path.length === 0) return [schema];
  const [head, ...rest] = path;
  if (schema.entries && typeof head === 'string' && schema.entries[head]) return schemasAt(schema.entries[head]!, rest);
  if (schema.type === 'array' && schema.item) return schemasAt(schema.item, rest);
  if (schema.type.endsWith('tuple') && schema.items && typeof head === 'number' && schema.items[head]) {
    return schemasAt(schema.items[head]!, rest);
  }
  if (schema.type === 'record' && schema.value) return schemasAt(schema.value, rest);
  return [];
}
