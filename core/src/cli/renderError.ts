import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { systemErrorAsArborError } from '../fs/systemErrorMessage';

export interface RenderedError {
  line: string;
  json: Record<string, unknown>;
  exitCode: number;
  stack?: string;
}

/** What the error is about: the command line that failed, for the usage hint. */
export interface ErrorSource {
  /** The command as typed, e.g. `arbor refs`. */
  command?: string;
  /** The flags the command takes, without dashes, to suggest one for an unknown flag. */
  flags?: string[];
}

/** Exit code of a usage error (CLI.md): a missing or unknown flag, a bad argument. */
export const USAGE_EXIT = 2;

/**
 * One line for people (`Error: <what is at fault> [CODE] (hint: ...)`), a JSON form for
 * `--json`, and a stack only with DEBUG=arbor*. oclif's usage errors (its parser's, and any error
 * carrying oclif's exit code 2) become ARBOR_USAGE with exit code 2. Returns undefined for an
 * oclif exit (`this.exit(n)`), which oclif handles.
 */
export function renderError(thrown: Error & { oclif?: { exit?: number }; code?: string; flags?: unknown }, source: ErrorSource = {}): RenderedError | undefined {
  const debug = /(^|,)arbor/.test(process.env.DEBUG ?? '');
  const error = systemErrorAsArborError(thrown) as typeof thrown;
  if (error instanceof ArborError) {
    const hint = error.hint ? ` (hint: ${error.hint})` : '';
    return {
      line: `Error: ${oneLine(error.message)} [${error.code}]${hint}`,
      json: error.toJSON(),
      exitCode: error.exitCode,
      stack: debug ? error.stack : undefined,
    };
  }
  if (error.code === 'EEXIT') return undefined;
  if (error.oclif?.exit === USAGE_EXIT) {
    const message = usageMessage(error.message ?? String(error)) + flagSuggestion(error.flags, source.flags);
    const hint = source.command ? `see ${source.command} --help` : undefined;
    return {
      line: `Error: ${message} [${ErrorCode.USAGE}]${hint ? ` (hint: ${hint})` : ''}`,
      json: { code: ErrorCode.USAGE, message, ...(hint ? { hint } : {}) },
      exitCode: USAGE_EXIT,
      stack: debug ? error.stack : undefined,
    };
  }
  if (error.oclif?.exit !== undefined) return undefined;
  // Unexpected failures (a system error with no ArborError around it) still get one line.
  const code = typeof error.code === 'string' ? error.code : 'ARBOR_INTERNAL';
  return {
    line: `Error: ${oneLine(error.message ?? String(error))} [${code}]`,
    json: { code, message: error.message },
    exitCode: 1,
    stack: debug ? error.stack : undefined,
  };
}

/**
 * oclif's parser errors span lines: a header (`The following error occurred:`), the reasons or
 * a list of `NAME  description` rows, colours, and `See more help with --help`. One line keeps
 * the reasons, and of a list only the names.
 */
function usageMessage(text: string): string {
  const lines = stripColours(text).split('\n').map((line) => line.trim())
    .filter((line) => line !== '' && line !== 'See more help with --help');
  if (lines.length === 0) return 'Usage error';
  if (/^The following errors? occurred:$/.test(lines[0])) return lines.slice(1).join('; ');
  const [first, ...rest] = lines;
  const rows = rest.filter((row) => !/^(Note:|Alternatively,)/.test(row));
  if (first.endsWith(':') && rows.length > 0) return `${first} ${rows.map((row) => row.split(/\s{2,}/)[0]).join(', ')}`;
  return oneLine(lines.join('\n'));
}

/**
 * `; did you mean --repo?` for an unknown flag (oclif's NonExistentFlagsError lists them as
 * typed, `--rpeo`) within two edits of one the command takes, else nothing.
 */
function flagSuggestion(unknown: unknown, known: string[] | undefined): string {
  if (!Array.isArray(unknown) || unknown.length !== 1 || typeof unknown[0] !== 'string' || !known?.length) return '';
  // Loaded only here: the error path, never a command's start-up.
  const { distance } = require('fastest-levenshtein') as typeof import('fastest-levenshtein');
  const typed = unknown[0].replace(/^--?/, '').replace(/=.*$/, '');
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const d = distance(typed, name);
    if (!best || d < best.distance) best = { name, distance: d };
  }
  return best && best.distance <= 2 ? `; did you mean --${best.name}?` : '';
}

function stripColours(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
