/**
 * The one error type Arbor raises on purpose. `code` is stable (ARBOR_<AREA>_<REASON>),
 * `message` names the thing at fault in one line, and `hint` tells the user what to try.
 * The CLI maps it to exit code 1 and to the `--json` error document.
 */
export interface ArborErrorOptions {
  hint?: string;
  cause?: unknown;
  /** The plugin that raised or was running when it was raised, e.g. `arbor:etc-merge`. */
  plugin?: string;
  /** The hook being run, e.g. `mergeEtc`. */
  hook?: string;
  /** Process exit code; 1 unless a usage error (2). */
  exitCode?: number;
}

export class ArborError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly plugin?: string;
  readonly hook?: string;
  readonly exitCode: number;

  constructor(code: string, message: string, options: ArborErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ArborError';
    this.code = code;
    this.hint = options.hint;
    this.plugin = options.plugin;
    this.hook = options.hook;
    this.exitCode = options.exitCode ?? 1;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.plugin ? { plugin: this.plugin } : {}),
      ...(this.hook ? { hook: this.hook } : {}),
    };
  }
}

export function isArborError(value: unknown): value is ArborError {
  return value instanceof ArborError;
}
