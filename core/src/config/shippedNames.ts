import { distance } from 'fastest-levenshtein';

/**
 * The presets and plugins this project ships (presets/*, plugins/*), so that a misspelt name in
 * a config gets "did you mean" rather than only "npm install" of a package that does not exist.
 * Nothing is loaded from this list; test/presets checks that it matches the workspace.
 */
export const SHIPPED_PRESETS = ['debian', 'default', 'fedora', 'fedora-systemd-boot', 'minimal'] as const;
export const SHIPPED_PLUGINS = [
  'bls', 'dracut', 'ed25519', 'etc-merge', 'file', 'grub', 'http', 'postprocess', 'rpm', 'rpm-md', 'selinux', 'storage', 'systemd-boot', 'tree',
] as const;

/** The shipped name closest to a misspelt one, when it is close enough to be what was meant. */
export function closestShipped(name: string, kind: 'preset' | 'plugin'): string | undefined {
  const names: readonly string[] = kind === 'preset' ? SHIPPED_PRESETS : SHIPPED_PLUGINS;
  let best: { known: string; d: number } | undefined;
  for (const known of names) {
    const d = distance(known, name);
    if (!best || d < best.d) best = { known, d };
  }
  return best && best.d > 0 && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.known : undefined;
}
