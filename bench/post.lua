-- wrk: POST the GraphQL body in BODY (a file) with the token in TOKEN.
local f = io.open(os.getenv("BODY"), "r")
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
