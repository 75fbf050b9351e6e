-- Sends one bearer token per request, read from the file named by the TOKENS environment variable (one a line).
-- Each wrk thread starts at its own offset in the list, so threads do not send the same tokens at the same time.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  i = math.floor(id * #tokens / 8)
end

function request()
  i = i + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1] })
end
