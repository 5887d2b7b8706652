/**
 * Where a command writes. Commands take a {@link CliIo} instead of touching `process`, so
 * tests run them in-process and collect what they print.
 */

/** The part of a Node `Writable` (e.g. `process.stdout`) the commands use. */
export interface OutputStream {
  /** Returns false when the stream's buffer is full; wait for `drain` before writing more. */
  write(chunk: string): boolean;
  once(event: "drain", listener: () => void): unknown;
  readonly isTTY?: boolean;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Environment variables (only `NO_COLOR` is read). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The real process streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Writes and, when the stream asks for it, waits until its buffer has drained. */
export async function writeWithBackpressure(stream: OutputStream, chunk: string): Promise<void> {
  if (stream.write(chunk)) return;
  await new Promise<void>((resolve) => {
    stream.once("drain", resolve);
  });
}

/**
 * Colours only on a terminal, and never when `NO_COLOR` is set to a non-empty value
 * (https://no-color.org).
 */
export function useColor(io: CliIo): boolean {
  const noColor = io.env.NO_COLOR;
  return io.stdout.isTTY === true && (noColor === undefined || noColor === "");
}

/** A {@link CliIo} that keeps what is written in memory (tests, or embedding a command). */
export interface BufferedIo extends CliIo {
  /** Everything written to stdout so far. */
  stdoutText(): string;
  /** Everything written to stderr so far. */
  stderrText(): string;
}

export function createBufferedIo(options: { isTTY?: boolean; env?: Record<string, string | undefined> } = {}): BufferedIo {
  const out: string[] = [];
  const err: string[] = [];
  const stream = (chunks: string[]): OutputStream => ({
    write(chunk: string): boolean {
      chunks.push(chunk);
      return true;
    },
    once(): unknown {
      return undefined;
    },
    isTTY: options.isTTY === true,
  });
  return {
    stdout: stream(out),
    stderr: stream(err),
    env: options.env ?? {},
    stdoutText: () => out.join(""),
    stderrText: () => err.join(""),
  };
}
