import * as v from 'valibot';
import type { Arbor } from './Arbor';
import { ArborError } from './errors/ArborError';
import { ErrorCode } from './errors/codes';
import { formatSchemaIssues } from './config/formatSchemaIssue';

/** A plugin: a name (`arbor:<x>`, also its tap name and log prefix) and `apply`, which only taps. */
export interface ArborPlugin {
  name: string;
  version?: string;
  /** The options it was made with, as validated; compose's inputs hash includes them. */
  options?: unknown;
  apply(arbor: Arbor): void;
}

/** What a plugin package exports by default: options in, plugin out. */
export type PluginFactory<Options = unknown> = (options?: Options) => ArborPlugin;

export interface PluginDefinition<Options> {
  /** `arbor:<x>` for Arbor's own plugins; third parties may use `<package>:<x>`. */
  name: string;
  version?: string;
  /** The schema the plugin owns; unknown keys get "did you mean". */
  options?: v.BaseSchema<unknown, Options, v.BaseIssue<unknown>>;
  apply(arbor: Arbor, options: Options): void;
}

const PLUGIN_NAME_PATTERN = /^[a-z0-9@][a-z0-9@/._-]*:[a-z0-9][a-z0-9._-]*$/;

/**
 * Makes a plugin factory that validates its options before anything taps (rollup/vite's
 * `xxxPlugin(options)` shape). The returned plugin carries the parsed options.
 */
export function definePlugin<Options = Record<string, never>>(
  definition: PluginDefinition<Options>,
): PluginFactory<Partial<Options> | Options> {
  if (!PLUGIN_NAME_PATTERN.test(definition.name)) {
    throw new ArborError(ErrorCode.PLUGIN_INVALID, `Plugin name "${definition.name}" is not of the form "arbor:<name>"`);
  }
  return (rawOptions?: unknown) => {
    const options = parsePluginOptions(definition, rawOptions ?? {});
    return {
      name: definition.name,
      version: definition.version,
      options,
      apply: (arbor: Arbor) => definition.apply(arbor, options),
    };
  };
}

function parsePluginOptions<Options>(definition: PluginDefinition<Options>, raw: unknown): Options {
  if (!definition.options) {
    if (raw && typeof raw === 'object' && Object.keys(raw).length > 0) {
      throw new ArborError(
        ErrorCode.PLUGIN_OPTIONS_INVALID,
        `Plugin ${definition.name} takes no options, got "${Object.keys(raw)[0]}"`,
      );
    }
    return raw as Options;
  }
  const result = v.safeParse(definition.options, raw);
  if (result.success) return result.output;
  const issue = formatSchemaIssues(result.issues, definition.options, `options of ${definition.name}`);
  throw new ArborError(ErrorCode.PLUGIN_OPTIONS_INVALID, issue.message, { hint: issue.hint, plugin: definition.name });
}

/** Checks that a value loaded from a module really is a plugin, naming the module if not. */
export function assertPlugin(value: unknown, source: string): asserts value is ArborPlugin {
  const plugin = value as Partial<ArborPlugin> | null;
  if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string' || typeof plugin.apply !== 'function') {
    throw new ArborError(
      ErrorCode.PLUGIN_INVALID,
      `${source} did not produce a plugin ({ name, apply(arbor) })`,
      { hint: 'A plugin package default-exports a factory: (options) => ({ name: "arbor:x", apply(arbor) {...} })' },
    );
  }
}
