// A mocha reporter for finding where the suite's time goes: the spec reporter's output, then
// the time of every test and every hook summed per file, largest first. Also writes the raw
// figures as JSON when ARBOR_TEST_PROFILE names a file.
//   npx mocha --no-parallel --reporter test/support/profileReporter.cjs 'test/dist/**/*.test.js'
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_HOOK_END, EVENT_TEST_END, EVENT_RUN_END, EVENT_SUITE_BEGIN } = Mocha.Runner.constants;

class ProfileReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const files = new Map();
    const started = Date.now();
    let lastFile;
    let lastFileStart = started;
    const entry = (file) => {
      const key = path.relative(process.cwd(), file || '(root)');
      let figures = files.get(key);
      if (!figures) {
        figures = { tests: 0, hooks: 0, wall: 0, count: 0, items: [] };
        files.set(key, figures);
      }
      return figures;
    };
    // Wall time per file: from its first suite to the next file's (includes mocha's own work);
    // only meaningful with --no-parallel.
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (!suite.file || suite.file === lastFile) return;
      const now = Date.now();
      if (lastFile) entry(lastFile).wall += now - lastFileStart;
      lastFile = suite.file;
      lastFileStart = now;
    });
    runner.on(EVENT_HOOK_END, (hook) => {
      const figures = entry(hook.file || hook.parent?.file);
      figures.hooks += hook.duration || 0;
      figures.items.push({ kind: 'hook', title: hook.fullTitle(), ms: hook.duration || 0 });
    });
    runner.on(EVENT_TEST_END, (test) => {
      const figures = entry(test.file);
      figures.tests += test.duration || 0;
      figures.count += 1;
      figures.items.push({ kind: 'test', title: test.fullTitle(), ms: test.duration || 0 });
    });
    runner.once(EVENT_RUN_END, () => {
      if (lastFile) entry(lastFile).wall += Date.now() - lastFileStart;
      const total = Date.now() - started;
      // In --parallel runs events arrive per file when it ends, so a file's wall time is unknown:
      // the time of its tests and hooks stands in for it.
      for (const f of files.values()) if (options?.parallel || f.wall === 0) f.wall = f.tests + f.hooks;
      const rows = [...files.entries()].sort((a, b) => b[1].wall - a[1].wall);
      const s = (ms) => (ms / 1000).toFixed(1).padStart(7);
      const lines = ['', `  profile: ${(total / 1000).toFixed(1)} s in all`, '     wall   tests   hooks   n  file'];
      for (const [file, f] of rows) lines.push(`  ${s(f.wall)} ${s(f.tests)} ${s(f.hooks)} ${String(f.count).padStart(3)}  ${file}`);
      lines.push('', '  slowest tests and hooks:');
      const items = rows.flatMap(([file, f]) => f.items.map((item) => ({ ...item, file })));
      for (const item of items.sort((a, b) => b.ms - a.ms).slice(0, 40)) lines.push(`  ${s(item.ms)}  ${item.kind}  ${item.file}: ${item.title}`);
      process.stdout.write(lines.join('\n') + '\n');
      if (process.env.ARBOR_TEST_PROFILE) {
        fs.writeFileSync(process.env.ARBOR_TEST_PROFILE, JSON.stringify({ total, files: Object.fromEntries(rows) }, null, 2));
      }
    });
  }
}

module.exports = ProfileReporter;
