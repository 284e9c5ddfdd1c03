import fs from 'node:fs';
import path from 'node:path';

export interface GrubModeProbe {
  mode: 'bls' | 'generated';
  /** What decided it, for the log: the blscfg found, or where we looked. */
  evidence: string;
}

export interface GrubProbeInput {
  sysroot: string;
  esp?: string;
  /** The trees of the deployments being booted (default first): their GRUB is the one that will run after an update. */
  deploymentTrees: string[];
}

/**
 * Whether the GRUB that boots this sysroot has `blscfg` (Fedora's does; Debian's and upstream's
 * do not), in the order the evidence is trustworthy:
 * 1. a `blscfg.mod` in a deployment's `usr/lib/grub/<platform>/` (its grub2 package);
 * 2. a `blscfg.mod` in the installed module dirs `boot/grub2/<platform>/` or `boot/grub/<platform>/`;
 * 3. a GRUB EFI binary on the ESP (`EFI/<vendor>/grub*.efi`) with the module built in: Fedora
 *    ships a monolithic signed grubx64.efi whose module list names `blscfg`.
 */
export function probeGrubMode(input: GrubProbeInput): GrubModeProbe {
  const moduleDirs = [
    ...input.deploymentTrees.map((tree) => path.join(tree, 'usr/lib/grub')),
    path.join(input.sysroot, 'boot/grub2'),
    path.join(input.sysroot, 'boot/grub'),
  ];
  for (const dir of moduleDirs) {
    for (const platform of listDir(dir)) {
      const module = path.join(dir, platform, 'blscfg.mod');
      if (isFile(module)) return { mode: 'bls', evidence: `found ${module}` };
    }
  }
  if (input.esp) {
    const efiDir = path.join(input.esp, 'EFI');
    for (const vendor of listDir(efiDir)) {
      for (const name of listDir(path.join(efiDir, vendor))) {
        const binary = path.join(efiDir, vendor, name);
        if (/^grub.*\.efi$/i.test(name) && isFile(binary) && fs.readFileSync(binary).includes('blscfg')) {
          return { mode: 'bls', evidence: `${binary} has blscfg built in` };
        }
      }
    }
  }
  return { mode: 'generated', evidence: `no blscfg.mod under ${moduleDirs.join(', ')}${input.esp ? ` nor a GRUB with blscfg in ${input.esp}/EFI` : ''}` };
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
