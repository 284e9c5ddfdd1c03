import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { BootDeployment } from '@arbor/core';
import { SECTION_BEGIN, SECTION_END, mergeArborSection, menuEntries, parseGrubScript, printGrubScript, renderArborSection, type GrubBootLayout } from '@arbor/plugin-grub';
import { requireTool } from '../support/requireTool';
import { GRUB_FIXTURES, grubConfigFixtures } from './fixtures';
import { grubScriptCheckText } from './grubTools';

/** A deployment as the core hands it to a writer (hooks.ts BootDeployment). */
export function bootDeployment(index: number, overrides: Partial<BootDeployment> = {}): BootDeployment {
  const bootcsum = String(index + 1).repeat(64);
  const kargs = overrides.kargs ?? ['root=/dev/vda2', 'quiet'];
  const bootLink = `/arbor/boot.1/os/${bootcsum}/0`;
  return {
    index,
    stateroot: 'os',
    commit: 'c'.repeat(64),
    serial: index,
    bootcsum,
    kernelVersion: '6.1.0',
    linux: `/arbor/os-${bootcsum}/vmlinuz-6.1.0`,
    initrd: `/arbor/os-${bootcsum}/initramfs-6.1.0.img`,
    kargs,
    bootLink,
    options: [...kargs, `arbor=${bootLink}`],
    title: `Arbor Test OS ${index + 1} (arbor:os:${index})`,
    ...overrides,
  };
}

const layout: GrubBootLayout = { bootPrefix: '/boot', modules: [] };
const nastyKargs = ["console=ttyS0,115200", 'quote="a b"', "it's", '$root', 'semi;colon{}'];
const deployments = [bootDeployment(0, { title: "Arbor's OS 2 (arbor:os:0) $root", kargs: nastyKargs }), bootDeployment(1)];
deployments[0]!.options = [...nastyKargs, `arbor=${deployments[0]!.bootLink}`];

/**
 * The file with our section cut out, to compare with what was there before: the section and
 * the blank line the writer puts after it (or its final newline at the end of the file).
 */
function withoutSection(text: string): string {
  const begin = text.indexOf(SECTION_BEGIN);
  const end = text.indexOf(SECTION_END) + SECTION_END.length;
  return text.slice(0, begin) + text.slice(end).replace(/^\n\n?/, '');
}

describe('generated grub.cfg (GRUB without blscfg)', () => {
  it('writes one menuentry per deployment, the default first and by id, with every karg GRUB reads back as written', function () {
    requireTool(this, 'grub-script-check');
    const text = mergeArborSection(undefined, renderArborSection(deployments, layout), { source: 'grub.cfg', timeout: 3 });
    assert.ok(grubScriptCheckText(text).ok, grubScriptCheckText(text).output);
    const script = parseGrubScript(text);
    const entries = menuEntries(script);
    assert.deepEqual(entries.map((entry) => [entry.title, entry.id]), [
      [deployments[0]!.title, 'arbor-0'],
      [deployments[1]!.title, 'arbor-1'],
    ]);
    assert.deepEqual(entries[0]!.linux, [`/boot${deployments[0]!.linux}`, ...deployments[0]!.options]);
    assert.deepEqual(entries[0]!.initrd, [`/boot${deployments[0]!.initrd}`]);
    assert.match(text, /^set default=arbor-0$/m);
    assert.match(text, /^set timeout=3$/m);
  });

  it('names paths from the /boot filesystem and searches it by UUID when /boot is its own partition', () => {
    const text = renderArborSection([bootDeployment(0)], { bootPrefix: '', bootFsUuid: '1234-ABCD', modules: ['part_gpt', 'fat'] });
    const [entry] = menuEntries(parseGrubScript(text));
    assert.equal(entry!.linux![0], bootDeployment(0).linux);
    assert.match(text, /\tinsmod part_gpt\n\tinsmod fat\n\tsearch --no-floppy --fs-uuid --set=root 1234-ABCD\n\tlinux /);
  });

  describe('keeps everything outside its section in every real grub.cfg', () => {
    for (const file of grubConfigFixtures().filter((name) => !name.endsWith('.conf'))) {
      it(`grub/${file}`, function () {
        requireTool(this, 'grub-script-check');
        const original = fs.readFileSync(path.join(GRUB_FIXTURES, file), 'utf8');
        const before = menuEntries(parseGrubScript(original));
        const first = mergeArborSection(original, renderArborSection(deployments, layout), { source: file, timeout: 5 });
        assert.ok(grubScriptCheckText(first).ok, `grub-script-check: ${grubScriptCheckText(first).output}`);
        assert.equal(withoutSection(first), original, 'the file minus our section is the file as it was');

        const after = menuEntries(parseGrubScript(first));
        assert.deepEqual(after.slice(0, 2).map((entry) => entry.id), ['arbor-0', 'arbor-1'], 'our entries come first');
        assert.deepEqual(
          after.slice(2).map((entry) => printGrubScript([entry.command])),
          before.map((entry) => printGrubScript([entry.command])),
          'every other entry, custom ones included, is unchanged and in order',
        );

        // A rollback rewrites the section in place: same bytes around it, new entries inside.
        const second = mergeArborSection(first, renderArborSection([deployments[1]!, deployments[0]!], layout), { source: file, timeout: 5 });
        assert.ok(grubScriptCheckText(second).ok);
        assert.equal(withoutSection(second), original);
        assert.deepEqual(menuEntries(parseGrubScript(second)).slice(0, 2).map((entry) => entry.title), [deployments[1]!.title, deployments[0]!.title]);
      });
    }
  });

  it('keeps a custom entry written after the section, and a section moved by the admin stays where it is', () => {
    const custom = "menuentry 'Memtest' {\n\tlinux16 /memtest86+.bin\n}\n";
    const start = mergeArborSection(undefined, renderArborSection([bootDeployment(0)], layout), { source: 'grub.cfg', timeout: 5 }) + custom;
    const moved = custom + start;
    const rewritten = mergeArborSection(moved, renderArborSection([bootDeployment(0), bootDeployment(1)], layout), { source: 'grub.cfg', timeout: 5 });
    assert.ok(rewritten.startsWith(custom));
    assert.ok(rewritten.endsWith(`${SECTION_END}\n${custom}`));
    assert.deepEqual(menuEntries(parseGrubScript(rewritten)).map((entry) => entry.id ?? entry.title), ['Memtest', 'arbor-0', 'arbor-1', 'Memtest']);
  });

  it('refuses a file whose section markers are broken, naming it', () => {
    const broken = `${SECTION_BEGIN}\nset default=0\n`;
    assert.throws(() => mergeArborSection(broken, renderArborSection([bootDeployment(0)], layout), { source: '/boot/grub/grub.cfg', timeout: 5 }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ARBOR_GRUB_CONFIG_SECTION');
      assert.match(error.message, /\/boot\/grub\/grub\.cfg has 1 "### BEGIN arbor ###" and 0/);
      return true;
    });
  });
});
