import { ArborError } from '@arbor/core';
import { GrubErrorCode } from '../GrubErrorCode';

/** A grub.cfg that GRUB's own parser would refuse: names the file and the line. */
export class GrubSyntaxError extends ArborError {
  constructor(readonly source: string, readonly line: number, problem: string) {
    super(GrubErrorCode.CONFIG_SYNTAX, `${source}, line ${line}: ${problem}`, {
      hint: 'Check the file with grub-script-check; Arbor rewrites only a grub.cfg that GRUB itself can parse',
    });
    this.name = 'GrubSyntaxError';
  }
}
