import path from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import * as v from 'valibot';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { ConfigSchema, type ConfigFile } from './configSchema';
import { formatSchemaIssues } from './formatSchemaIssue';

/** The only places a config is looked for, in this order (cosmiconfig#296: no surprises). */
export const CONFIG_SEARCH_PLACES = [
  'package.json',
  '.arborrc',
  '.arborrc.json',
  '.arborrc.yaml',
  'arbor.config.js',
  'arbor.config.mjs',
  'arbor.config.cjs',
  'arbor.config.ts',
  'arbor.config.json',
  'arbor.config.yaml',
];

export interface LoadedConfig {
  config: ConfigFile;
  /** The file it came from; absent when none was found and defaults apply. */
  filepath?: string;
  /** The directory plugins and presets resolve from: the config's, else the start directory. */
  dir: string;
}

export interface LoadConfigOptions {
  /** `--config PATH`: load exactly this file. */
  configPath?: string;
  /** Where the search starts; the current directory by default. */
  cwd?: string;
}

function explorer() {
  return cosmiconfig('arbor', {
    searchPlaces: CONFIG_SEARCH_PLACES,
    // Stop at the project root (the nearest package.json), never wander into $HOME.
    searchStrategy: 'project',
    transform: (result) => {
      if (!result) return result;
      return { ...result, config: validateConfig(result.config ?? {}, result.filepath) };
    },
  });
}

/** Validates a raw config object, naming the key and the file on the first problem. */
export function validateConfig(raw: unknown, filepath: string): ConfigFile {
  const parsed = v.safeParse(ConfigSchema, raw);
  if (parsed.success) return parsed.output;
  const problem = formatSchemaIssues(parsed.issues, ConfigSchema, filepath);
  throw new ArborError(ErrorCode.CONFIG_INVALID, problem.message, { hint: problem.hint });
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  try {
    if (options.configPath) {
      const filepath = path.resolve(cwd, options.configPath);
      const result = await explorer().load(filepath);
      if (!result) {
        throw new ArborError(ErrorCode.CONFIG_NOT_FOUND, `Config file ${filepath} is empty or has no "arbor" key`);
      }
      return { config: result.config as ConfigFile, filepath, dir: path.dirname(filepath) };
    }
    const result = await explorer().search(cwd);
    if (!result) return { config: {}, dir: cwd };
    return { config: result.config as ConfigFile, filepath: result.filepath, dir: path.dirname(result.filepath) };
  } catch (error) {
    if (error instanceof ArborError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.configPath) {
      throw new ArborError(ErrorCode.CONFIG_NOT_FOUND, `Config file ${path.resolve(cwd, options.configPath)} does not exist`);
    }
    throw new ArborError(ErrorCode.CONFIG_UNREADABLE, `Cannot read config: ${parseFailure(error)}`, {
      hint: 'Check the file\'s syntax (JSON, YAML or a JavaScript module)',
    });
  }
}

/**
 * One line that keeps where and why the parser stopped. js-yaml's YAMLException carries
 * `reason` and a 0-based `mark`; cosmiconfig adds `filepath` and puts "YAML Error in FILE:"
 * alone on the first line, which is all a first-line cut would keep.
 */
function parseFailure(error: unknown): string {
  const failure = error as Error & { reason?: string; mark?: { line: number; column: number }; filepath?: string };
  if (failure.reason && failure.mark) {
    return `${failure.filepath ?? 'config'}:${failure.mark.line + 1}:${failure.mark.column + 1}: ${failure.reason}`;
  }
  const lines = String(failure.message ?? failure).split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.slice(0, 2).join(' ');
}
