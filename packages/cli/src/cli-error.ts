/** Exit codes of every `gatehouse` command (also printed by `--help`). */
export const ExitCode = {
  /** Done; nothing wrong found. */
  ok: 0,
  /** Done, and problems were found: validation errors, failing scenarios, invalid requests. */
  problemsFound: 1,
  /** Usage error, or an input file that cannot be read or parsed. */
  usage: 2,
  /** A bug in gatehouse (reported as one line; set GATEHOUSE_DEBUG=1 for the stack). */
  internal: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A user-facing failure: printed as ONE line `gatehouse: <message>` on stderr, never with a
 * stack trace, and the command exits with `exitCode`.
 */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;

  constructor(message: string, exitCode: ExitCodeValue = ExitCode.usage) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** One line, whatever the message holds. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
