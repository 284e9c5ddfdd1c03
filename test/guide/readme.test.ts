import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { REPO_ROOT, runArbor } from '../support/runArbor';
import { codeBlocks } from './GuideBlocks';

const README = path.join(REPO_ROOT, 'README.md');
const DOCS = path.join(REPO_ROOT, 'docs');

/** Relative link targets of a Markdown file (`](target)`), without #anchors, resolved against its folder. */
function relativeLinks(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .map((target) => path.resolve(path.dirname(file), target.split('#')[0]!));
}

/**
 * The guides a reader must find from the README: every page in docs/, and for a folder of
 * pages, its README.md when it has one (docs/hooks/README.md links each hook's page), else each page.
 */
function guides(): string[] {
  const pages: string[] = [];
  for (const entry of fs.readdirSync(DOCS, { withFileTypes: true })) {
    const full = path.join(DOCS, entry.name);
    if (entry.isFile() && entry.name.endsWith('.md')) pages.push(full);
    if (entry.isDirectory()) {
      const inner = fs.readdirSync(full).filter((name) => name.endsWith('.md'));
      pages.push(...(inner.includes('README.md') ? ['README.md'] : inner).map((name) => path.join(full, name)));
    }
  }
  return pages.sort();
}

describe('README.md', function () {
  it('links every guide in docs/', function () {
    const linked = new Set(relativeLinks(README));
    assert.deepEqual(guides().filter((page) => !linked.has(page)).map((page) => path.relative(REPO_ROOT, page)), []);
  });

  it('links only files that exist, as docs/guide.md does', function () {
    for (const file of [README, path.join(DOCS, 'guide.md')]) {
      const missing = relativeLinks(file).filter((target) => !fs.existsSync(target));
      assert.deepEqual(missing.map((target) => path.relative(REPO_ROOT, target)), [], `broken links in ${path.relative(REPO_ROOT, file)}`);
    }
  });

  it('has the two-command quick start, and both commands exist in package.json', function () {
    const text = fs.readFileSync(README, 'utf8');
    const quickStart = text.slice(text.indexOf('## Quick start'));
    assert.equal(codeBlocks(quickStart)[0]?.code, 'npm run demo\nnpm test');
    const scripts = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts.demo ?? '', /scripts\/demo\.mjs/);
    assert.match(scripts.test ?? '', /mocha/);
  });

  it('shows configs that load: each yaml block resolves its presets and plugins and passes validation', function () {
    this.timeout(30_000);
    const blocks = codeBlocks(fs.readFileSync(README, 'utf8')).filter((block) => block.language === 'yaml');
    assert.ok(blocks.length > 0, 'the README shows a config');
    for (const block of blocks) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-readme-config-'));
      try {
        const config = path.join(dir, 'arbor.config.yaml');
        fs.writeFileSync(config, block.code);
        // `plugins` applies every plugin, so the bootloader and plugin options are checked too.
        const run = runArbor(['plugins', '--json', '--config', config]);
        assert.equal(run.status, 0, `README.md line ${block.line}: ${run.stderr}`);
        assert.ok(run.json<unknown[]>().length > 0);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
