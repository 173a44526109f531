import type { Knex } from 'knex';
import * as initial from './001_initial.js';
import * as messages from './002_messages.js';
import * as messageClientId from './003_message_client_id.js';
import * as codeFailures from './004_code_failures.js';
import * as usedChallenges from './005_used_challenges.js';
import * as pagingIndexes from './006_paging_indexes.js';
import * as userCounter from './007_user_counter.js';
import * as conversations from './008_conversations.js';
import * as messageSearch from './009_message_search.js';
import * as twoFactor from './012_two_factor.js';
import * as accessTokens from './013_access_tokens.js';
import * as keyedEmailCodes from './014_keyed_email_codes.js';
import * as roles from './015_roles.js';
import * as administration from './016_administration.js';
import * as deviceLogin from './017_device_login.js';
import * as identities from './018_identities.js';
import * as sshKeys from './019_ssh_keys.js';
import * as passkeys from './020_passkeys.js';
import * as moderation from './021_moderation.js';
import * as searchSpeed from './022_search_speed.js';
import * as locale from './023_locale.js';
import * as privateRoomOwners from './024_private_room_owners.js';
import * as searchMergeOffTheMessagePath from './025_search_merge_off_the_message_path.js';
import * as foreignKeyIndexes from './026_foreign_key_indexes.js';

/**
 * Migrations are imported, not found by scanning a folder, so the same list works from the
 * TypeScript sources in tests and from dist/ in the published package.
 */
const migrations: Record<string, Knex.Migration> = {
  '001_initial': initial,
  '002_messages': messages,
  '003_message_client_id': messageClientId,
  '004_code_failures': codeFailures,
  '005_used_challenges': usedChallenges,
  '006_paging_indexes': pagingIndexes,
  '007_user_counter': userCounter,
  '008_conversations': conversations,
  '009_message_search': messageSearch,
  '012_two_factor': twoFactor,
  '013_access_tokens': accessTokens,
  '014_keyed_email_codes': keyedEmailCodes,
  '015_roles': roles,
  '016_administration': administration,
  '017_device_login': deviceLogin,
  '018_identities': identities,
  '019_ssh_keys': sshKeys,
  '020_passkeys': passkeys,
  '021_moderation': moderation,
  '022_search_speed': searchSpeed,
  '023_locale': locale,
  '024_private_room_owners': privateRoomOwners,
  '025_search_merge_off_the_message_path': searchMergeOffTheMessagePath,
  '026_foreign_key_indexes': foreignKeyIndexes,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
