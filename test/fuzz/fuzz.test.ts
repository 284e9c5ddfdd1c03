import assert from 'node:assert/strict';
import { runFuzz } from './runFuzz';
import { TARGETS } from './targets';

/**
 * Every fuzz target for a few seconds on a fixed seed: each input ends in success or a clean
 * ArborError, within the hang limit, within the heap and RSS limits, writing only where it
 * may. `npm run fuzz` runs the same targets for as long as asked.
 */
describe('fuzzing the parsers (a short run of each target)', function () {
  this.timeout(60_000);
  const seconds = Number(process.env.ARBOR_FUZZ_SECONDS ?? 3);

  for (const target of TARGETS) {
    it(`${target.name}: every mutated input ends cleanly`, async () => {
      const result = await runFuzz({ target: target.name, seconds, seed: 1 });
      const findings = result.findings.map((finding) => `${finding.kind}: ${finding.message.split('\n').slice(0, 3).join(' | ')} (input ${finding.input.toString('hex').slice(0, 80)}...)`);
      assert.deepEqual(findings, []);
      assert.ok(result.seeds > 0, 'the target has seeds');
      assert.ok(result.execs > result.seeds + 20, `only ${result.execs} executions`);
      assert.ok(result.corpus > result.seeds, 'coverage feedback added inputs to the corpus');
    });
  }
});

describe('the fuzz harness itself', function () {
  this.timeout(60_000);
  before(() => {
    process.env.ARBOR_FUZZ_SELFTEST = '1';
  });
  after(() => {
    delete process.env.ARBOR_FUZZ_SELFTEST;
  });

  it('reports an input that throws something other than an ArborError, with the input', async () => {
    const result = await runFuzz({ target: 'planted-crash', seconds: 10, seed: 1 });
    const crash = result.findings.find((finding) => finding.kind === 'crash');
    assert.ok(crash, 'the planted crash was found');
    assert.match(crash.message, /TypeError: planted: not an ArborError/);
    assert.ok(crash.input.includes(0xff), 'the saved input triggers it');
  });

  it('reports an input that hangs, and stops the run', async () => {
    const result = await runFuzz({ target: 'planted-hang', seconds: 20, seed: 1, hangMs: 1_000 });
    assert.deepEqual(result.findings.map((finding) => finding.kind), ['hang']);
    assert.ok(result.findings[0]!.input.length > 4);
    assert.ok(result.seconds < 10, `took ${result.seconds} s`);
  });

  it('reports an input that exhausts the heap', async () => {
    const result = await runFuzz({ target: 'planted-memory', seconds: 20, seed: 1, heapMb: 64, hangMs: 15_000 });
    assert.equal(result.findings[0]?.kind, 'memory', JSON.stringify(result.findings.map((finding) => finding.message)));
    assert.ok(result.findings[0]!.input.length > 4);
  });
});
