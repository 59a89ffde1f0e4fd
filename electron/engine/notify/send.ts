import { spawn } from 'node:child_process';
import { LoupeError } from '../../../shared/errors';

/**
 * The two ways a notification leaves Loupe. A command is spawned without a shell (argv array,
 * so nothing in a finding can be interpreted by one) with the event on stdin and a hard
 * timeout; a webhook is one HTTP(S) POST with the event as JSON body, no redirects followed.
 * Both reject with NOTIFY_FAILED naming the target and the reason.
 */

const MAX_CAPTURE = 4096;

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function runCommand(
  argv: readonly string[],
  input: string,
  options: { timeoutMs: number; signal?: AbortSignal; env?: Record<string, string> },
): Promise<CommandResult> {
  const [program, ...args] = argv;
  if (!program) return Promise.reject(new LoupeError('INVALID_INPUT', 'A notification command needs a program.'));
  const label = argv.join(' ').slice(0, 200);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    let timedOut = false;
    const child = spawn(program, args, {
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      windowsHide: true,
    });
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const onAbort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += c.slice(0, MAX_CAPTURE - stdout.length);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += c.slice(0, MAX_CAPTURE - stderr.length);
    });
    // A command that exits without reading its stdin makes the write fail with EPIPE: not our error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);

    child.on('error', (error) =>
      finish(() =>
        reject(
          new LoupeError('NOTIFY_FAILED', `The notification command ${label} could not start: ${error.message}`, {
            hint: 'Give the full path of the program; it is run without a shell.',
            cause: error,
          }),
        ),
      ),
    );
    child.on('close', (code, signal) =>
      finish(() => {
        if (timedOut) {
          reject(
            new LoupeError('NOTIFY_FAILED', `The notification command ${label} ran over ${options.timeoutMs} ms.`, {
              hint: "Raise the rule's timeoutMs, or make the command return sooner.",
            }),
          );
        } else if (options.signal?.aborted) {
          reject(new LoupeError('JOB_CANCELLED', `The notification command ${label} was stopped.`));
        } else if (code !== 0) {
          const tail = stderr.trim().split('\n').slice(-3).join(' | ');
          reject(
            new LoupeError(
              'NOTIFY_FAILED',
              `The notification command ${label} exited with ${code ?? signal}${tail ? `: ${tail}` : ''}.`,
            ),
          );
        } else {
          resolve({ exitCode: 0, stdout, stderr });
        }
      }),
    );
  });
}

export interface WebhookResult {
  status: number;
}

export async function postWebhook(
  url: string,
  body: string,
  options: { timeoutMs: number; headers?: Record<string, string> | undefined; signal?: AbortSignal },
): Promise<WebhookResult> {
  const target = safeUrl(url);
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { ...options.headers, 'content-type': 'application/json', 'user-agent': 'Loupe' },
      body,
      redirect: 'error',
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    if (options.signal?.aborted) throw new LoupeError('JOB_CANCELLED', `The webhook POST to ${target} was stopped.`);
    const reason =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new LoupeError(
      'NOTIFY_FAILED',
      timedOut
        ? `The webhook ${target} did not answer within ${options.timeoutMs} ms.`
        : `The webhook ${target} could not be reached: ${reason}`,
      { hint: 'Check the URL and that the receiver is running.', cause: error },
    );
  }
  // Read (and drop) the body so the connection is released.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) {
    throw new LoupeError('NOTIFY_FAILED', `The webhook ${target} answered ${response.status} ${response.statusText}.`, {
      hint: "A 2xx status is expected; check the receiver's logs.",
    });
  }
  return { status: response.status };
}

/** http(s) only, and no user:password in the URL (it would be printed in every error). */
function safeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LoupeError('INVALID_INPUT', `The webhook URL "${url.slice(0, 200)}" is not a URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new LoupeError('INVALID_INPUT', `The webhook URL must be http or https, not ${parsed.protocol}`);
  }
  if (parsed.username || parsed.password) {
    throw new LoupeError('INVALID_INPUT', `The webhook URL for ${parsed.host} carries a user name or password.`, {
      hint: "Put credentials in the rule's headers (for example Authorization) instead.",
    });
  }
  return parsed.toString();
}
