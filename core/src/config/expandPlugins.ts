import * as v from 'valibot';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { PresetSchema, type Preset } from '../Preset';
import { DEFAULT_PRESET } from './defaultPreset';
import type { PluginReference } from './configSchema';
import { formatSchemaIssues } from './formatSchemaIssue';
import type { LoadedConfig } from './loadConfig';
import { candidateNames, defaultExport, findModule, loadModule } from './resolveModule';
import { closestShipped } from './shippedNames';

/** One plugin to apply, with where it was listed. */
export interface PluginEntry {
  reference: string;
  /** The package (or path) it resolves to. */
  id: string;
  options: Record<string, unknown>;
  /** `preset:<name>` or `config`. */
  from: string;
}

export { DEFAULT_PRESET };

/**
 * Expands presets depth-first in the order written, then appends the user's plugins. Nothing
 * runs in reverse (unlike Babel). A plugin listed twice is an error naming both places.
 */
export async function expandPlugins(loaded: LoadedConfig): Promise<PluginEntry[]> {
  const entries: PluginEntry[] = [];
  const presets = loaded.config.preset === undefined
    ? [DEFAULT_PRESET]
    : Array.isArray(loaded.config.preset) ? loaded.config.preset : [loaded.config.preset];
  for (const preset of presets) await expandPreset(preset, loaded.dir, entries, []);
  applyChanges(entries, loaded.config, 'config', loaded.dir, loaded.filepath ?? 'the config');
  for (const reference of loaded.config.plugins ?? []) {
    addEntry(entries, reference, 'config', loaded.dir, loaded.filepath ?? 'the config');
  }
  return entries;
}

async function expandPreset(reference: string, dir: string, entries: PluginEntry[], stack: string[]): Promise<void> {
  if (stack.includes(reference)) {
    throw new ArborError(ErrorCode.PRESET_CYCLE, `Preset ${reference} includes itself: ${[...stack, reference].join(' -> ')}`);
  }
  const loaded = await loadModule(reference, 'preset', dir);
  if (!loaded) {
    throw new ArborError(ErrorCode.PRESET_NOT_FOUND, `Preset "${reference}" not found (looked for ${candidateNames(reference, 'preset').join(', ')})`, {
      hint: notFoundHint(reference, 'preset'),
    });
  }
  const preset = parsePreset(defaultExport(loaded.exports), loaded.id);
  for (const inner of preset.presets ?? []) await expandPreset(inner, dir, entries, [...stack, reference]);
  applyChanges(entries, preset, `preset:${reference}`, dir, `preset ${loaded.id}`);
  for (const plugin of preset.plugins ?? []) addEntry(entries, plugin, `preset:${reference}`, dir, `preset ${loaded.id}`);
}

function parsePreset(value: unknown, id: string): Preset {
  const parsed = v.safeParse(PresetSchema, value);
  if (parsed.success) return parsed.output;
  const problem = formatSchemaIssues(parsed.issues, PresetSchema, `preset ${id}`);
  throw new ArborError(ErrorCode.PRESET_INVALID, problem.message, { hint: problem.hint });
}

/** What `replace`, `override` and `exclude` say, applied to the plugins listed so far. */
interface PluginChanges {
  replace?: Record<string, PluginReference>;
  override?: Record<string, Record<string, unknown>>;
  exclude?: string[];
}

function applyChanges(entries: PluginEntry[], changes: PluginChanges, from: string, dir: string, where: string): void {
  const find = (name: string, key: string): number => {
    const found = findModule(name, 'plugin', dir);
    const index = entries.findIndex((entry) => entry.reference === name || (found && entry.id === found.id));
    if (index < 0) {
      throw new ArborError(ErrorCode.PLUGIN_NOT_FOUND, `${where} changes plugin "${name}" (${key}), which no preset before it lists`, {
        hint: `Plugins listed so far: ${entries.map((entry) => entry.reference).join(', ') || 'none'}`,
      });
    }
    return index;
  };
  for (const name of changes.exclude ?? []) entries.splice(find(name, 'exclude'), 1);
  for (const [name, options] of Object.entries(changes.override ?? {})) {
    const entry = entries[find(name, 'override')]!;
    entries.splice(entries.indexOf(entry), 1, { ...entry, options: { ...entry.options, ...options }, from: `${entry.from}, options from ${from}` });
  }
  for (const [name, replacement] of Object.entries(changes.replace ?? {})) {
    const index = find(name, 'replace');
    const [removed] = entries.splice(index, 1);
    const added: PluginEntry[] = [];
    addEntry(added, replacement, from, dir, where);
    if (entries.some((entry) => entry.id === added[0]!.id)) {
      throw new ArborError(ErrorCode.PLUGIN_DUPLICATE, `${where} replaces "${removed!.reference}" with "${added[0]!.reference}", which is already listed`, {
        hint: `Replace another plugin with it, or change its options with override: { ${added[0]!.reference}: {...} }`,
      });
    }
    entries.splice(index, 0, added[0]!);
  }
}

function addEntry(entries: PluginEntry[], reference: PluginReference, from: string, dir: string, where: string): void {
  const [name, options] = typeof reference === 'string' ? [reference, {}] : reference;
  const found = findModule(name, 'plugin', dir);
  if (!found) {
    throw new ArborError(ErrorCode.PLUGIN_NOT_FOUND, `Plugin "${name}" in ${where} not found (looked for ${candidateNames(name, 'plugin').join(', ')})`, {
      hint: notFoundHint(name, 'plugin'),
    });
  }
  const duplicate = entries.find((entry) => entry.id === found.id || entry.reference === name);
  if (duplicate) {
    throw new ArborError(ErrorCode.PLUGIN_DUPLICATE, `Plugin "${name}" is listed twice: in ${duplicate.from} and in ${from}`, {
      hint: 'List each plugin once; a preset already includes it',
    });
  }
  entries.push({ reference: name, id: found.id, options: options as Record<string, unknown>, from });
}

/** "Did you mean" for a misspelt shipped name, else how to install a third party's package. */
function notFoundHint(name: string, kind: 'preset' | 'plugin'): string {
  const meant = closestShipped(name, kind);
  if (meant !== undefined) return `Did you mean "${meant}"? It ships with Arbor`;
  return `Install it in the project that holds the config: npm install ${candidateNames(name, kind).at(-1)}`;
}

