-- wrk: POST the requests listed in REQUESTS (a file of lines "token<TAB>JSON body") in turn,
-- and count the answers that say something went wrong: a status other than 200, GraphQL
-- `errors`, or a mutation answering with one of its error types.
local listed = {}
for line in io.lines(os.getenv("REQUESTS")) do
  local token, body = line:match("^([^\t]*)\t(.*)$")
  local headers = {["Content-Type"] = "application/json"}
  if token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  listed[#listed + 1] = wrk.format("POST", nil, headers, body)
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

-- Globals: `done` reads each thread's through `thread:get`.
turn, answered, failed = 0, 0, 0
function request()
  turn = turn % #listed + 1
  return listed[turn]
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 or body:find('"errors"', 1, true) or body:find('Error"', 1, true) then
    failed = failed + 1
  end
end

function done(summary, latency, sent)
  local all, wrong = 0, 0
  for _, thread in ipairs(threads) do
    all = all + thread:get("answered")
    wrong = wrong + thread:get("failed")
  end
  io.write(string.format("answers %d errors %d\n", all, wrong))
end
