import { z } from 'zod';
import type { Profile } from './profile.ts';
import { OcrbenchError } from '../util/errors.ts';
import { createGenericProfile } from './generic.ts';
import { createOcrlotesBatchProfile } from './ocrlotes-batch.ts';
import { ocrlotesProfile } from './ocrlotes.ts';
import { createSyncProfile } from './sync.ts';

export { genericProfileSchema } from './generic-config.ts';
export { syncProfileSchema } from './sync.ts';

/** Names of the built-in profiles, as written in `target.profile`. */
export const PROFILE_NAMES = ['ocrlotes', 'ocrlotes-batch', 'generic', 'sync'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/**
 * The profile named `name`. `config` is the scenario's `target` object (its `generic` or
 * `sync` member holds that profile's settings); a bare settings object is accepted too.
 * A new instance per call: the batch profile keeps per-run state.
 */
export function getProfile(name: string, config: unknown): Profile {
  switch (name) {
    case 'ocrlotes':
      return ocrlotesProfile;
    case 'ocrlotes-batch':
      return createOcrlotesBatchProfile();
    case 'generic':
      return withFieldErrors('generic', () => createGenericProfile(settingsOf(config, 'generic')));
    case 'sync':
      return withFieldErrors('sync', () => createSyncProfile(settingsOf(config, 'sync') ?? {}));
    default:
      throw new OcrbenchError(
        'E_SCENARIO_FIELD',
        `target.profile: unknown profile "${name}"; use one of ${PROFILE_NAMES.join(', ')}`,
      );
  }
}

function settingsOf(config: unknown, key: string): unknown {
  if (typeof config !== 'object' || config === null) return config;
  const object = config as Record<string, unknown>;
  // The scenario's target object (it has a profile or url): the settings are a member.
  const isTarget = key in object || 'profile' in object || 'url' in object;
  return isTarget ? object[key] : config;
}

function withFieldErrors(name: string, make: () => Profile): Profile {
  try {
    return make();
  } catch (error) {
    if (!(error instanceof z.ZodError)) throw error;
    const problems = error.issues
      .map((issue) => `target.${name}.${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new OcrbenchError('E_SCENARIO_FIELD', `${problems} (see docs/profiles.md)`, {
      cause: error,
    });
  }
}
