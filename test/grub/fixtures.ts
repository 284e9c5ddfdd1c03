import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/runArbor';

/** The repository's own copies of the GRUB and BLS fixtures (test/fixtures/{grub,bls}; see their SOURCES.md). */
export const GRUB_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'grub');
export const BLS_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'bls');

/** Every fixture file under `dir`, SOURCES.md aside, as paths relative to `dir`. */
export function fixtureFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (relative: string) => {
    for (const name of fs.readdirSync(path.join(dir, relative)).sort()) {
      const child = relative ? `${relative}/${name}` : name;
      if (fs.statSync(path.join(dir, child)).isDirectory()) walk(child);
      else if (name !== 'SOURCES.md') files.push(child);
    }
  };
  walk('');
  return files;
}

/** The grub.cfg files among the GRUB fixtures: every one but the grubenv blocks. */
export function grubConfigFixtures(): string[] {
  return fixtureFiles(GRUB_FIXTURES).filter((file) => !path.basename(file).startsWith('grubenv'));
}

export function grubEnvFixtures(): string[] {
  return fixtureFiles(GRUB_FIXTURES).filter((file) => path.basename(file).startsWith('grubenv'));
}
