import { closest } from 'fastest-levenshtein';
import type { ZodType } from 'zod';

/** A zod issue as Arbor says it: one line naming the key and the file, and a hint. */
export interface SchemaProblem {
  /** Dotted key path, e.g. `plugins[1]` or `bootloader`. */
  key: string;
  message: string;
  hint?: string;
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  values?: unknown[];
  expected?: string;
}

/** Renders `plugins[1].options` style paths, the way users write them in JSON or YAML. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`))
    .join('');
}

/**
 * Picks the problem to report: an unknown key first (a typo usually also makes a required
 * key look missing, and the typo is the thing to fix), else the first one zod found.
 */
export function formatSchemaIssues(issues: readonly ZodIssueLike[], schema: ZodType, where: string): SchemaProblem {
  const issue = issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? issues[0]!;
  return formatSchemaIssue(issue, schema, where);
}

/**
 * Formats one problem zod found. `where` names the file (or the plugin whose options
 * these are). Unknown keys get the closest known key as a suggestion.
 */
export function formatSchemaIssue(issue: ZodIssueLike, schema: ZodType, where: string): SchemaProblem {
  if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
    const unknownKey = issue.keys[0]!;
    const keyPath = formatKeyPath([...issue.path, unknownKey]);
    const known = knownKeysAt(schema, issue.path);
    const suggestion = known.length ? closest(unknownKey, known) : undefined;
    const suffix = suggestion ? `; did you mean "${suggestion}"?` : '';
    return {
      key: keyPath,
      message: `Unknown key "${keyPath}" in ${where}${suffix}`,
      hint: known.length ? `Known keys here: ${known.join(', ')}` : undefined,
    };
  }
  const keyPath = formatKeyPath(issue.path) || '(top level)';
  if (issue.code === 'invalid_value' && issue.values?.length) {
    return {
      key: keyPath,
      message: `Key "${keyPath}" in ${where} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
    };
  }
  const detail = issue.message.replace(/^Invalid input: /, '');
  return { key: keyPath, message: `Key "${keyPath}" in ${where} is invalid: ${detail}` };
}

interface ZodDefLike {
  type: string;
  shape?: Record<string, ZodType>;
  innerType?: ZodType;
  element?: ZodType;
  options?: ZodType[];
  items?: ZodType[];
  valueType?: ZodType;
}

function defOf(schema: ZodType): ZodDefLike {
  return (schema as unknown as { _zod: { def: ZodDefLike } })._zod.def;
}

/** The keys an object schema allows at `path`, looking through optional, arrays and unions. */
export function knownKeysAt(schema: ZodType, path: readonly PropertyKey[]): string[] {
  const candidates = schemasAt(schema, path);
  const keys = new Set<string>();
  for (const candidate of candidates) {
    const def = defOf(candidate);
    if (def.type === 'object' && def.shape) Object.keys(def.shape).forEach((key) => keys.add(key));
  }
  return [...keys];
}

function schemasAt(schema: ZodType, path: readonly PropertyKey[]): ZodType[] {
  const def = defOf(schema);
  if (def.innerType) return schemasAt(def.innerType, path);
  if (def.type === 'union' && def.options) return def.options.flatMap((option) => schemasAt(option, path));
  if (path.length === 0) return [schema];
  const [head, ...rest] = path;
  if (def.type === 'object' && def.shape && typeof head === 'string' && def.shape[head]) {
    return schemasAt(def.shape[head]!, rest);
  }
  if (def.type === 'array' && def.element) return schemasAt(def.element, rest);
  if (def.type === 'tuple' && def.items && typeof head === 'number' && def.items[head]) {
    return schemasAt(def.items[head]!, rest);
  }
  if (def.type === 'record' && def.valueType) return schemasAt(def.valueType, rest);
  return [];
}
