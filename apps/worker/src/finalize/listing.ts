/**
 * What every finalize step derives from listing.json rather than from its
 * job's data: the key ranges (so the number of parts), whether the batch is a
 * key list, and the file's ETag, which each part records so that the
 * assemble joins only parts written against the same listing (an `enqueue`
 * rerun rewrites it, and a key list's `keys/part-*` with it).
 */
import { faultPoint } from '@kpress/config';
import {
  type BatchLocation,
  batchFileKeys,
  type KeyRange,
  ListingFileSchema,
  rangesFrom,
  undefinedIfAbsent,
  type Storage,
} from '@kpress/storage';

/** A batch's finalize ranges, as listing.json says now. */
export interface ListingFacts {
  /** listing.json's ETag; '' when there is none (a batch from before listing.json: one range). */
  etag: string;
  ranges: KeyRange[];
  keyList: boolean;
}

/** listing.json's biggest size read: range boundaries of a billion keys at 50,000 a range fit easily. */
const LISTING_MAX_BYTES = 256 * 1024 * 1024;

/** Reads listing.json; `point` names the call for the fault seam. */
export async function readListing(
  storage: Storage,
  loc: BatchLocation,
  point: 'finalize.listing-get' | 'part.listing-get' | 'assemble.listing-get',
): Promise<ListingFacts> {
  const key = batchFileKeys(loc.destPrefix, loc.batchId).listing;
  const got = await undefinedIfAbsent(
    storage.getObjectWithEtag(loc.destBucket, key, { maxBytes: LISTING_MAX_BYTES }),
  );
  let facts: ListingFacts = { etag: '', ranges: rangesFrom([]), keyList: false };
  if (got !== undefined) {
    const l = ListingFileSchema.parse(JSON.parse(got.body.toString('utf8')));
    facts = {
      etag: got.etag,
      ranges: rangesFrom(l.rangeBoundaries ?? []),
      keyList: l.keyList !== undefined,
    };
  }
  faultPoint(point, loc.batchId);
  return facts;
}
