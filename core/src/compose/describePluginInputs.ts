import type { Arbor } from '../Arbor';
import { canonicalJson } from '../store/canonicalJson';

/**
 * The plugins applied, as compose's inputs hash sees them: name, version and options, in tap
 * order. Options are those the plugin was made with (definePlugin keeps the parsed ones).
 */
export function describePluginInputs(arbor: Arbor): string {
  return canonicalJson(arbor.plugins.map((plugin) => ({
    name: plugin.name,
    version: plugin.version ?? null,
    options: plugin.options ?? null,
  })));
}
