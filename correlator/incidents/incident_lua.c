/* incident_lua.c -- the Lua scripts of the incident store (see
 * incident_lua.h). Each one is the prelude (key names and helpers shared by
 * all) followed by its body. Writes come only after every check, because
 * Redis does not roll a script back when it stops half-way.
 *
 * Helpers of the prelude:
 *   key(id[, sub])     the incident's hash, or one of its keys
 *   tl(...)            append to the incident's timeline (XADD MAXLEN ~)
 *   requeue(id)        put the incident in (open) or out of (else) the queues
 *                      with score priority * 1e13 + first_seen seconds
 *   set_status(...)    status, counters, status times, dedup slot, queues,
 *                      timeline: every status change goes through it
 *   add_set, push_capped, link   bounded sets, first/latest lists, links
 *   outbox(id, reason, now)      a new version of the incident for the
 *                      forwarder: the fields that change between versions
 *                      are frozen in the entry, the rest is read at send */
#include "incident_lua.h"

#include "incident_keys.h"

#define PRELUDE                                                                                    \
    "local P, Q, M = '" INCIDENT_KEY_PREFIX "', '" INCIDENT_QUEUE_PREFIX                           \
    "', '" INCIDENT_MATCH_PREFIX "'\n"                                                             \
    "local OUTBOX = '" INCIDENT_OUTBOX_KEY "'\n"                                                   \
    "local OPEN = {new = true, acknowledged = true, investigating = true}\n"                       \
    "-- links per incident, candidates looked at per index (the most recently\n"                   \
    "-- active), members per index, source IPs of one match looked up: a busy\n"                   \
    "-- asset must not turn every apply into hundreds of links\n"                                  \
    "local LINKS_MAX, LINK_SCAN, INDEX_MAX, LINK_IPS = 1000, 20, 1000, 32\n"                       \
    "local TMAX = '10000'\n"                                                                       \
    "local function key(id, sub)\n"                                                                \
    "  if sub then return P .. id .. ':' .. sub end\n"                                             \
    "  return P .. id\n"                                                                           \
    "end\n"                                                                                        \
    "local function num(s) return tonumber(s) or 0 end\n"                                          \
    "-- numbers go to Redis as integer text, never \"1.7e+15\"\n"                                  \
    "local function int(x) return string.format('%d', x) end\n"                                    \
    "local function refuse(msg) return redis.error_reply('REFUSED ' .. msg) end\n"                 \
    "local function tl(id, now, actor, action, field, old, new, extra)\n"                          \
    "  local a = {'XADD', key(id, 'timeline'), 'MAXLEN', '~', TMAX, '*', 'ts', now,\n"             \
    "             'actor', actor, 'action', action, 'field', field, 'old', old or '',\n"           \
    "             'new', new or ''}\n"                                                             \
    "  for i = 1, #(extra or {}) do a[#a + 1] = extra[i] end\n"                                    \
    "  redis.call(unpack(a))\n"                                                                    \
    "end\n"                                                                                        \
    "local function score(prio, first)\n"                                                          \
    "  return int(num(prio) * 1e13 + math.floor(num(first) / 1e6))\n"                              \
    "end\n"                                                                                        \
    "-- the queues hold open incidents only; \"all\" holds every incident\n"                       \
    "local function requeue(id)\n"                                                                 \
    "  local h = redis.call('HMGET', key(id), 'priority', 'first_seen', 'status',\n"               \
    "                       'assignee', 'asset_name')\n"                                           \
    "  local s = score(h[1], h[2])\n"                                                              \
    "  redis.call('ZADD', P .. 'all', s, id)\n"                                                    \
    "  local qs = {Q .. 'open'}\n"                                                                 \
    "  if h[4] and h[4] ~= '' then qs[#qs + 1] = Q .. 'assignee:' .. h[4] end\n"                   \
    "  if h[5] and h[5] ~= '' then qs[#qs + 1] = Q .. 'asset:' .. h[5] end\n"                      \
    "  for _, q in ipairs(qs) do\n"                                                                \
    "    if OPEN[h[3]] then redis.call('ZADD', q, s, id) else redis.call('ZREM', q, id) end\n"     \
    "  end\n"                                                                                      \
    "end\n"                                                                                        \
    "local function dedup_release(id)\n"                                                           \
    "  for _, f in ipairs(redis.call('SMEMBERS', key(id, 'dedup'))) do\n"                          \
    "    if redis.call('HGET', P .. 'dedup', f) == id then\n"                                      \
    "      redis.call('HDEL', P .. 'dedup', f)\n"                                                  \
    "    end\n"                                                                                    \
    "  end\n"                                                                                      \
    "end\n"                                                                                        \
    "local function dedup_restore(id)\n"                                                           \
    "  for _, f in ipairs(redis.call('SMEMBERS', key(id, 'dedup'))) do\n"                          \
    "    redis.call('HSETNX', P .. 'dedup', f, id)\n"                                              \
    "  end\n"                                                                                      \
    "end\n"                                                                                        \
    "local function outbox(id, reason, now)\n"                                                     \
    "  local k = key(id)\n"                                                                        \
    "  local v = redis.call('HINCRBY', k, 'fwd_version', 1)\n"                                     \
    "  local h = redis.call('HMGET', k, 'status', 'priority', 'severity', 'count',\n"              \
    "                       'last_seen', 'rule_version', 'updated_at')\n"                          \
    "  redis.call('XADD', OUTBOX, '*', 'id', id, 'version', v, 'reason', reason,\n"                \
    "             'status', h[1] or '', 'priority', h[2] or '', 'severity', h[3] or '',\n"         \
    "             'count', h[4] or '', 'last_seen', h[5] or '', 'rule_version', h[6] or '',\n"     \
    "             'updated_at', h[7] or now)\n"                                                    \
    "end\n"                                                                                        \
    "-- the forwarder's reason for a status change, if it passes one on\n"                         \
    "local function status_reason(from, to)\n"                                                     \
    "  if to == 'resolved' or to == 'false_positive' then return 'resolved' end\n"                 \
    "  if to == 'closed' then return 'closed' end\n"                                               \
    "  if OPEN[to] and not OPEN[from] then return 'reopened' end\n"                                \
    "  return nil\n"                                                                               \
    "end\n"                                                                                        \
    "local function set_status(id, from, to, now, actor)\n"                                        \
    "  local k = key(id)\n"                                                                        \
    "  redis.call('HSET', k, 'status', to, 'updated_at', now)\n"                                   \
    "  redis.call('HINCRBY', Q .. 'by_status', from, -1)\n"                                        \
    "  redis.call('HINCRBY', Q .. 'by_status', to, 1)\n"                                           \
    "  if to == 'acknowledged' then redis.call('HSETNX', k, 'acknowledged_at', now) end\n"         \
    "  if to == 'resolved' or to == 'false_positive' then\n"                                       \
    "    redis.call('HSET', k, 'resolved_at', now)\n"                                              \
    "  end\n"                                                                                      \
    "  if to == 'closed' then redis.call('HSET', k, 'closed_at', now) end\n"                       \
    "  if OPEN[to] and not OPEN[from] then\n"                                                      \
    "    redis.call('HDEL', k, 'resolved_at', 'closed_at')\n"                                      \
    "    dedup_restore(id)\n"                                                                      \
    "  elseif OPEN[from] and not OPEN[to] then\n"                                                  \
    "    dedup_release(id)\n"                                                                      \
    "  end\n"                                                                                      \
    "  requeue(id)\n"                                                                              \
    "  tl(id, now, actor, 'status', 'status', from, to)\n"                                         \
    "  local why = status_reason(from, to)\n"                                                      \
    "  if why then outbox(id, why, now) end\n"                                                     \
    "end\n"                                                                                        \
    "-- members added to a set while it has fewer than cap; returns the new ones\n"                \
    "local function add_set(k, items, cap)\n"                                                      \
    "  local n, new = redis.call('SCARD', k), {}\n"                                                \
    "  for _, it in ipairs(items) do\n"                                                            \
    "    if n < cap and redis.call('SADD', k, it) == 1 then\n"                                     \
    "      n = n + 1\n"                                                                            \
    "      new[#new + 1] = it\n"                                                                   \
    "    end\n"                                                                                    \
    "  end\n"                                                                                      \
    "  return new\n"                                                                               \
    "end\n"                                                                                        \
    "-- NAME:first keeps the first ceil(cap/2) items, NAME:last the latest rest;\n"                \
    "-- with a set NAME:set of what the two lists hold, repeats are skipped.\n"                    \
    "-- Returns how many items were new.\n"                                                        \
    "local function push_capped(id, name, items, cap, with_set)\n"                                 \
    "  local first_cap = math.ceil(cap / 2)\n"                                                     \
    "  local last_cap = cap - first_cap\n"                                                         \
    "  local fk, lk = key(id, name .. ':first'), key(id, name .. ':last')\n"                       \
    "  local sk = key(id, name .. ':set')\n"                                                       \
    "  local nf, added = redis.call('LLEN', fk), 0\n"                                              \
    "  for _, it in ipairs(items) do\n"                                                            \
    "    if not with_set or redis.call('SADD', sk, it) == 1 then\n"                                \
    "      added = added + 1\n"                                                                    \
    "      if nf < first_cap then\n"                                                               \
    "        redis.call('RPUSH', fk, it)\n"                                                        \
    "        nf = nf + 1\n"                                                                        \
    "      elseif last_cap > 0 then\n"                                                             \
    "        redis.call('RPUSH', lk, it)\n"                                                        \
    "      elseif with_set then\n"                                                                 \
    "        redis.call('SREM', sk, it)\n"                                                         \
    "      end\n"                                                                                  \
    "    end\n"                                                                                    \
    "  end\n"                                                                                      \
    "  local over = redis.call('LLEN', lk) - last_cap\n"                                           \
    "  if over > 0 then\n"                                                                         \
    "    if with_set then\n"                                                                       \
    "      for _, old in ipairs(redis.call('LRANGE', lk, 0, over - 1)) do\n"                       \
    "        redis.call('SREM', sk, old)\n"                                                        \
    "      end\n"                                                                                  \
    "    end\n"                                                                                    \
    "    redis.call('LTRIM', lk, over, -1)\n"                                                      \
    "  end\n"                                                                                      \
    "  return added\n"                                                                             \
    "end\n"                                                                                        \
    "local function link(a, b, now, actor)\n"                                                      \
    "  if a == b or redis.call('SISMEMBER', key(a, 'links'), b) == 1 then return end\n"            \
    "  if redis.call('SCARD', key(a, 'links')) >= LINKS_MAX or\n"                                  \
    "     redis.call('SCARD', key(b, 'links')) >= LINKS_MAX then return end\n"                     \
    "  redis.call('SADD', key(a, 'links'), b)\n"                                                   \
    "  redis.call('SADD', key(b, 'links'), a)\n"                                                   \
    "  tl(a, now, actor, 'linked', 'links', '', b)\n"                                              \
    "  tl(b, now, actor, 'linked', 'links', '', a)\n"                                              \
    "end\n"

static const char script_apply[] =
    PRELUDE "-- KEYS[1] soc:incident:{inc}:dedup\n"
            "-- ARGV: match_id rule_id rule_version title severity priority group_key\n"
            "--   first_seen last_seen count asset_name asset_level now year evidence_max\n"
            "--   samples_max ips_max link_window(usec) match_ttl(sec) timeline_max\n"
            "--   sla_ack(usec) sla_resolve(usec) (of this priority), event ids not sent\n"
            "--   (counted only), then the counts n_src n_dest n_tactics n_techniques\n"
            "--   n_events n_samples and the items.\n"
            "local a = ARGV\n"
            "local match_id, rule_id, version, title = a[1], a[2], a[3], a[4]\n"
            "local severity, priority, group_key = num(a[5]), num(a[6]), a[7]\n"
            "local first, last, count = num(a[8]), num(a[9]), a[10]\n"
            "local asset, asset_level, now, year = a[11], a[12], a[13], a[14]\n"
            "local ev_max, sm_max, ips_max = num(a[15]), num(a[16]), num(a[17])\n"
            "local window, ttl = num(a[18]), a[19]\n"
            "TMAX = a[20]\n"
            "local sla_ack, sla_res, ev_extra = num(a[21]), num(a[22]), num(a[23])\n"
            "local lists, i = {}, 30\n"
            "for j = 1, 6 do\n"
            "  local l = {}\n"
            "  for x = 1, num(a[23 + j]) do\n"
            "    l[x] = a[i]\n"
            "    i = i + 1\n"
            "  end\n"
            "  lists[j] = l\n"
            "end\n"
            "local src, dest, tactics, techniques, events, samples = unpack(lists)\n"
            "\n"
            "-- the same match again (the correlator re-reads unacked events): the\n"
            "-- first answer, nothing changed\n"
            "local mk = M .. match_id\n"
            "local done = redis.call('GET', mk)\n"
            "if done then\n"
            "  local sp = string.find(done, ' ', 1, true)\n"
            "  return {string.sub(done, 1, sp - 1), num(string.sub(done, sp + 1))}\n"
            "end\n"
            "\n"
            "local dfield = rule_id .. '\\t' .. group_key\n"
            "local id = redis.call('HGET', KEYS[1], dfield)\n"
            "if id and not OPEN[redis.call('HGET', key(id), 'status')] then id = false end\n"
            "local created, asset_new, escalated = 0, false, false\n"
            "if not id then\n"
            "  created = 1\n"
            "  local seq = redis.call('HINCRBY', P .. 'seq', year, 1)\n"
            "  id = 'INC-' .. year .. '-' .. string.format('%06d', seq)\n"
            "  redis.call('HSET', key(id), 'id', id, 'title', title, 'rule_id', rule_id,\n"
            "             'rule_version', version, 'severity', int(severity),\n"
            "             'priority', int(priority),\n"
            "             'status', 'new', 'group_key', group_key, 'first_seen', int(first),\n"
            "             'last_seen', int(last), 'count', count, 'asset_name', asset,\n"
            "             'asset_level', asset_level, 'created_at', now, 'updated_at', now,\n"
            "             'sla_acknowledge_by', int(num(now) + sla_ack),\n"
            "             'sla_resolve_by', int(num(now) + sla_res), 'evidence_total', '0')\n"
            "  redis.call('HSET', KEYS[1], dfield, id)\n"
            "  redis.call('SADD', key(id, 'dedup'), dfield)\n"
            "  redis.call('HINCRBY', Q .. 'by_status', 'new', 1)\n"
            "  tl(id, now, 'correlator', 'created', 'status', '', 'new', {'match', match_id})\n"
            "else\n"
            "  local k = key(id)\n"
            "  local h = redis.call('HMGET', k, 'count', 'first_seen', 'last_seen', 'priority',\n"
            "                       'severity', 'rule_version', 'asset_name', 'created_at')\n"
            "  redis.call('HINCRBY', k, 'count', count)\n"
            "  local upd = {'updated_at', now}\n"
            "  if first < num(h[2]) then\n"
            "    upd[#upd + 1] = 'first_seen'\n"
            "    upd[#upd + 1] = int(first)\n"
            "  end\n"
            "  if last > num(h[3]) then\n"
            "    upd[#upd + 1] = 'last_seen'\n"
            "    upd[#upd + 1] = int(last)\n"
            "  end\n"
            "  redis.call('HSET', k, unpack(upd))\n"
            "  tl(id, now, 'correlator', 'extended', 'count', h[1] or '0',\n"
            "     redis.call('HGET', k, 'count'), {'match', match_id})\n"
            "  if priority < num(h[4]) then\n"
            "    local created_at = num(h[8])\n"
            "    local ack_by, res_by = int(created_at + sla_ack), int(created_at + sla_res)\n"
            "    local old = redis.call('HMGET', k, 'sla_acknowledge_by', 'sla_resolve_by')\n"
            "    redis.call('HSET', k, 'priority', int(priority), 'sla_acknowledge_by', ack_by,\n"
            "               'sla_resolve_by', res_by)\n"
            "    tl(id, now, 'correlator', 'changed', 'priority', h[4], int(priority))\n"
            "    tl(id, now, 'correlator', 'changed', 'sla_acknowledge_by', old[1] or '', ack_by)\n"
            "    tl(id, now, 'correlator', 'changed', 'sla_resolve_by', old[2] or '', res_by)\n"
            "    escalated = true\n"
            "  end\n"
            "  if severity > num(h[5]) then\n"
            "    escalated = true\n"
            "    redis.call('HSET', k, 'severity', int(severity))\n"
            "    tl(id, now, 'correlator', 'changed', 'severity', h[5], int(severity))\n"
            "  end\n"
            "  if num(version) > num(h[6]) then\n"
            "    redis.call('HSET', k, 'rule_version', version)\n"
            "    tl(id, now, 'correlator', 'changed', 'rule_version', h[6], version)\n"
            "  end\n"
            "  if (not h[7] or h[7] == '') and asset ~= '' then\n"
            "    redis.call('HSET', k, 'asset_name', asset, 'asset_level', asset_level)\n"
            "    tl(id, now, 'correlator', 'changed', 'asset_name', '', asset)\n"
            "    asset_new = true\n"
            "  end\n"
            "end\n"
            "\n"
            "local new_src = add_set(key(id, 'src_ips'), src, ips_max)\n"
            "local new_dest = add_set(key(id, 'dest_ips'), dest, ips_max)\n"
            "add_set(key(id, 'tactics'), tactics, ips_max)\n"
            "add_set(key(id, 'techniques'), techniques, ips_max)\n"
            "if created == 0 then\n"
            "  if #new_src > 0 then\n"
            "    tl(id, now, 'correlator', 'added', 'src_ips', '', table.concat(new_src, ','))\n"
            "  end\n"
            "  if #new_dest > 0 then\n"
            "    tl(id, now, 'correlator', 'added', 'dest_ips', '', table.concat(new_dest, ','))\n"
            "  end\n"
            "end\n"
            "local added = push_capped(id, 'evidence', events, ev_max, true) + ev_extra\n"
            "if added > 0 then redis.call('HINCRBY', key(id), 'evidence_total', int(added)) end\n"
            "if sm_max > 0 then push_capped(id, 'samples', samples, sm_max, false) end\n"
            "\n"
            "-- related incidents: same source IP or same asset, activity within the\n"
            "-- window (event time), from indexes scored by each incident's last_seen.\n"
            "-- Looked for when the incident is new or gains a source IP or its asset\n"
            "-- (bounded work per incident); every apply keeps its index scores current.\n"
            "if window > 0 then\n"
            "  local h = redis.call('HMGET', key(id), 'first_seen', 'last_seen', 'asset_name')\n"
            "  local f, l = num(h[1]), num(h[2])\n"
            "  local fresh, idx = {}, {}\n"
            "  for _, ip in ipairs(new_src) do fresh[ip] = true end\n"
            "  for j = 1, math.min(#src, LINK_IPS) do\n"
            "    idx[#idx + 1] = {P .. 'by_src:' .. src[j], fresh[src[j]]}\n"
            "  end\n"
            "  if h[3] and h[3] ~= '' then\n"
            "    idx[#idx + 1] = {P .. 'by_asset:' .. h[3], created == 1 or asset_new}\n"
            "  end\n"
            "  for _, x in ipairs(idx) do\n"
            "    local ik = x[1]\n"
            "    if x[2] then\n"
            "      local near = redis.call('ZREVRANGEBYSCORE', ik, '+inf', int(f - window),\n"
            "                              'LIMIT', 0, LINK_SCAN)\n"
            "      for _, o in ipairs(near) do\n"
            "        if o ~= id and redis.call('SISMEMBER', key(id, 'links'), o) == 0 then\n"
            "          local of = tonumber(redis.call('HGET', key(o), 'first_seen'))\n"
            "          if of and of <= l + window then link(id, o, now, 'correlator') end\n"
            "        end\n"
            "      end\n"
            "    end\n"
            "    redis.call('ZADD', ik, 'GT', int(l), id)\n"
            "    local over = redis.call('ZCARD', ik) - INDEX_MAX\n"
            "    if over > 0 then redis.call('ZREMRANGEBYRANK', ik, 0, over - 1) end\n"
            "    redis.call('PEXPIRE', ik, int(window / 1000 + 86400000))\n"
            "  end\n"
            "end\n"
            "\n"
            "requeue(id)\n"
            "if created == 1 then\n"
            "  outbox(id, 'created', now)\n"
            "elseif escalated then\n"
            "  outbox(id, 'escalated', now)\n"
            "end\n"
            "redis.call('SET', mk, id .. ' ' .. created, 'EX', ttl)\n"
            "return {id, created}\n";

static const char script_status[] =
    PRELUDE "-- KEYS[1] the incident's hash\n"
            "-- ARGV: id to actor now timeline_max transition_table\n"
            "local id, to, actor, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]\n"
            "TMAX = ARGV[5]\n"
            "local h = redis.call('HMGET', key(id), 'status', 'merged_into')\n"
            "local from = h[1]\n"
            "if not from then return refuse('no incident ' .. id) end\n"
            "if from == to then return refuse(id .. ' is already ' .. to) end\n"
            "local targets = ''\n"
            "for row in string.gmatch(ARGV[6], '[^|]+') do\n"
            "  local c = string.find(row, ':', 1, true)\n"
            "  if string.sub(row, 1, c - 1) == from then targets = string.sub(row, c + 1) end\n"
            "end\n"
            "local ok = false\n"
            "for t in string.gmatch(targets, '[^,]+') do ok = ok or t == to end\n"
            "if not ok then\n"
            "  if targets == '' then targets = 'none' end\n"
            "  local fmt = '%s: cannot change status from %s to %s (allowed from %s: %s)'\n"
            "  local list = string.gsub(targets, ',', ', ')\n"
            "  return refuse(string.format(fmt, id, from, to, from, list))\n"
            "end\n"
            "if OPEN[to] and h[2] and h[2] ~= '' then\n"
            "  local into = h[2]\n"
            "  return refuse(id .. ' was merged into ' .. into .. ': work on ' .. into ..\n"
            "                ' instead')\n"
            "end\n"
            "set_status(id, from, to, now, actor)\n"
            "return {id, from, to}\n";

static const char script_assign[] =
    PRELUDE "-- KEYS[1] the incident's hash\n"
            "-- ARGV: id assignee ('' unassigns) actor now timeline_max\n"
            "local id, who, actor, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]\n"
            "TMAX = ARGV[5]\n"
            "local h = redis.call('HMGET', key(id), 'status', 'assignee')\n"
            "if not h[1] then return refuse('no incident ' .. id) end\n"
            "local old = h[2] or ''\n"
            "if old == who then\n"
            "  if who == '' then return refuse(id .. ' is not assigned to anyone') end\n"
            "  return refuse(id .. ' is already assigned to ' .. who)\n"
            "end\n"
            "if old ~= '' then redis.call('ZREM', Q .. 'assignee:' .. old, id) end\n"
            "redis.call('HSET', key(id), 'assignee', who, 'updated_at', now)\n"
            "requeue(id)\n"
            "tl(id, now, actor, 'assigned', 'assignee', old, who)\n"
            "return {id, old, who}\n";

static const char script_comment[] =
    PRELUDE "-- KEYS[1] the incident's hash\n"
            "-- ARGV: id text actor now timeline_max\n"
            "local id, text, actor, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]\n"
            "TMAX = ARGV[5]\n"
            "if redis.call('EXISTS', key(id)) == 0 then return refuse('no incident ' .. id) end\n"
            "redis.call('HSET', key(id), 'updated_at', now)\n"
            "tl(id, now, actor, 'comment', 'comment', '', text)\n"
            "return {id}\n";

static const char script_merge[] = PRELUDE
    "-- KEYS[1] the hash of A (the incident that stays)\n"
    "-- ARGV: A B actor now timeline_max evidence_max samples_max ips_max\n"
    "--   then acknowledge times P1..P5 and resolve times P1..P5 (usec)\n"
    "local A, B, actor, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]\n"
    "TMAX = ARGV[5]\n"
    "local ev_max, sm_max, ips_max = num(ARGV[6]), num(ARGV[7]), num(ARGV[8])\n"
    "if A == B then return refuse('cannot merge ' .. A .. ' into itself') end\n"
    "local F = {'status', 'priority', 'severity', 'first_seen', 'last_seen', 'count',\n"
    "           'asset_name', 'asset_level', 'merged_into', 'created_at', 'evidence_total'}\n"
    "local ha = redis.call('HMGET', key(A), unpack(F))\n"
    "local hb = redis.call('HMGET', key(B), unpack(F))\n"
    "if not ha[1] then return refuse('no incident ' .. A) end\n"
    "if not hb[1] then return refuse('no incident ' .. B) end\n"
    "if not OPEN[ha[1]] then\n"
    "  return refuse(A .. ' is ' .. ha[1] .. ': only an open incident (new, ' ..\n"
    "                'acknowledged, investigating) can take in another; reopen it first')\n"
    "end\n"
    "if hb[9] and hb[9] ~= '' then\n"
    "  return refuse(B .. ' was already merged into ' .. hb[9])\n"
    "end\n"
    "\n"
    "-- A takes B's counts, times, ips, attack ids, evidence and samples\n"
    "local kA = key(A)\n"
    "redis.call('HINCRBY', kA, 'count', hb[6] or '0')\n"
    "tl(A, now, actor, 'merged', 'count', ha[6] or '0', redis.call('HGET', kA, 'count'),\n"
    "   {'from', B})\n"
    "local upd = {'updated_at', now}\n"
    "if num(hb[4]) > 0 and num(hb[4]) < num(ha[4]) then\n"
    "  upd[#upd + 1] = 'first_seen'\n"
    "  upd[#upd + 1] = hb[4]\n"
    "end\n"
    "if num(hb[5]) > num(ha[5]) then\n"
    "  upd[#upd + 1] = 'last_seen'\n"
    "  upd[#upd + 1] = hb[5]\n"
    "end\n"
    "redis.call('HSET', kA, unpack(upd))\n"
    "local pa, pb, escalated = num(ha[2]), num(hb[2]), false\n"
    "if pb >= 1 and pb <= 5 and pb < pa then\n"
    "  local ack_by = int(num(ha[10]) + num(ARGV[8 + pb]))\n"
    "  local res_by = int(num(ha[10]) + num(ARGV[13 + pb]))\n"
    "  local old = redis.call('HMGET', kA, 'sla_acknowledge_by', 'sla_resolve_by')\n"
    "  redis.call('HSET', kA, 'priority', hb[2], 'sla_acknowledge_by', ack_by,\n"
    "             'sla_resolve_by', res_by)\n"
    "  tl(A, now, actor, 'changed', 'priority', ha[2], hb[2])\n"
    "  tl(A, now, actor, 'changed', 'sla_acknowledge_by', old[1] or '', ack_by)\n"
    "  tl(A, now, actor, 'changed', 'sla_resolve_by', old[2] or '', res_by)\n"
    "  escalated = true\n"
    "end\n"
    "if num(hb[3]) > num(ha[3]) then\n"
    "  escalated = true\n"
    "  redis.call('HSET', kA, 'severity', hb[3])\n"
    "  tl(A, now, actor, 'changed', 'severity', ha[3], hb[3])\n"
    "end\n"
    "if (not ha[7] or ha[7] == '') and hb[7] and hb[7] ~= '' then\n"
    "  redis.call('HSET', kA, 'asset_name', hb[7], 'asset_level', hb[8] or '0')\n"
    "  tl(A, now, actor, 'changed', 'asset_name', '', hb[7])\n"
    "end\n"
    "for _, s in ipairs({'src_ips', 'dest_ips', 'tactics', 'techniques'}) do\n"
    "  add_set(key(A, s), redis.call('SMEMBERS', key(B, s)), ips_max)\n"
    "end\n"
    "local function items(name)\n"
    "  local l = redis.call('LRANGE', key(B, name .. ':first'), 0, -1)\n"
    "  for _, x in ipairs(redis.call('LRANGE', key(B, name .. ':last'), 0, -1)) do\n"
    "    l[#l + 1] = x\n"
    "  end\n"
    "  return l\n"
    "end\n"
    "local ev = items('evidence')\n"
    "local added = push_capped(A, 'evidence', ev, ev_max, true)\n"
    "-- B's ids it had to drop still count\n"
    "local dropped = num(hb[11]) - #ev\n"
    "if dropped < 0 then dropped = 0 end\n"
    "if added + dropped > 0 then\n"
    "  redis.call('HINCRBY', kA, 'evidence_total', int(added + dropped))\n"
    "end\n"
    "if sm_max > 0 then push_capped(A, 'samples', items('samples'), sm_max, false) end\n"
    "for _, o in ipairs(redis.call('SMEMBERS', key(B, 'links'))) do\n"
    "  if o ~= A then link(A, o, now, actor) end\n"
    "end\n"
    "redis.call('SADD', key(A, 'merged_from'), B)\n"
    "\n"
    "-- B closes; later matches of B's rule and group key extend A\n"
    "if hb[1] ~= 'closed' then set_status(B, hb[1], 'closed', now, actor) end\n"
    "redis.call('HSET', key(B), 'merged_into', A, 'updated_at', now)\n"
    "tl(B, now, actor, 'merged', 'merged_into', '', A)\n"
    "for _, f in ipairs(redis.call('SMEMBERS', key(B, 'dedup'))) do\n"
    "  local holder = redis.call('HGET', P .. 'dedup', f)\n"
    "  if not holder or holder == B then redis.call('HSET', P .. 'dedup', f, A) end\n"
    "  redis.call('SADD', key(A, 'dedup'), f)\n"
    "end\n"
    "redis.call('DEL', key(B, 'dedup'))\n"
    "requeue(A)\n"
    "if escalated then outbox(A, 'escalated', now) end\n"
    "return {A, B}\n";

static const char script_get[] = PRELUDE
    "-- read-only. KEYS[1] the incident's hash\n"
    "-- ARGV: id with_timeline ('1' or '0') timeline_max\n"
    "-- Returns {hash as field/value list, src_ips, dest_ips, tactics, techniques,\n"
    "--   links, merged_from, evidence:first, evidence:last, samples:first,\n"
    "--   samples:last, timeline (XRANGE, or empty)}\n"
    "local id = ARGV[1]\n"
    "local h = redis.call('HGETALL', key(id))\n"
    "if #h == 0 then return refuse('no incident ' .. id) end\n"
    "local r = {h}\n"
    "local sets = {'src_ips', 'dest_ips', 'tactics', 'techniques', 'links', 'merged_from'}\n"
    "for _, s in ipairs(sets) do\n"
    "  r[#r + 1] = redis.call('SMEMBERS', key(id, s))\n"
    "end\n"
    "local lists = {'evidence:first', 'evidence:last', 'samples:first', 'samples:last'}\n"
    "for _, l in ipairs(lists) do\n"
    "  r[#r + 1] = redis.call('LRANGE', key(id, l), 0, -1)\n"
    "end\n"
    "if ARGV[2] == '1' then\n"
    "  r[#r + 1] = redis.call('XRANGE', key(id, 'timeline'), '-', '+', 'COUNT', ARGV[3])\n"
    "else\n"
    "  r[#r + 1] = {}\n"
    "end\n"
    "return r\n";

const char *const incident_script_source[INCIDENT_SCRIPT_COUNT] = {
    [INCIDENT_SCRIPT_APPLY] = script_apply,   [INCIDENT_SCRIPT_STATUS] = script_status,
    [INCIDENT_SCRIPT_ASSIGN] = script_assign, [INCIDENT_SCRIPT_COMMENT] = script_comment,
    [INCIDENT_SCRIPT_MERGE] = script_merge,   [INCIDENT_SCRIPT_GET] = script_get,
};
