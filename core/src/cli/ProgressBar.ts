import type { MultiBar } from 'cli-progress';
import { formatBytes } from '../formatBytes';
import { silentProgress, type ProgressReporter, type ProgressTask } from '../HookContext';

/**
 * Progress on stderr with cli-progress. Bars redraw at most 10 times a second, so ticking
 * per file costs nothing noticeable; without a TTY (or with --json) nothing is drawn.
 */
export function createProgressReporter(options: { enabled: boolean }): ProgressReporter {
  if (!options.enabled) return silentProgress;
  let bars: MultiBar | undefined;
  let open = 0;
  return {
    start(label: string, total = 0): ProgressTask {
      // cli-progress is loaded only when a bar is drawn: most runs have no TTY.
      const { MultiBar: Bars, Presets } = require('cli-progress') as typeof import('cli-progress');
      bars ??= new Bars(
        {
          stream: process.stderr,
          format: '{label} |{bar}| {value}/{total} {unit}',
          hideCursor: true,
          clearOnComplete: false,
          fps: 10,
        },
        Presets.shades_classic,
      );
      open++;
      let bytes = 0;
      const bar = bars.create(total, 0, { label: label.padEnd(12), unit: '' });
      return {
        tick(count = 1, addedBytes = 0) {
          bytes += addedBytes;
          bar.increment(count, { unit: bytes ? formatBytes(bytes) : '' });
        },
        setTotal(newTotal: number) {
          bar.setTotal(newTotal);
        },
        done() {
          bar.stop();
          if (--open === 0) {
            bars?.stop();
            bars = undefined;
          }
        },
      };
    },
  };
}
