import type { ChildProcess } from 'node:child_process';

/**
 * A started bot's combined output, and the sandbox URL it prints once it listens (rejects if the process
 * exits first, with what it printed).
 */
export function watchSandboxStart(proc: ChildProcess): { output(): string; url: Promise<string> } {
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = new Promise<string>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /^\s+(http:\/\/127\.0\.0\.1:(?!0\/)\d+\/sandbox)$/m.exec(out);
      if (m) {
        clearInterval(t);
        resolve(m[1]);
      } else if (proc.exitCode !== null) {
        clearInterval(t);
        reject(new Error(`exited ${proc.exitCode}: ${out}`));
      }
    }, 50);
  });
  return { output: () => out, url };
}
