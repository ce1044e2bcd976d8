# Dot-sourced by Common.ps1.
# ---- Requests the module never sends: for tests of the emulator's own checks (the module always signs correctly).
function New-FcTestSignedHeaders {
    # The headers of an ACS3-signed request as the official SDKs build them (Core's signer, reached by reflection), with
    # options that break one rule at a time: -Unsigned leaves headers out of SignedHeaders, -Omit leaves them out entirely.
    # Returns an ordered list of name/value pairs, Authorization last.
    param(
        [Parameter(Mandatory)] $Emulator,
        [string] $Method = 'POST',
        [Parameter(Mandatory)] [string] $Path,
        [string] $Query = '',
        [byte[]] $Body,
        [System.Collections.IDictionary] $Header = @{},
        [string] $Nonce = [guid]::NewGuid().ToString('N'),
        [DateTimeOffset] $Date = [DateTimeOffset]::UtcNow,
        [string[]] $Unsigned = @(),
        [string[]] $Omit = @(),
        [string] $AccessKeyId = $Emulator.AccessKeyId,
        [string] $AccessKeySecret = (Get-FcTestSecret $Emulator),
        [string] $SecurityToken,
        [string] $ContentSha256
    )
    $signer = [FcInvoke.FcInvocationResult].Assembly.GetType('FcInvoke.Core.Acs3Signer')
    $hash = if ($ContentSha256) { $ContentSha256 } else { $signer.GetMethod('HexSha256').Invoke($null, @(, [byte[]]($Body ?? @()))) }
    $all = [System.Collections.Generic.List[System.Collections.Generic.KeyValuePair[string, string]]]::new()
    $add = { param($n, $v) $all.Add([System.Collections.Generic.KeyValuePair[string, string]]::new($n, $v)) }
    & $add 'host' "127.0.0.1:$($Emulator.Port)"
    & $add 'x-acs-version' (($Path -split '/')[1])
    & $add 'x-acs-action' 'Test'
    & $add 'x-acs-date' $Date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [cultureinfo]::InvariantCulture)
    & $add 'x-acs-signature-nonce' $Nonce
    & $add 'x-acs-content-sha256' $hash
    if ($Body.Count -gt 0) { & $add 'content-type' 'application/octet-stream' }
    if ($SecurityToken) { & $add 'x-acs-security-token' $SecurityToken }
    foreach ($key in $Header.Keys) { & $add $key ([string]$Header[$key]) }
    $kept = [System.Collections.Generic.List[System.Collections.Generic.KeyValuePair[string, string]]]::new()
    foreach ($h in $all) { if ($h.Key -notin $Omit) { $kept.Add($h) } }
    $toSign = [System.Collections.Generic.List[System.Collections.Generic.KeyValuePair[string, string]]]::new()
    foreach ($h in $kept) { if ($h.Key -notin $Unsigned) { $toSign.Add($h) } }
    $queryPairs = [System.Collections.Generic.List[System.Collections.Generic.KeyValuePair[string, string]]]::new()
    foreach ($part in ($Query -split '&' | Where-Object { $_ })) {
        $name, $value = $part -split '=', 2
        $queryPairs.Add([System.Collections.Generic.KeyValuePair[string, string]]::new([uri]::UnescapeDataString($name), [uri]::UnescapeDataString([string]$value)))
    }
    $authorization = $signer.GetMethod('BuildAuthorization').Invoke($null, @($Method, $Path, $queryPairs, $toSign, $hash, $AccessKeyId, $AccessKeySecret))
    $kept.Add([System.Collections.Generic.KeyValuePair[string, string]]::new('Authorization', $authorization))
    , $kept
}

$script:FcTestHttpClient = [System.Net.Http.HttpClient]::new([System.Net.Http.SocketsHttpHandler]@{ UseProxy = $false; AllowAutoRedirect = $false })

function Send-FcTestSignedRequest {
    # Sends a request signed by New-FcTestSignedHeaders (same parameters) and returns its status, headers, body text and
    # parsed JSON error code. The same -Nonce and -Date sent twice make a replay.
    param(
        [Parameter(Mandatory)] $Emulator, [string] $Method = 'POST', [Parameter(Mandatory)] [string] $Path, [string] $Query = '',
        [byte[]] $Body, [System.Collections.IDictionary] $Header, [string] $Nonce, [DateTimeOffset] $Date, [string[]] $Unsigned,
        [string[]] $Omit, [string] $AccessKeyId, [string] $AccessKeySecret, [string] $SecurityToken, [string] $ContentSha256
    )
    $headers = New-FcTestSignedHeaders @PSBoundParameters
    $uri = "http://127.0.0.1:$($Emulator.Port)$Path" + $(if ($Query) { "?$Query" } else { '' })
    $message = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::new($Method), $uri)
    if ($Body.Count -gt 0) { $message.Content = [System.Net.Http.ByteArrayContent]::new($Body) }
    foreach ($h in $headers) {
        if ($h.Key -eq 'host') { continue }  # HttpClient sends the URI's, which is the one signed
        if ($h.Key -eq 'content-type') { $message.Content.Headers.ContentType = $h.Value; continue }
        $null = $message.Headers.TryAddWithoutValidation($h.Key, $h.Value)
    }
    $response = $script:FcTestHttpClient.SendAsync($message).GetAwaiter().GetResult()
    $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
    $json = try { $text | ConvertFrom-Json -ErrorAction Stop } catch { $null }
    [pscustomobject]@{
        StatusCode = [int]$response.StatusCode
        Headers    = $response.Headers
        Text       = $text
        Json       = $json
        Code       = if ($json -and $json.PSObject.Properties['Code']) { $json.Code } elseif ($json -and $json.PSObject.Properties['ErrorCode']) { $json.ErrorCode } else { $null }
        RequestId  = ($response.Headers.GetValues('x-fc-request-id') | Select-Object -First 1)
    }
}

function Open-FcTestSocket {
    # A raw TCP connection to the emulator, for what no HTTP client sends: stalled or oversized uploads, malformed heads.
    param([Parameter(Mandatory)] $Emulator)
    $client = [System.Net.Sockets.TcpClient]::new()
    $client.Connect([System.Net.IPAddress]::Loopback, $Emulator.Port)
    $client.ReceiveTimeout = 20000
    $client
}

function Send-FcTestRawBytes {
    param([Parameter(Mandatory)] $Client, [Parameter(Mandatory)] $Data)
    $bytes = if ($Data -is [string]) { [Text.Encoding]::ASCII.GetBytes($Data) } else { [byte[]]$Data }
    $Client.GetStream().Write($bytes, 0, $bytes.Length)
}

function Read-FcTestRawResponse {
    # Reads one HTTP response (head and Content-Length body) from a raw connection; Status 0 when the connection ended
    # (closed or reset) before a response arrived.
    param([Parameter(Mandatory)] $Client)
    $stream = $Client.GetStream()
    $buffer = [System.IO.MemoryStream]::new()
    $one = [byte[]]::new(1)
    try {
        while ($true) {
            $n = $stream.Read($one, 0, 1)
            if ($n -eq 0) { break }
            $buffer.WriteByte($one[0])
            $text = [Text.Encoding]::ASCII.GetString($buffer.ToArray())
            if ($text.EndsWith("`r`n`r`n")) {
                if ($text -match '^HTTP/1\.1 100 ') { $buffer.SetLength(0); continue }
                $length = if ($text -match '(?im)^content-length:\s*(\d+)') { [int]$Matches[1] } else { 0 }
                $body = [byte[]]::new($length); $read = 0
                while ($read -lt $length) { $m = $stream.Read($body, $read, $length - $read); if ($m -eq 0) { break }; $read += $m }
                $status = [int]($text -split ' ')[1]
                return [pscustomobject]@{ Status = $status; Head = $text; Body = [Text.Encoding]::UTF8.GetString($body, 0, $read) }
            }
        }
    }
    catch [System.IO.IOException] { }  # a reset: the caller sees Status 0
    [pscustomobject]@{ Status = 0; Head = [Text.Encoding]::ASCII.GetString($buffer.ToArray()); Body = '' }
}

function New-FcTestLatch {
    # A latch a function and the test share through the AppDomain (script blocks run in the emulator's runspaces, in
    # this process): the function waits on it in a loop PowerShell can stop; the test sets it. Returns its name.
    param([string] $Name = "fcemu-latch-$([guid]::NewGuid().ToString('N'))")
    [AppDomain]::CurrentDomain.SetData($Name, [System.Threading.ManualResetEventSlim]::new($false))
    $Name
}

function Get-FcTestLatch { param([Parameter(Mandatory)] [string] $Name) [AppDomain]::CurrentDomain.GetData($Name) }

function Get-FcTestEmulatorDiagnostics {
    # The emulator's bounded resources now (connections, body bytes held and their peak, slots, nonces, tasks).
    param([Parameter(Mandatory)] $Emulator)
    Invoke-FcTestHook $Emulator Diagnostics
}

function New-FcTestTriggerHeaders {
    # The headers FC's HTTP trigger signature (auth type "function") needs, as the official samples build them
    # (http-triggers.md §2): x-acs-date and x-acs-security-token signed, an empty payload hash, the path as sent with
    # '$' as %24 and the decoded query (first value of each key). Returns a hashtable for Invoke-WebRequest -Headers.
    param(
        [Parameter(Mandatory)] [string] $Method, [Parameter(Mandatory)] [string] $Url,
        [Parameter(Mandatory)] [string] $AccessKeyId, [Parameter(Mandatory)] [string] $AccessKeySecret,
        [string] $SecurityToken = '', [DateTimeOffset] $Date = [DateTimeOffset]::UtcNow
    )
    $uri = [uri]$Url
    $signer = [FcInvoke.FcInvocationResult].Assembly.GetType('FcInvoke.Core.Acs3Signer')
    $headers = [System.Collections.Generic.List[System.Collections.Generic.KeyValuePair[string, string]]]::new()
    $dateText = $Date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [cultureinfo]::InvariantCulture)
    $headers.Add([System.Collections.Generic.KeyValuePair[string, string]]::new('x-acs-date', $dateText))
    $headers.Add([System.Collections.Generic.KeyValuePair[string, string]]::new('x-acs-security-token', $SecurityToken))
    $query = [System.Collections.Generic.List[System.Collections.Generic.KeyValuePair[string, string]]]::new()
    $seen = @{}
    foreach ($part in ($uri.Query.TrimStart('?') -split '&' | Where-Object { $_ })) {
        $name, $value = $part -split '=', 2
        $name = [uri]::UnescapeDataString($name)
        if ($seen.ContainsKey($name)) { continue }
        $seen[$name] = $true
        $query.Add([System.Collections.Generic.KeyValuePair[string, string]]::new($name, [uri]::UnescapeDataString([string]$value)))
    }
    $authorization = $signer.GetMethod('BuildAuthorization').Invoke($null, @($Method, $uri.AbsolutePath.Replace('$', '%24'), $query, $headers, '', $AccessKeyId, $AccessKeySecret))
    @{ 'x-acs-date' = $dateText; 'x-acs-security-token' = $SecurityToken; Authorization = $authorization }
}
