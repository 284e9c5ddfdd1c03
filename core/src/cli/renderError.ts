import { ArborError } from '../errors/ArborError';

export interface RenderedError {
  line: string;
  json: Record<string, unknown>;
  exitCode: number;
  stack?: string;
}

/**
 * One line for people (`Error: <what is at fault> [CODE] (hint: ...)`), a JSON form for
 * `--json`, and a stack only with DEBUG=arbor*. Returns undefined for oclif's own usage errors,
 * which keep oclif's rendering and exit code 2.
 */
export function renderError(error: Error & { oclif?: { exit?: number }; code?: string }): RenderedError | undefined {
  const debug = /(^|,)arbor/.test(process.env.DEBUG ?? '');
  if (error instanceof ArborError) {
    const hint = error.hint ? ` (hint: ${error.hint})` : '';
    return {
      line: `Error: ${oneLine(error.message)} [${error.code}]${hint}`,
      json: error.toJSON(),
      exitCode: error.exitCode,
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

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
