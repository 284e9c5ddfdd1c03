/**
 * Which package architectures a machine of a given architecture can install, best first.
 * The lists follow rpm's arch compatibility table (rpmrc `arch_compat`) as libsolv's
 * pool_setarch() policies encode them; `noarch` fits every machine and is never a worse choice
 * than the native arch (libsolv keeps noarch when it prunes to the best arch).
 */
const COMPATIBLE: Record<string, string[]> = {
  x86_64: ['x86_64', 'amd64', 'athlon', 'i686', 'i586', 'i486', 'i386'],
  x86_64_v2: ['x86_64_v2', 'x86_64', 'amd64', 'athlon', 'i686', 'i586', 'i486', 'i386'],
  i686: ['i686', 'i586', 'i486', 'i386'],
  i586: ['i586', 'i486', 'i386'],
  aarch64: ['aarch64'],
  armv7hl: ['armv7hl', 'armv6hl'],
  ppc64le: ['ppc64le'],
  ppc64: ['ppc64', 'ppc'],
  s390x: ['s390x', 's390'],
  riscv64: ['riscv64'],
};

export class ArchPolicy {
  private readonly order: Map<string, number>;

  constructor(readonly arch: string) {
    const list = COMPATIBLE[arch] ?? [arch];
    this.order = new Map(list.map((name, index) => [name, index]));
  }

  /** The machine arch for this process, in rpm's names (`x64` is `x86_64`). */
  static host(): string {
    const map: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
    return map[process.arch] ?? process.arch;
  }

  /** Source packages (`src`, `nosrc`) and foreign arches are never installed. */
  accepts(arch: string): boolean {
    return arch === 'noarch' || this.order.has(arch);
  }

  /** Lower is better; noarch ranks with the native arch. */
  rank(arch: string): number {
    if (arch === 'noarch') return 0;
    return this.order.get(arch) ?? Number.MAX_SAFE_INTEGER;
  }
}
