import { execFile } from 'node:child_process';

export interface CommandResult {
  /** Exit status; null when the command was killed (its time ran out). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** The command is killed after this long: nothing here may hang a CI run. */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a program (no shell) and resolves with its status and output, whatever the status. */
export function runCommand(file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: options.timeoutMs, killSignal: 'SIGKILL', env: options.env, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout: String(stdout), stderr: String(stderr) });
        // A number is the exit status; otherwise it was killed (timeout) or never started (ENOENT).
        const code = typeof error.code === 'number' ? error.code : null;
        const why = code === null ? `\n${error.killed ? `killed after ${options.timeoutMs} ms` : error.message}` : '';
        resolve({ code, stdout: String(stdout), stderr: `${String(stderr)}${why}` });
      },
    );
  });
}

/** The last lines of a command's output, for an error message that fits on a screen. */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Like runCommand, but a non-zero status is an error naming the command and its output. */
export async function runOrThrow(file: string, args: readonly string[], options: CommandOptions): Promise<string> {
  const result = await runCommand(file, args, options);
  if (result.code !== 0) {
    const status = result.code === null ? 'did not finish' : `exit status ${result.code}`;
    throw new Error(`${file} ${args.join(' ')}: ${status}\n${tail(`${result.stdout}\n${result.stderr}`)}`);
  }
  return result.stdout;
}
