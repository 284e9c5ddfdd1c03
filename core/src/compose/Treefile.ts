import fs from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { RecordSchema } from '../config/configSchema';
import { formatSchemaIssues } from '../config/formatSchemaIssue';

/** yaml is loaded on first use: `@arbor/core` is imported by every plugin at start-up. */
function parseYaml(text: string): unknown {
  return (require('yaml') as typeof import('yaml')).parse(text);
}

/**
 * The treefile: Arbor's subset of rpm-ostree's (docs/compose.md), YAML or JSON. Unknown keys
 * are errors with a "did you mean", since a misspelt `exclude-packages` would silently compose
 * the wrong tree.
 */
const nonEmpty = v.pipe(v.string(), v.minLength(1));
const RepoEntry = v.union([
  nonEmpty,
  /** `kind` picks the `source` plugin (`rpm-md`); without it, the one source plugin configured. */
  v.strictObject({ id: v.optional(nonEmpty), url: nonEmpty, kind: v.optional(nonEmpty) }),
]);
/** A list defaulting to a fresh empty one per parse (the loader edits the lists it returns). */
const list = <T extends v.GenericSchema>(item: T) => v.optional(v.array(item), () => []);

export const TreefileSchema = v.strictObject({
  ref: nonEmpty,
  repos: list(RepoEntry),
  packages: list(v.string()),
  'exclude-packages': list(v.string()),
  recommends: v.optional(v.boolean(), true),
  'remove-files': list(nonEmpty),
  /** `[source, destination]`: source relative to the treefile, destination absolute in the tree. */
  'add-files': list(v.strictTuple([nonEmpty, nonEmpty])),
  units: list(nonEmpty),
  'postprocess-script': v.optional(nonEmpty),
  selinux: v.optional(v.boolean(), false),
  metadata: v.optional(RecordSchema, () => ({})),
  'automatic-version-prefix': v.optional(nonEmpty),
  /** Run %pre/%post/... scriptlets (Arbor's own key; rpm-ostree always runs them). */
  scriptlets: v.optional(v.boolean(), true),
  include: v.optional(v.union([v.string(), v.array(v.string())])),
});

export type Treefile = v.InferOutput<typeof TreefileSchema>;

export interface LoadedTreefile {
  treefile: Treefile;
  /** Where relative paths (add-files, postprocess-script, local repos) start. */
  dir: string;
  /** Every file read, the including one first, for the compose inputs hash. */
  files: string[];
}

/** Keys whose lists an include contributes to (rpm-ostree appends them); other keys are overridden by the includer. */
const LIST_KEYS = ['repos', 'packages', 'exclude-packages', 'remove-files', 'add-files', 'units'];

/** Reads a treefile and its includes, validates it, and normalizes package lists. */
export function loadTreefile(file: string): LoadedTreefile {
  const absolute = path.resolve(file);
  const files: string[] = [];
  const raw = readWithIncludes(absolute, files, []);
  const result = v.safeParse(TreefileSchema, raw);
  if (!result.success) {
    const problem = formatSchemaIssues(result.issues, TreefileSchema, `treefile ${file}`);
    throw new ArborError(ErrorCode.COMPOSE_TREEFILE_INVALID, problem.message, { hint: problem.hint, exitCode: 1 });
  }
  const treefile = result.output;
  // rpm-ostree accepts several names in one entry ("bash coreutils").
  treefile.packages = treefile.packages.flatMap((entry) => entry.split(/\s+/).filter(Boolean));
  treefile['exclude-packages'] = treefile['exclude-packages'].flatMap((entry) => entry.split(/\s+/).filter(Boolean));
  return { treefile, dir: path.dirname(absolute), files };
}

function readWithIncludes(file: string, files: string[], stack: string[]): Record<string, unknown> {
  if (stack.includes(file)) {
    throw new ArborError(ErrorCode.COMPOSE_TREEFILE_INVALID, `Treefile ${file} includes itself (via ${stack.join(' -> ')})`);
  }
  files.push(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ArborError(ErrorCode.COMPOSE_TREEFILE_INVALID, `Cannot read treefile ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
  let value: unknown;
  try {
    value = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ArborError(ErrorCode.COMPOSE_TREEFILE_INVALID, `Treefile ${file} does not parse: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ArborError(ErrorCode.COMPOSE_TREEFILE_INVALID, `Treefile ${file} is not a mapping of keys`);
  }
  const own = value as Record<string, unknown>;
  const includes = own.include === undefined ? [] : Array.isArray(own.include) ? own.include : [own.include];
  const merged: Record<string, unknown> = {};
  for (const include of includes) {
    if (typeof include !== 'string') continue; // the schema reports the bad value
    const included = readWithIncludes(path.resolve(path.dirname(file), include), files, [...stack, file]);
    mergeInto(merged, rebase(included, path.dirname(path.resolve(path.dirname(file), include)), path.dirname(file)));
  }
  const { include: _include, ...rest } = own;
  mergeInto(merged, rest);
  return merged;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (LIST_KEYS.includes(key) && Array.isArray(target[key]) && Array.isArray(value)) {
      target[key] = [...(target[key] as unknown[]), ...value];
    } else if (key === 'metadata' && isObject(target[key]) && isObject(value)) {
      target[key] = { ...(target[key] as object), ...(value as object) };
    } else {
      target[key] = value;
    }
  }
}

/** Paths in an included file are relative to that file; make them relative to the includer. */
function rebase(values: Record<string, unknown>, fromDir: string, toDir: string): Record<string, unknown> {
  if (fromDir === toDir) return values;
  const move = (relative: string) => (path.isAbsolute(relative) || /^[a-z]+:\/\//.test(relative) ? relative : path.relative(toDir, path.join(fromDir, relative)));
  const result = { ...values };
  if (Array.isArray(result['add-files'])) {
    result['add-files'] = (result['add-files'] as unknown[]).map((pair) =>
      Array.isArray(pair) && typeof pair[0] === 'string' ? [move(pair[0]), ...pair.slice(1)] : pair);
  }
  if (typeof result['postprocess-script'] === 'string') result['postprocess-script'] = move(result['postprocess-script']);
  if (Array.isArray(result.repos)) {
    result.repos = (result.repos as unknown[]).map((repo) => (typeof repo === 'string' ? move(repo) : repo));
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}
