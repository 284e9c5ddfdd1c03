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
  type: string;
  expected: string | null;
  message: string;
  path?: ReadonlyArray<{ key: unknown }>;
}

/** The parts of a valibot schema this file walks, to list the keys allowed at a path. */
interface SchemaLike {
  type: string;
  entries?: Record<string, SchemaLike>;
  wrapped?: SchemaLike;
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

/** A strict object's issue for a key it does not know. */
function isUnknownKey(issue: IssueLike): boolean {
  return issue.type.startsWith('strict_') && issue.expected === 'never' && (issue.path?.length ?? 0) > 0;
}

function keysOf(issue: IssueLike): PropertyKey[] {
  return (issue.path ?? []).map((item) => item.key as PropertyKey);
}

/**
 * Picks the problem to report: an unknown key first (a typo usually also makes a required
 * key look missing, and the typo is the thing to fix), else the first one found.
 */
export function formatSchemaIssues(issues: readonly IssueLike[], schema: GenericSchema, where: string): SchemaProblem {
  const issue = issues.find(isUnknownKey) ?? issues[0]!;
  return formatSchemaIssue(issue, schema, where);
}

/**
 * Formats one problem the schema found. `where` names the file (or the plugin whose options
 * these are). Unknown keys get the closest known key as a suggestion.
 */
export function formatSchemaIssue(issue: IssueLike, schema: GenericSchema, where: string): SchemaProblem {
  const path = keysOf(issue);
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
  const keyPath = formatKeyPath(path) || '(top level)';
  if (issue.type === 'picklist') {
    const values = schemasAt(schema as SchemaLike, path).flatMap((candidate) => (candidate.type === 'picklist' ? candidate.options ?? [] : []));
    if (values.length) {
      return { key: keyPath, message: `Key "${keyPath}" in ${where} must be one of ${values.map((value) => JSON.stringify(value)).join(', ')}` };
    }
  }
  const detail = issue.message.replace(/^Invalid type: /, '');
  return { key: keyPath, message: `Key "${keyPath}" in ${where} is invalid: ${detail}` };
}

/** The keys an object schema allows at `path`, looking through optional, arrays and unions. */
export function knownKeysAt(schema: GenericSchema, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const candidate of schemasAt(schema as SchemaLike, path)) {
    if (candidate.entries) Object.keys(candidate.entries).forEach((key) => keys.add(key));
  }
  return [...keys];
}

function schemasAt(schema: SchemaLike, path: readonly PropertyKey[]): SchemaLike[] {
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
