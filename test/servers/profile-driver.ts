import { Agent } from 'undici';
import { bodyOf } from '../../src/load/upload-body.ts';
import type {
  JobHandle,
  PollOutcome,
  Profile,
  ProfileContext,
  UploadFile,
} from '../../src/profiles/profile.ts';

/**
 * Drives a profile by hand in tests, without the load engine: a context on a fresh
 * dispatcher, small upload files, and a bounded poll loop.
 */
export function contextFor(
  url: string,
  requestTimeoutMs = 5_000,
): ProfileContext & {
  close(): Promise<void>;
} {
  const dispatcher = new Agent({ connections: 8 });
  return {
    baseUrl: new URL(url),
    dispatcher,
    headers: {},
    requestTimeoutMs,
    close: () => dispatcher.close(),
  };
}

/** `count` upload files of `bytes` bytes each, named `page-<n>.png`. */
export function uploadFiles(count: number, bytes = 100): UploadFile[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `page-${index + 1}.png`,
    contentType: 'image/png',
    body: bodyOf([Buffer.alloc(bytes, index + 1)]),
  }));
}

/**
 * Polls until the outcome is no longer `pending` (or `maxPolls` answers were pending),
 * waiting `intervalMs` between polls. Returns the last outcome and how many polls it took.
 */
export async function pollUntilSettled(
  profile: Profile,
  context: ProfileContext,
  handle: JobHandle,
  { intervalMs = 10, maxPolls = 200 } = {},
): Promise<{ outcome: PollOutcome; polls: number; pendingStates: string[] }> {
  const pendingStates: string[] = [];
  for (let polls = 1; ; polls++) {
    const outcome = await profile.poll(context, handle);
    if (outcome.kind !== 'pending' || polls >= maxPolls) {
      return { outcome, polls, pendingStates };
    }
    pendingStates.push(outcome.state);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
