-- POST /api/v1/verify over many tokens (one per line in LK_TOKENS). LK_MODE: "zipf" picks rank
-- floor(N^u), u uniform in [0,1): log-uniform ranks, Zipf's law with exponent 1 (rank 1 most popular,
-- the top 10 % of tokens get about 83 % of requests at N = 1,000,000); "one" always sends the first token.
local tokens = {}
local n = 0
local mode = os.getenv("LK_MODE") or "zipf"

function init(args)
  for line in io.lines(os.getenv("LK_TOKENS")) do
    n = n + 1
    tokens[n] = line
  end
  math.randomseed(tonumber(os.getenv("LK_SEED") or "7"))
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  local i = 1
  if mode == "zipf" then
    i = math.floor(n ^ math.random())
    if i < 1 then i = 1 end
  end
  return wrk.format(nil, nil, nil, '{"token":"' .. tokens[i] .. '"}')
end
