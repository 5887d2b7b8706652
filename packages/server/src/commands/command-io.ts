/**
 * What the server's `gatehouse` commands need from the CLI: where to write, the environment,
 * and (for the password prompt) the terminal. Structurally the CLI's `CliIo`, so the CLI can
 * pass its own without this package depending on it (the CLI depends on this package).
 */

import { isGatehouseError } from "@gatehouse/store";
import type { Command } from "commander";

export interface CommandOutput {
  write(chunk: string): boolean;
  readonly isTTY?: boolean;
}

/** A terminal to read a password from: `process.stdin` has this shape. */
export interface CommandInput {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  removeListener(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
  setEncoding?(encoding: BufferEncoding): unknown;
}

export interface ServerCommandIo {
  readonly stdout: CommandOutput;
  readonly stderr: CommandOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default: `process.stdin`. */
  readonly stdin?: CommandInput;
}

/** The same contract as the CLI's `CommandRegistrar`. */
export type ServerCommandRegistrar = (program: Command, io: ServerCommandIo, setExitCode: (code: number) => void) => void;

/** The CLI's exit codes (README): 1 problems found in the input, 2 usage or unusable input, 3 a bug. */
export const EXIT = { ok: 0, problemsFound: 1, usage: 2, internal: 3 } as const;

/** A user-facing failure: one line on stderr (`gatehouse: <message>`) and this exit code. */
export class CommandFailure extends Error {
  override readonly name = "CommandFailure";
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.exitCode = exitCode;
  }
}

const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, " ").trim();

export function writeLine(stream: CommandOutput, line = ""): void {
  stream.write(`${line}\n`);
}

/**
 * Runs a command's body and turns its expected failures into one stderr line and an exit
 * code: {@link CommandFailure} as given, a store `GatehouseError` as 1 (a conflict, an
 * invalid input) or 2 (the database is unavailable or the tenant is missing). Anything else
 * is a bug and propagates to the CLI (exit 3).
 */
export async function runCommand(io: ServerCommandIo, setExitCode: (code: number) => void, body: () => Promise<number>): Promise<void> {
  try {
    setExitCode(await body());
  } catch (error) {
    if (error instanceof CommandFailure) {
      writeLine(io.stderr, `gatehouse: ${oneLine(error.message)}`);
      setExitCode(error.exitCode);
      return;
    }
    if (isGatehouseError(error)) {
      writeLine(io.stderr, `gatehouse: ${oneLine(error.message)}`);
      setExitCode(error.code === "unavailable" || error.code === "notFound" ? EXIT.usage : EXIT.problemsFound);
      return;
    }
    throw error;
  }
}
