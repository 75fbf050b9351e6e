-- Sends one bearer token per request, read from the file named by the TOKENS environment variable (one a line).
-- wrk thread k of WRK_THREADS starts at the k-th equal slice of the list, so threads do not send the same tokens
-- until one has gone through its whole slice.
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  i = math.floor(id * #tokens / tonumber(os.getenv("WRK_THREADS") or "2"))
end

function request()
  i = i + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1] })
end
