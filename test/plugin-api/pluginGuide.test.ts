import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NATIVE_BUILDS } from '../support/PackedProject';
import { requireTool } from '../support/requireTool';
import { REPO_ROOT } from '../support/runArbor';

interface GuideStep {
  kind: 'file' | 'sh';
  text: string;
  /** For a file: where it goes, relative to the guide's starting directory. */
  file?: string;
  /** For a shell block that must fail: what its output must say. */
  expectFailure?: RegExp;
}

/** The guide's steps in order: files marked `<!-- file: PATH -->` and every sh block. */
export function guideSteps(markdown: string): GuideStep[] {
  const steps: GuideStep[] = [];
  const block = /(?:<!-- (file|expect-failure): (.*?) -->\n)?```(\w+)\n([\s\S]*?)```/g;
  for (const match of markdown.matchAll(block)) {
    const [, marker, value, lang, text] = match;
    if (marker === 'file') steps.push({ kind: 'file', file: value!, text: text! });
    else if (lang === 'sh') steps.push({ kind: 'sh', text: text!, ...(marker === 'expect-failure' ? { expectFailure: new RegExp(value!) } : {}) });
  }
  return steps;
}

/**
 * docs/plugins.md, word for word: its files written as they stand and its shell blocks run in
 * order by one bash, in an empty directory outside the repository, against the packages the
 * guide's own `npm pack` makes. Only the environment differs from a reader's: install scripts
 * are off and the workspace's native builds are copied in (the same versions), since compiling
 * three addons again costs minutes.
 */
describe('the plugin-authoring guide (docs/plugins.md)', function () {
  this.timeout(900_000);

  it('runs as written: the plugin installs from packed packages and refuses a commit without a version', function () {
    requireTool(this, 'npm', 'bash');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-guide-'));
    try {
      const steps = guideSteps(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'plugins.md'), 'utf8'));
      assert.ok(steps.some((step) => step.kind === 'file') && steps.some((step) => step.expectFailure), 'the guide has files and an expected refusal');
      const lines = ['set -euo pipefail', `GUIDE_ROOT=${JSON.stringify(root)}`, 'cd "$GUIDE_ROOT"'];
      steps.forEach((step, index) => {
        if (step.kind === 'file') {
          lines.push(`mkdir -p "$GUIDE_ROOT/${path.dirname(step.file!)}"`, `cat > "$GUIDE_ROOT/${step.file}" <<'GUIDE_EOF'`, step.text.replace(/\n$/, ''), 'GUIDE_EOF');
        } else if (step.expectFailure) {
          lines.push(`if ( set -e; ${step.text.trim().split('\n').join('\n')} ) > "$GUIDE_ROOT/step-${index}.out" 2>&1; then echo "step ${index} should have failed" >&2; exit 1; fi`);
          lines.push(`cat "$GUIDE_ROOT/step-${index}.out" > "$GUIDE_ROOT/expected-failure.out"`);
        } else {
          lines.push(step.text);
          if (/npm install/.test(step.text)) {
            for (const [from, to] of NATIVE_BUILDS) lines.push(`[ -d "$ARBOR_SRC/${from}" ] && [ -d node_modules/${path.dirname(to)} ] && cp -r "$ARBOR_SRC/${from}" node_modules/${to} || true`);
          }
        }
      });
      const packages = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-guide-packages-'));
      const run = spawnSync('bash', ['-c', lines.join('\n')], {
        encoding: 'utf8',
        env: { ...process.env, ARBOR_SRC: REPO_ROOT, ARBOR_PACKAGES: packages, npm_config_ignore_scripts: 'true', npm_config_prefer_offline: 'true', DEBUG: '' },
      });
      fs.rmSync(packages, { recursive: true, force: true });
      assert.equal(run.status, 0, `the guide's steps failed:\n${run.stdout}\n${run.stderr}`);
      const refusal = fs.readFileSync(path.join(root, 'expected-failure.out'), 'utf8');
      const expected = steps.find((step) => step.expectFailure)!.expectFailure!;
      assert.match(refusal, expected);
      assert.match(run.stdout, /acme:require-version/, 'arbor plugins lists the plugin');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
