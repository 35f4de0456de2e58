/**
 * S3 object tags: the limits S3 sets and how one tag is added to a tag set
 * that others own too. Pure: the requests are in storage.ts
 * (`getObjectTags`, `putObjectTags`, `addObjectTag`).
 */

/** One object tag. */
export interface ObjectTag {
  key: string;
  value: string;
}

/** Tags S3 allows on one object. */
export const S3_MAX_TAGS = 10;
/** Longest tag key S3 allows, in Unicode characters. */
export const S3_MAX_TAG_KEY = 128;
/** Longest tag value S3 allows, in Unicode characters. */
export const S3_MAX_TAG_VALUE = 256;

/** What is wrong with a tag S3 would refuse, or undefined when it is fine. */
export function tagProblem(tag: ObjectTag): string | undefined {
  const keyLength = [...tag.key].length;
  const valueLength = [...tag.value].length;
  if (keyLength < 1 || keyLength > S3_MAX_TAG_KEY) {
    return `tag key must be 1 to ${S3_MAX_TAG_KEY} characters, got ${keyLength} (${JSON.stringify(tag.key.slice(0, 40))})`;
  }
  if (tag.key.startsWith('aws:')) {
    return `tag key must not start with "aws:" (reserved by AWS), got ${JSON.stringify(tag.key)}`;
  }
  if (valueLength > S3_MAX_TAG_VALUE) {
    return `tag value must be at most ${S3_MAX_TAG_VALUE} characters, got ${valueLength} (key ${JSON.stringify(tag.key)})`;
  }
  return undefined;
}

/** What adding a tag to an object's tag set comes to (`planTagAdd`). */
export type TagPlan =
  /** The tag is there with this value: nothing to write. */
  | { outcome: 'present' }
  /** The key is there with another value: kept, nothing written. */
  | { outcome: 'conflict'; value: string }
  /** The set already holds S3's 10 tags: nothing written. */
  | { outcome: 'full'; tags: number }
  /** Write `tags`: the object's tags, in their order, and the new one last. */
  | { outcome: 'add'; tags: ObjectTag[] };

/**
 * How `tag` joins `existing` without touching anyone else's tags: already
 * there, there with another value (never replaced), no room, or the merged set.
 */
export function planTagAdd(existing: readonly ObjectTag[], tag: ObjectTag): TagPlan {
  const same = existing.find((t) => t.key === tag.key);
  if (same !== undefined) {
    return same.value === tag.value
      ? { outcome: 'present' }
      : { outcome: 'conflict', value: same.value };
  }
  if (existing.length >= S3_MAX_TAGS) return { outcome: 'full', tags: existing.length };
  return { outcome: 'add', tags: [...existing, tag] };
}

/** What `Storage.addObjectTag` did. */
export type AddTagResult =
  | Exclude<TagPlan, { outcome: 'add' }>
  /** Written, on the version whose ETag was checked (`versionId`, on a versioned bucket). */
  | { outcome: 'added'; tags: ObjectTag[]; versionId: string | undefined }
  /** The object's ETag is no longer the one given: nothing written. */
  | { outcome: 'changed'; etag: string }
  /** No such object: nothing written. */
  | { outcome: 'gone' };
