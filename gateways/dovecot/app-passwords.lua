-- Dovecot passdb that checks every login against the app passwords service (POST /api/verify).
--
-- Dovecot 2.3.19 and later (Debian 12, Ubuntu 24.04) and 2.4, with the dovecot-auth-lua and lua-cjson
-- packages; nothing else. Installation and configuration: README.md beside this file.
--
-- Settings are read once, when Dovecot loads the script, from `app-passwords.settings` in the folder of this
-- script: `url`, `function_key_file`, `timeout_ms`, `eas_local_ports` (see app-passwords.settings.example).

local cjson = require("cjson")

local SETTINGS_FILE_NAME = "app-passwords.settings"
local DEFAULT_TIMEOUT_MS = 5000

-- Filled in by script_init.
local settings = nil
local function_key = nil
local function_key_error = nil
local http_client = nil

local function script_folder()
  local source = debug.getinfo(1, "S").source
  return source:match("^@(.*)/[^/]*$") or "."
end

local function read_settings(path)
  local file, open_error = io.open(path, "r")
  if file == nil then
    error("app-passwords: cannot read the settings file: " .. open_error, 0)
  end
  local read = { timeout_ms = tostring(DEFAULT_TIMEOUT_MS) }
  local known = { url = true, function_key_file = true, timeout_ms = true, eas_local_ports = true }
  local line_number = 0
  for line in file:lines() do
    line_number = line_number + 1
    if not line:match("^%s*$") and not line:match("^%s*#") then
      local key, value = line:match("^%s*([%w_]+)%s*=%s*(.-)%s*$")
      if key == nil or not known[key] then
        file:close()
        error(string.format(
          "app-passwords: %s line %d: expected url, function_key_file, timeout_ms or eas_local_ports = value",
          path, line_number), 0)
      end
      read[key] = value
    end
  end
  file:close()
  if read.url == nil or not read.url:match("^https?://[^/]+/") then
    error("app-passwords: " .. path .. ": url must be the verify endpoint, https://<host>/api/verify", 0)
  end
  if read.function_key_file == nil or read.function_key_file == "" then
    error("app-passwords: " .. path .. ": function_key_file is missing", 0)
  end
  local timeout_ms = tonumber(read.timeout_ms)
  if timeout_ms == nil or timeout_ms < 100 or timeout_ms > 60000 or timeout_ms % 1 ~= 0 then
    error("app-passwords: " .. path .. ": timeout_ms must be a whole number from 100 to 60000", 0)
  end
  read.timeout_ms = timeout_ms
  -- The IMAP listeners that only an Exchange ActiveSync front end uses (gateways/activesync/README.md).
  local eas_local_ports = read.eas_local_ports or ""
  read.eas_local_ports = {}
  for port in eas_local_ports:gmatch("[^%s,]+") do
    local number = tonumber(port)
    if number == nil or number < 1 or number > 65535 or number % 1 ~= 0 then
      error("app-passwords: " .. path .. ": eas_local_ports must be port numbers separated by commas", 0)
    end
    read.eas_local_ports[number] = true
  end
  return read
end

-- The key file is readable by root only; Dovecot loads this script in the auth process too (which runs as
-- the unprivileged "dovecot" user and never calls verify, since the passdb runs in auth-worker processes
-- running as root), so a key that cannot be read here is not yet an error: a login that needs it is.
local function read_function_key(path)
  local file, open_error = io.open(path, "r")
  if file == nil then
    return nil, "cannot read the function key file: " .. open_error
  end
  local key = (file:read("*a") or ""):match("^%s*(.-)%s*$")
  file:close()
  if key == "" then
    return nil, "the function key file " .. path .. " is empty"
  end
  return key, nil
end

-- Dovecot 2.3 names the HTTP client's settings in milliseconds; 2.4 renamed them and refuses unknown names,
-- so the 2.3 names are tried first and the 2.4 ones when 2.4 refuses them.
local function create_http_client(timeout_ms)
  local ok, client = pcall(dovecot.http.client, {
    request_absolute_timeout_msecs = timeout_ms,
    request_timeout_msecs = timeout_ms,
    connect_timeout_msecs = timeout_ms,
    max_attempts = 1,
    no_auto_retry = true,
    no_auto_redirect = true,
    user_agent = "app-passwords-dovecot",
  })
  if ok then
    return client
  end
  local duration = tostring(timeout_ms) .. "ms"
  return dovecot.http.client({
    request_absolute_timeout = duration,
    request_timeout = duration,
    connect_timeout = duration,
    request_max_attempts = "1",
    auto_retry = "no",
    auto_redirect = "no",
    user_agent = "app-passwords-dovecot",
  })
end

function script_init()
  settings = read_settings(script_folder() .. "/" .. SETTINGS_FILE_NAME)
  function_key, function_key_error = read_function_key(settings.function_key_file)
  http_client = create_http_client(settings.timeout_ms)
  return 0
end

-- The one place that turns the service's answer into a Dovecot result. Only an explicit `valid: false` is a
-- wrong password; anything else that is not `valid: true` means "try later" (IMAP [UNAVAILABLE], SMTP 454),
-- so that an outage never looks like a wrong password to the person or their phone.
local function passdb_result(req, login, response)
  local status = response:status()
  if status == 200 then
    local decoded, answer = pcall(cjson.decode, response:payload())
    if decoded and type(answer) == "table" and answer.valid == true then
      -- One mailbox per person: the login name verify answers (whatever the person typed: their login name
      -- in any case, or their object id), else what they typed; lowercased, as Dovecot's user names are.
      local canonical = (type(answer.loginName) == "string" and answer.loginName ~= "" and answer.loginName
        or login):lower()
      req:log_info(string.format("app password accepted: user=%s app_password_id=%s", canonical,
        tostring(answer.appPasswordId)))
      return dovecot.auth.PASSDB_RESULT_OK, { user = canonical }
    end
    if decoded and type(answer) == "table" and answer.valid == false then
      return dovecot.auth.PASSDB_RESULT_PASSWORD_MISMATCH, "app password rejected"
    end
    return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, "app-passwords: unreadable answer from the service (HTTP 200)"
  end
  if status == 429 then
    return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, string.format(
      "app-passwords: throttled (HTTP 429, Retry-After %s): too many failed logins for this user from this "
        .. "address; the client was told to try later", response:header("Retry-After"))
  end
  if status == 503 then
    return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, string.format(
      "app-passwords: service unavailable (HTTP 503, Retry-After %s); the client was told to try later",
      response:header("Retry-After"))
  end
  -- Dovecot's HTTP client reports a request that got no answer (refused, timed out, TLS or DNS failure) as a
  -- status from 9000 up, with the reason in words.
  if status >= 9000 then
    return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, string.format(
      "app-passwords: no answer from %s: %s", settings.url, response:reason())
  end
  local decoded, problem = pcall(cjson.decode, response:payload())
  local code = decoded and type(problem) == "table" and type(problem.code) == "string" and problem.code or "-"
  return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, string.format(
    "app-passwords: unexpected answer HTTP %d (code %s); check the url and the function key", status, code)
end

-- Dovecot's service name ("imap", "pop3", "submission", "smtp" for Postfix, "sieve"...): 2.3 calls it service,
-- 2.4 protocol; the service maps it to its own protocol names. An IMAP login on a port of eas_local_ports
-- comes from the ActiveSync front end (which logs in over IMAP for the phone), so it is "eas".
local function protocol_of(req)
  local protocol = req.service or req.protocol or "other"
  -- The port the client connected to, by its 2.4 (local_port) or 2.3 (lport) variable name.
  local local_port = tonumber(req.local_port or req.lport)
  if protocol == "imap" and local_port ~= nil and settings.eas_local_ports[local_port] then
    return "eas"
  end
  return protocol
end

-- Dovecot entry point for plaintext mechanisms (PLAIN, LOGIN): is `password` one of the user's app passwords?
function auth_password_verify(req, password)
  if function_key == nil then
    return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, "app-passwords: " .. function_key_error
  end
  local client_ip = req.remote_ip
  if client_ip == nil or client_ip == "" then
    return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE,
      "app-passwords: the login has no client address, which verify requires"
  end
  local login = req.user
  local request = http_client:request({ url = settings.url, method = "POST" })
  request:add_header("Content-Type", "application/json")
  request:add_header("x-functions-key", function_key)
  request:set_payload(cjson.encode({
    user = login,
    password = password,
    clientIp = client_ip,
    protocol = protocol_of(req),
  }))
  return passdb_result(req, login, request:submit())
end

-- Dovecot entry point for mechanisms that need the stored password (CRAM-MD5, DIGEST-MD5, SCRAM): app
-- passwords are only ever verified, never handed out, so only PLAIN and LOGIN can work.
function auth_passdb_lookup(req)
  return dovecot.auth.PASSDB_RESULT_SCHEME_NOT_AVAILABLE,
    "app-passwords: only PLAIN and LOGIN can be checked (auth_mechanisms = plain login)"
end
