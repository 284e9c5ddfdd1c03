import { ArborError } from './ArborError';
import { ErrorCode } from './codes';
import { HookPhase, type HookName } from '../hooks';
import { systemErrorAsArborError } from '../fs/systemErrorMessage';

/**
 * Turns whatever a tap threw into an ArborError that says where it happened:
 * `During /etc merge (arbor:etc-merge): <message>`. An ArborError keeps its own code and hint;
 * a system error on a path gets the ARBOR_FS_* code systemErrorAsArborError gives it, and
 * anything else gets ARBOR_PLUGIN_FAILED. An error already wrapped by an inner hook is kept
 * as it is, so nested hook calls don't stack prefixes.
 */
export function wrapTapError(thrown: unknown, hook: HookName, plugin: string): ArborError {
  if (thrown instanceof ArborError && thrown.hook) return thrown;
  // A full disk or a read-only mount met inside a tap is the user's to fix, not a plugin failure.
  const error = thrown instanceof Error ? systemErrorAsArborError(thrown) : thrown;
  const message = error instanceof Error ? error.message : String(error);
  const prefixed = `During ${HookPhase[hook]} (${plugin}): ${message}`;
  if (error instanceof ArborError) {
    return new ArborError(error.code, prefixed, { hint: error.hint, cause: error, plugin, hook, exitCode: error.exitCode });
  }
  return new ArborError(ErrorCode.PLUGIN_FAILED, prefixed, { cause: error, plugin, hook });
}
