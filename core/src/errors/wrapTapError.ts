import { ArborError } from './ArborError';
import { ErrorCode } from './codes';
import { HookPhase, type HookName } from '../hooks';

/**
 * Turns whatever a tap threw into an ArborError that says where it happened:
 * `During /etc merge (arbor:etc-merge): <message>`. An ArborError keeps its own code and hint;
 * anything else gets ARBOR_PLUGIN_FAILED. An error already wrapped by an inner hook is kept
 * as it is, so nested hook calls don't stack prefixes.
 */
export function wrapTapError(error: unknown, hook: HookName, plugin: string): ArborError {
  if (error instanceof ArborError && error.hook) return error;
  const message = error instanceof Error ? error.message : String(error);
  const prefixed = `During ${HookPhase[hook]} (${plugin}): ${message}`;
  if (error instanceof ArborError) {
    return new ArborError(error.code, prefixed, { hint: error.hint, cause: error, plugin, hook, exitCode: error.exitCode });
  }
  return new ArborError(ErrorCode.PLUGIN_FAILED, prefixed, { cause: error, plugin, hook });
}
