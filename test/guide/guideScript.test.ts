import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useTempDir } from '../support/tempDir';
import { codeBlocks, hiddenCommands } from './GuideBlocks';
import { runGuideScript } from './GuideScript';

const fence = '```';

describe('the guide runner (test/guide/GuideScript, GuideBlocks)', function () {
  const tmp = useTempDir('arbor-guide-runner-');

  async function run(markdown: string, skipBoot = false) {
    const dir = fs.mkdtempSync(path.join(tmp(), 'run-'));
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const result = await runGuideScript({ blocks: codeBlocks(markdown), page: 'page.md', cwd: dir, env: { ...process.env, OUT: out }, skipBoot, dir, timeoutMs: 20_000 });
    return { ...result, out };
  }

  it('runs the sh blocks in order in one shell: variables, functions and the directory carry over; other languages do not run', async function () {
    const page = [
      `${fence}sh`, 'X=first; greet() { echo "hi $1"; }', 'cd "$OUT"', fence,
      `${fence}yaml`, 'ref: not/a/command', fence,
      `${fence}sh`, 'echo "$X" > x', 'greet there > greeting', 'pwd > pwd', fence,
    ].join('\n');
    const result = await run(page);
    assert.equal(result.status, 0, result.output);
    assert.equal(result.completed.length, 2);
    assert.equal(fs.readFileSync(path.join(result.out, 'x'), 'utf8'), 'first\n');
    assert.equal(fs.readFileSync(path.join(result.out, 'greeting'), 'utf8'), 'hi there\n');
    assert.equal(fs.readFileSync(path.join(result.out, 'pwd'), 'utf8'), `${result.out}\n`);
    assert.ok(!fs.existsSync(path.join(result.out, 'ref')));
  });

  it('stops at the first failing command, a failing pipe stage or an unset variable, and names the block', async function () {
    for (const failing of ['false', 'false | true', 'echo "$UNSET_VARIABLE"']) {
      const page = [`${fence}sh`, 'true', fence, '', `${fence}sh`, 'echo before', failing, 'touch "$OUT/after"', fence, `${fence}sh`, 'touch "$OUT/never"', fence].join('\n');
      const result = await run(page);
      assert.notEqual(result.status, 0, failing);
      assert.equal(result.stoppedIn?.line, 5, `${failing}: the block at line 5 failed`);
      assert.equal(result.completed.length, 1);
      assert.ok(!fs.existsSync(path.join(result.out, 'after')) && !fs.existsSync(path.join(result.out, 'never')), failing);
    }
  });

  it('leaves out "sh boot" blocks only when asked, and says which', async function () {
    const page = [`${fence}sh`, 'true', fence, `${fence}sh boot`, 'touch "$OUT/booted"', fence].join('\n');
    const skipped = await run(page, true);
    assert.equal(skipped.status, 0);
    assert.deepEqual(skipped.skipped.map((block) => block.line), [4]);
    assert.match(skipped.output, /page\.md:4: boot block left out/);
    assert.ok(!fs.existsSync(path.join(skipped.out, 'booted')));
    const booted = await run(page, false);
    assert.equal(booted.completed.length, 2);
    assert.ok(fs.existsSync(path.join(booted.out, 'booted')));
  });

  it('flags blocks that would hide commands from the run: shell under another tag, unknown sh tags, commands in data blocks', function () {
    const verdicts = codeBlocks([
      `${fence}bash`, 'arbor status', fence,
      `${fence}console`, '$ arbor status', fence,
      `${fence}sh later`, 'arbor status', fence,
      `${fence}`, 'arbor deploy x', fence,
      `${fence}text`, '$ arbor pull origin x', fence,
      `${fence}yaml`, 'ref: x', 'packages: [a]', fence,
      `${fence}sh`, 'arbor status', fence,
      `${fence}sh boot`, 'boot_disk v1', fence,
    ].join('\n')).map(hiddenCommands);
    assert.deepEqual(verdicts.map((verdict) => verdict !== undefined), [true, true, true, true, true, false, false, false]);
  });
});
