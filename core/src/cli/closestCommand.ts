import type { Config } from '@oclif/core/interfaces';
import { distance } from 'fastest-levenshtein';

/**
 * The visible command closest to what was typed, as it is typed (`sysroot init`), or undefined
 * when nothing is close enough to be a likely typo: a suggestion for `arbor xyzzy` would be noise.
 * `id` is oclif's form, topics joined by ':'.
 */
export function closestCommand(config: Config, id: string): string | undefined {
  const visible = config.commands.filter((command) => !command.hidden);
  const candidates = [...new Set(visible.flatMap((command) => [command.id, ...command.aliases]))];
  let best: { id: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(id, candidate);
    if (!best || d < best.distance) best = { id: candidate, distance: d };
  }
  // Two edits (a swap of neighbours, one letter wrong and one missing) or 40% of the word.
  if (!best || best.distance > Math.max(2, Math.ceil(id.length * 0.4))) return undefined;
  return toTyped(config, best.id);
}

/** oclif's `topic:command` as the user types it, with the CLI's topic separator. */
export function toTyped(config: Config, id: string): string {
  return id.replaceAll(':', config.topicSeparator || ':');
}
