import { BadUserInputError } from '../errors/app-error.js';
import { isPlainText } from '../validation/text.js';
import type { ContentInput } from '../store/types.js';

const HEX32 = /^[0-9a-fA-F]{32}$/;
export const CONTENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MAX_SECONDS = 366 * 24 * 3600;

export interface RawContentInput {
  id: string;
  title: string;
  keyId: string;
  contentKey: string;
  iv?: string | null;
  rental: { periodSeconds: number; playSeconds: number };
  /** Omitted: streaming only (a replace sets the policy like every other field). */
  offlineAllowed?: boolean | null;
}

/** Checks an admin's catalog entry field by field, so the message names what to fix. */
export function validateContentInput(input: RawContentInput): ContentInput {
  if (!CONTENT_ID.test(input.id)) {
    throw new BadUserInputError(
      'id',
      'id must be 1-128 characters of letters, digits, ".", "_", ":" or "-", starting with a letter or digit.',
    );
  }
  const title = input.title.trim();
  if (title.length < 1 || title.length > 200 || !isPlainText(title)) {
    throw new BadUserInputError('title', 'title must be 1-200 characters, with no control characters.');
  }
  if (!HEX32.test(input.keyId)) throw new BadUserInputError('keyId', 'keyId must be 32 hexadecimal digits.');
  if (!HEX32.test(input.contentKey)) {
    throw new BadUserInputError('contentKey', 'contentKey must be 32 hexadecimal digits (a 16-byte AES key).');
  }
  if (input.iv != null && !HEX32.test(input.iv)) {
    throw new BadUserInputError('iv', 'iv must be 32 hexadecimal digits (the FairPlay content IV), or omitted.');
  }
  const { periodSeconds, playSeconds } = input.rental;
  if (!Number.isInteger(periodSeconds) || periodSeconds < 1 || periodSeconds > MAX_SECONDS) {
    throw new BadUserInputError('rental.periodSeconds', `rental.periodSeconds must be from 1 to ${MAX_SECONDS}.`);
  }
  if (!Number.isInteger(playSeconds) || playSeconds < 1 || playSeconds > periodSeconds) {
    throw new BadUserInputError(
      'rental.playSeconds',
      'rental.playSeconds must be at least 1 and no longer than rental.periodSeconds.',
    );
  }
  return {
    id: input.id,
    title,
    keyId: input.keyId.toLowerCase(),
    contentKey: input.contentKey.toLowerCase(),
    iv: input.iv ? input.iv.toLowerCase() : null,
    rentalPeriodSeconds: periodSeconds,
    rentalPlaySeconds: playSeconds,
    offlineAllowed: input.offlineAllowed === true,
  };
}
