/**
 * One fuzz target: a parser fed mutated bytes. `run` must end in success or a clean ArborError
 * for any input; the fuzzer also checks time, memory, and (for targets that write) that nothing
 * lands outside `work`.
 */
export interface FuzzTarget {
  name: string;
  /** Real inputs to start from (fixtures, or inputs encoded by the format's own writer). */
  seeds(): Promise<Buffer[]>;
  /** Parses `input`; `work` is an empty directory the target may write in, emptied after each run. */
  run(input: Buffer, work: string): Promise<void> | void;
  /** Path fragments of the compiled modules whose coverage guides this target. */
  covers: string[];
  /** The largest input to try (bytes). */
  maxInput?: number;
  /** Names `run` may leave in `work` (anything else is a write outside the target). */
  allowedInWork?: string[];
}
