-- wrk script for bench/ingest_bench.py: POST /api/event with pre-generated synthetic hits.
--
--   wrk -t2 -c16 -d20s --latency -s bench/wrk_events.lua http://127.0.0.1:PORT -- HITS_FILE THREADS
--
-- HITS_FILE holds one request per line: kind ("h" human, "b" bot), user agent, X-Forwarded-For,
-- Accept-Language and the JSON body, separated by tabs. Thread k of THREADS takes the lines whose
-- number is k modulo THREADS, pre-formats them and cycles through them. At the end one line
-- "WRK_COUNTS sent=<requests written> bots=<bot requests written>" tells the bench how many of each
-- were sent (a request in flight when wrk stops is sent but not answered).

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local requests = {}
local bots = {}
local index = 0
sent = 0
sent_bots = 0

function init(args)
   local path, total = args[1], tonumber(args[2] or "1")
   local number = 0
   for line in io.lines(path) do
      if number % total == id then
         local kind, agent, address, language, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
         local headers = {
            ["Content-Type"] = "application/json",
            ["User-Agent"] = agent,
            ["X-Forwarded-For"] = address,
         }
         if language ~= "" then
            headers["Accept-Language"] = language
         end
         table.insert(requests, wrk.format("POST", "/api/event", headers, body))
         table.insert(bots, kind == "b")
      end
      number = number + 1
   end
   if #requests == 0 then
      error("no requests for thread " .. id .. " in " .. path)
   end
end

function request()
   index = index % #requests + 1
   sent = sent + 1
   if bots[index] then
      sent_bots = sent_bots + 1
   end
   return requests[index]
end

function done(summary, latency, requests)
   local total, total_bots = 0, 0
   for _, thread in ipairs(threads) do
      total = total + thread:get("sent")
      total_bots = total_bots + thread:get("sent_bots")
   end
   io.write(string.format("WRK_COUNTS sent=%d bots=%d\n", total, total_bots))
end
