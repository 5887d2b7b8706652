import { CommandFailure, type CommandInput, type CommandOutput, EXIT } from "./command-io.js";

/**
 * Reads a password from a terminal without echoing it: raw mode, one character at a time,
 * Backspace deletes, Enter ends, Ctrl-C or Ctrl-D cancels. The prompt goes to `output`
 * (stderr, so that stdout stays clean).
 */
export function promptPassword(input: CommandInput, output: CommandOutput, prompt: string): Promise<string> {
  if (input.isTTY !== true || typeof input.setRawMode !== "function") {
    return Promise.reject(new CommandFailure("cannot prompt for a password: standard input is not a terminal", EXIT.usage));
  }
  const setRawMode = input.setRawMode.bind(input);
  output.write(prompt);
  return new Promise<string>((resolve, reject) => {
    let password = "";
    const finish = (error: CommandFailure | null): void => {
      input.removeListener("data", onData);
      setRawMode(false);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(password);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of typeof chunk === "string" ? chunk : chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") {
          finish(null);
          return;
        }
        if (char === "\u0003" || char === "\u0004") {
          finish(new CommandFailure("cancelled", EXIT.usage));
          return;
        }
        if (char === "\u007f" || char === "\b") password = [...password].slice(0, -1).join("");
        else if (char >= " ") password += char;
      }
    };
    setRawMode(true);
    input.setEncoding?.("utf8");
    input.on("data", onData);
    input.resume();
  });
}
