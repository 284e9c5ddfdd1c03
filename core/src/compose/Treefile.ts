import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
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
const RepoEntry = z.union([
  z.string().min(1),
  z.strictObject({ id: z.string().min(1), url: z.string().min(1) }),
]);

export const TreefileSchema = z.strictObject({
  ref: z.string().min(1),
  repos: z.array(RepoEntry).default([]),
  packages: z.array(z.string()).default([]),
  'exclude-packages': z.array(z.string()).default([]),
  recommends: z.boolean().default(true),
  'remove-files': z.array(z.string().min(1)).default([]),
  /** `[source, destination]`: source relative to the treefile, destination absolute in the tree. */
  'add-files': z.array(z.tuple([z.string().min(1), z.string().min(1)])).default([]),
  units: z.array(z.string().min(1)).default([]),
  'postprocess-script': z.string().min(1).optional(),
  selinux: z.boolean().default(false),
  metadata: z.record(z.string(), z.unknown()).default({}),
  'automatic-version-prefix': z.string().min(1).optional(),
  /** Run %pre/%post/... scriptlets (Arbor's own key; rpm-ostree always runs them). */
  scriptlets: z.boolean().default(true),
  include: z.union([z.string(), z.array(z.string())]).optional(),
});

export type Treefile = z.output<typeof TreefileSchema>;

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
  const result = TreefileSchema.safeParse(raw);
  if (!result.success) {
    const problem = formatSchemaIssues(result.error.issues, TreefileSchema, `treefile ${file}`);
    throw new ArborError(ErrorCode.COMPOSE_TREEFILE_INVALID, problem.message, { hint: problem.hint, exitCode: 1 });
  }
  const treefile = result.data;
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
