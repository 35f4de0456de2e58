/**
 * The finalize's state machine, one Lua script per transition: each reads
 * and changes a batch's finalize keys in one atomic step (compare-and-set),
 * so that two workers, a retry, a redelivered job or the watchdog can never
 * interleave inside one. See docs/design.md ("The finalize's states").
 *
 * A batch's finalize state is its `round` (a number, 0 at first) and its
 * `stage`, `"<round>:<name>"`, a stage of another round counting as none:
 *
 *   (none)    waiting: the round's compress jobs are out, or it is drained
 *             and its finalize has not begun
 *   parts     the round's parts are out; `parts` holds `<round>:<i>` for
 *             each part not yet written
 *   assemble  every part is written: the assemble joins or re-queues
 *   requeue   the assemble is queuing the sources without a record under
 *             round + 1 (`listed` is off meanwhile)
 *   done      the assemble found the batch drained and is writing the
 *             manifests and, last, summary.json: no source may join the
 *             batch any more (an enqueue rerun answers "finishing")
 *
 * Every script takes the same KEYS, in this order, and answers a word.
 */

/** KEYS of every transition script, in order. */
export const FINALIZE_KEYS = ['round', 'stage', 'parts', 'pending', 'listed', 'cancelled'] as const;

/** Lua shared by the scripts: `cur` (the round) and `stage` (its name, or false). */
const PRELUDE = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local stage = false
local raw = redis.call('GET', KEYS[2])
if raw then
  local r, name = string.match(raw, '^(%d+):(%a+)$')
  if r and tonumber(r) == cur then stage = name end
end
local cancelled = redis.call('EXISTS', KEYS[6]) == 1
local function setStage(name) redis.call('SET', KEYS[2], cur .. ':' .. name, 'EX', ARGV[2]) end
`;

/**
 * waiting -> parts. ARGV: round, ttl, parts n. Answers 'begun'; 'early' (not
 * drained); 'stale' (another round); 'cancelled'; or the stage it is already in.
 */
export const BEGIN_PARTS = `${PRELUDE}
if cancelled then return 'cancelled' end
if cur ~= tonumber(ARGV[1]) then return 'stale' end
if stage then return stage end
if redis.call('GET', KEYS[5]) ~= '1' or redis.call('SCARD', KEYS[4]) > 0 then return 'early' end
redis.call('DEL', KEYS[3])
for i = 0, tonumber(ARGV[3]) - 1 do redis.call('SADD', KEYS[3], cur .. ':' .. i) end
redis.call('EXPIRE', KEYS[3], ARGV[2])
setStage('parts')
return 'begun'`;

/**
 * Part i written: parts -> assemble when it was the last. ARGV: round, ttl, i.
 * Answers 'assemble' (also for a retry after the last part), 'open' (parts
 * left) or 'stale'.
 */
export const SETTLE_PART = `${PRELUDE}
if cur ~= tonumber(ARGV[1]) then return 'stale' end
if stage == 'assemble' then return 'assemble' end
if stage ~= 'parts' then return 'stale' end
redis.call('SREM', KEYS[3], cur .. ':' .. ARGV[3])
if redis.call('SCARD', KEYS[3]) > 0 then return 'open' end
setStage('assemble')
return 'assemble'`;

/**
 * assemble -> parts: the assemble found parts missing or written against
 * another listing. ARGV: round, ttl, then the part indexes to write again.
 */
export const REDO_PARTS = `${PRELUDE}
if cur ~= tonumber(ARGV[1]) or stage ~= 'assemble' then return 'stale' end
redis.call('DEL', KEYS[3])
for i = 3, #ARGV do redis.call('SADD', KEYS[3], cur .. ':' .. ARGV[i]) end
redis.call('EXPIRE', KEYS[3], ARGV[2])
setStage('parts')
return 'parts'`;

/**
 * parts or assemble -> waiting, same round: the batch is no longer drained
 * (an enqueue rerun is queuing it): its finalize begins again once it is. ARGV: round, ttl.
 */
export const RESET_ROUND = `${PRELUDE}
if cur ~= tonumber(ARGV[1]) or (stage ~= 'assemble' and stage ~= 'parts') then return 'stale' end
redis.call('DEL', KEYS[2], KEYS[3])
return 'waiting'`;

/**
 * assemble -> requeue, and the listing flag off (no finalize may start while
 * the sources are queued). ARGV: round, ttl. Answers 'requeue' (also when
 * already there), 'stale' or 'cancelled'.
 */
export const BEGIN_REQUEUE = `${PRELUDE}
if cancelled then return 'cancelled' end
if cur ~= tonumber(ARGV[1]) then return 'stale' end
if stage == 'requeue' then return 'requeue' end
if stage ~= 'assemble' then return 'stale' end
setStage('requeue')
redis.call('DEL', KEYS[5])
return 'requeue'`;

/**
 * requeue -> waiting of round + 1, the listing flag on again. ARGV: round,
 * ttl. Answers 'advanced', 'stale' or 'cancelled'.
 */
export const END_REQUEUE = `${PRELUDE}
if cancelled then return 'cancelled' end
if cur ~= tonumber(ARGV[1]) or stage ~= 'requeue' then return 'stale' end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('SET', KEYS[5], '1', 'EX', ARGV[2])
return 'advanced'`;

/**
 * assemble -> waiting of round + 1 after the last round's give-up (every
 * source has a record now). ARGV: round, ttl. Answers 'advanced', 'stale' or 'cancelled'.
 */
export const END_GIVE_UP = `${PRELUDE}
if cancelled then return 'cancelled' end
if cur ~= tonumber(ARGV[1]) or stage ~= 'assemble' then return 'stale' end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2], KEYS[3])
return 'advanced'`;

/**
 * Any stage -> waiting of round + 1, if the round is ARGV[1] (the older
 * `advanceRound`). ARGV: round, ttl. The new round, or -1.
 */
export const ADVANCE_ROUND = `${PRELUDE}
if cur ~= tonumber(ARGV[1]) then return -1 end
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2], KEYS[3])
return n`;

/**
 * assemble -> done, only while the batch is drained (listed, nothing
 * pending): the assemble's commit point before it writes the manifests. An
 * enqueue rerun that began listing first (BEGIN_LISTING) makes it 'stale' or
 * 'not-drained'. ARGV: round, ttl. Answers 'done' (also when already done),
 * 'not-drained', 'stale' or 'cancelled'.
 */
export const FINISH = `${PRELUDE}
if cancelled then return 'cancelled' end
if cur ~= tonumber(ARGV[1]) then return 'stale' end
if stage == 'done' then return 'done' end
if stage ~= 'assemble' then return 'stale' end
if redis.call('GET', KEYS[5]) ~= '1' or redis.call('SCARD', KEYS[4]) > 0 then return 'not-drained' end
setStage('done')
return 'done'`;

/**
 * An enqueue rerun begins listing: the listing flag off, and a round in stage
 * assemble back to waiting (its assemble answers stale and the finalize
 * begins again once the rerun has drained). A round in stage done is not
 * touched: the rerun answers 'finishing' and adds nothing (sources that
 * appear once a batch is finishing belong to a new batch). ARGV: 0, ttl.
 * Answers 'listing' or 'finishing'.
 */
export const BEGIN_LISTING = `${PRELUDE}
if stage == 'done' then return 'finishing' end
if stage == 'assemble' then redis.call('DEL', KEYS[2], KEYS[3]) end
redis.call('DEL', KEYS[5])
return 'listing'`;

/**
 * parts -> assemble when the parts set is empty (Redis lost it, or the last
 * part settled without its assemble): the assemble then checks the parts'
 * summaries in S3 and writes again those missing (REDO_PARTS). ARGV: round,
 * ttl. Answers 'assemble' (also when already there), 'open' or 'stale'.
 */
export const PARTS_EMPTY = `${PRELUDE}
if cur ~= tonumber(ARGV[1]) then return 'stale' end
if stage == 'assemble' then return 'assemble' end
if stage ~= 'parts' then return 'stale' end
if redis.call('SCARD', KEYS[3]) > 0 then return 'open' end
setStage('assemble')
return 'assemble'`;

/**
 * Clears the batch's keys and its registry entry (KEYS[7]), only if round
 * ARGV[1] is in stage done: a rerun that took the batch back (its new
 * pending ids, its listing flag) is never wiped. ARGV: round, ttl, batch id.
 * Answers 'cleared' or 'kept'.
 */
export const CLEAR_DONE = `${PRELUDE}
if cur ~= tonumber(ARGV[1]) or stage ~= 'done' then return 'kept' end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('HDEL', KEYS[7], ARGV[3])
return 'cleared'`;

/** The state in one read: round, stage name ('' when waiting), parts left. ARGV: none (ttl unused). */
export const READ_STATE = `${PRELUDE}
return { cur, stage or '', redis.call('SCARD', KEYS[3]) }`;
