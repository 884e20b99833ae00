// Runs Debian's curl against the server: the proxy environment cleared and --noproxy '' so
// nothing but the given --socks5 flag decides the route.
import { spawn } from 'node:child_process';

export interface CurlResult { code: number; stdout: string; stderr: string }

export function curl(args: string[]): Promise<CurlResult> {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/_proxy$/i.test(key)) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/curl', ['-sS', '--noproxy', '', '--max-time', '10', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
