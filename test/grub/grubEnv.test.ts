import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { GRUBENV_SIZE, GrubEnv } from '@arbor/plugin-grub';
import { requireTool } from '../support/requireTool';
import { useTempDir } from '../support/tempDir';
import { GRUB_FIXTURES, grubEnvFixtures } from './fixtures';
import { grubEditenv, grubEditenvList } from './grubTools';

describe('grubenv (GRUB environment block)', () => {
  const tmp = useTempDir('arbor-grubenv-');

  for (const file of grubEnvFixtures()) {
    it(`grub/${file}: reads the variables grub-editenv lists and writes the same 1024 bytes back`, function () {
      const bytes = fs.readFileSync(path.join(GRUB_FIXTURES, file));
      const env = GrubEnv.parse(bytes, file);
      assert.deepEqual(env.toBuffer(), bytes);
      requireTool(this, 'grub-editenv');
      const listed = grubEditenvList(path.join(GRUB_FIXTURES, file));
      assert.equal(env.entries().map(([name, value]) => `${name}=${value}\n`).join(''), listed);
    });
  }

  it('writes a block grub-editenv reads: 1024 bytes, # padding, escapes for backslash and newline, UTF-8 kept', function () {
    requireTool(this, 'grub-editenv');
    const file = path.join(tmp(), 'grubenv');
    const env = GrubEnv.empty()
      .set('saved_entry', 'arbor-2')
      .set('kernelopts', 'root=UUID=1234 ro quiet')
      .set('odd', 'back\\slash\nnew line ü');
    fs.writeFileSync(file, env.toBuffer());
    const written = fs.readFileSync(file);
    assert.equal(written.length, GRUBENV_SIZE);
    assert.match(written.toString('latin1'), /^# GRUB Environment Block\nsaved_entry=arbor-2\n.*#+$/s);
    assert.equal(grubEditenvList(file), 'saved_entry=arbor-2\nkernelopts=root=UUID=1234 ro quiet\nodd=back\\slash\nnew line ü\n');
  });

  it('reads what grub-editenv writes, and keeps lines that are not variables', function () {
    requireTool(this, 'grub-editenv');
    const file = path.join(tmp(), 'grubenv');
    grubEditenv(file, 'create');
    grubEditenv(file, 'set', 'saved_entry=Fedora (6.1) 38', 'a=x\\y', 'boot_success=1');
    const before = fs.readFileSync(file);
    const env = GrubEnv.parse(before);
    assert.equal(env.get('saved_entry'), 'Fedora (6.1) 38');
    assert.equal(env.get('a'), 'x\\y');
    assert.deepEqual(env.toBuffer(), before, 'a parse and print changes no byte (Debian writes a "# WARNING" line too)');
    env.set('saved_entry', 'arbor-3').unset('a');
    fs.writeFileSync(file, env.toBuffer());
    assert.equal(grubEditenvList(file), 'saved_entry=arbor-3\nboot_success=1\n');
  });

  it('refuses a block that is not grubenv, and variables that overflow 1024 bytes', () => {
    assert.throws(() => GrubEnv.parse(Buffer.from('saved_entry=x\n')), /ARBOR_GRUB_GRUBENV_INVALID|does not start with/);
    assert.throws(() => GrubEnv.empty().set('kernelopts', 'x'.repeat(1100)).toBuffer(), (error: Error & { code?: string }) => error.code === 'ARBOR_GRUB_GRUBENV_FULL');
  });
});
