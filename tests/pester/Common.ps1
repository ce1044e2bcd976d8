# Shared set-up for the Pester suite: dot-source from BeforeAll.
# The module under test is the built one (out/FcInvoke), passed by tests/Invoke-PesterSuite.ps1.
$modulePath = if ($env:FCINVOKE_TEST_MODULE) { $env:FCINVOKE_TEST_MODULE } else { Join-Path $PSScriptRoot '../../out/FcInvoke/FcInvoke.psd1' }
Import-Module $modulePath -Force
$script:FcTestModulePath = (Resolve-Path $modulePath).Path

# Tests never read the developer's own Alibaba Cloud configuration or reach a cloud address.
foreach ($name in @(Get-ChildItem env: | Where-Object Name -like 'ALIBABA_CLOUD_*').Name) { Remove-Item "env:$name" }
$env:ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true'
Remove-Item env:FCINVOKE_ECS_METADATA_ENDPOINT -ErrorAction SilentlyContinue
# The home folder the module reads profiles from (~/.aliyun, ~/.alibabacloud) is an empty one of the test run.
$script:FcTestHome = Join-Path ([IO.Path]::GetTempPath()) "fcinvoke-test-home-$PID"
$null = New-Item -ItemType Directory -Force -Path $script:FcTestHome
$env:HOME = $script:FcTestHome
$env:USERPROFILE = $script:FcTestHome
# The loopback guard: the module refuses to send anything to a non-loopback address for the whole run.
$env:FCINVOKE_LOOPBACK_ONLY = 'true'

function Get-FcTestConnection {
    # The parameters that point a cmdlet at an emulator: splat them (@conn).
    param([Parameter(Mandatory)] $Emulator)
    @{ Endpoint = $Emulator.Endpoint; Credential = $Emulator.Credential; AccountId = $Emulator.AccountId; Region = $Emulator.Region }
}

function Get-FcTestSecret {
    # The secret half of the emulator's key pair, for tests that prove it never leaks.
    param([Parameter(Mandatory)] $Emulator)
    $Emulator.Credential.GetNetworkCredential().Password
}

function Wait-FcTestCondition {
    # Polls until the script block returns true; fails after the timeout.
    param([Parameter(Mandatory)] [scriptblock] $Condition, [int] $TimeoutSec = 20, [string] $Because = 'the condition held')
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSec s waiting until $Because." }
        Start-Sleep -Milliseconds 50
    }
}

function Get-FcTestHostOutput {
    # Everything a script block shows, host-only text such as -WhatIf messages included, as one string. The script block
    # runs in a runspace of its own that has no host, so nothing reaches the console: a transcript records the host-only
    # text and every stream is captured as text. That runspace imports the module and gets the variables and functions
    # the script block names, as the caller sees them (objects are shared, not copied: same process).
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $fcHostAutomatic = 'true', 'false', 'null', '_', 'PSItem', 'args', 'input', 'Error', 'this', 'PSCmdlet', 'MyInvocation',
                       'PSBoundParameters', 'ExecutionContext', 'Host', 'PSScriptRoot', 'PSCommandPath', 'LASTEXITCODE', 'Matches'
    $fcHostVariables = @{}
    foreach ($fcHostNode in $ScriptBlock.Ast.FindAll({ param($a) $a -is [Management.Automation.Language.VariableExpressionAst] }, $true)) {
        if ($fcHostNode.VariablePath.IsDriveQualified) { continue }  # $env:NAME and the like: the process's, not the scope's
        $fcHostName = $fcHostNode.VariablePath.UserPath -replace '^(script|global|local|private):', ''
        if ($fcHostName -in $fcHostAutomatic -or $fcHostVariables.ContainsKey($fcHostName)) { continue }
        $fcHostFound = Get-Variable -Name $fcHostName -ErrorAction Ignore   # dynamic scope: what the caller sees
        if ($fcHostFound) { $fcHostVariables[$fcHostName] = $fcHostFound.Value }
    }
    $fcHostFunctions = @{}
    foreach ($fcHostNode in $ScriptBlock.Ast.FindAll({ param($a) $a -is [Management.Automation.Language.CommandAst] }, $true)) {
        $fcHostName = $fcHostNode.GetCommandName()
        if (-not $fcHostName -or $fcHostFunctions.ContainsKey($fcHostName)) { continue }
        $fcHostFound = Get-Command -Name $fcHostName -CommandType Function -ErrorAction Ignore
        if ($fcHostFound -and -not $fcHostFound.ModuleName) { $fcHostFunctions[$fcHostName] = $fcHostFound.ScriptBlock.ToString() }
    }
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddScript({
            param($ModulePath, $Variables, $Functions, $Text)
            Import-Module $ModulePath -ErrorAction Stop
            foreach ($entry in $Variables.GetEnumerator()) { Set-Variable -Name $entry.Key -Value $entry.Value -Scope Global }
            foreach ($entry in $Functions.GetEnumerator()) { Set-Item -Path "function:global:$($entry.Key)" -Value $entry.Value }
            $path = Join-Path ([IO.Path]::GetTempPath()) ("fcinvoke-transcript-" + [guid]::NewGuid() + '.txt')
            $null = Start-Transcript -Path $path -UseMinimalHeader
            try { $streams = & ([scriptblock]::Create($Text)) *>&1 | Out-String -Width 400 }
            finally { $null = Stop-Transcript }
            try { (Get-Content -Path $path -Raw) + $streams } finally { Remove-Item $path -ErrorAction SilentlyContinue }
        }).AddArgument($script:FcTestModulePath).AddArgument($fcHostVariables).AddArgument($fcHostFunctions).AddArgument($ScriptBlock.ToString())
        $text = $ps.Invoke()
        if ($ps.Streams.Error.Count -gt 0) { throw "Capturing the host output failed: $($ps.Streams.Error[0])" }
        -join $text
    }
    finally { $ps.Dispose() }
}

function Invoke-FcTestPipelineStop {
    # Runs a command in its own runspace (the script block gets the module path, then -ArgumentList), waits until
    # -Started holds, then stops it the way Ctrl+C does, and returns the final state. Stop() must return within
    # -TimeoutSec: a hang guard with a generous margin, not a measurement; what the stop did (calls abandoned, nothing
    # started afterwards) is for the caller to assert on what it can observe.
    param(
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @(),
        [Parameter(Mandatory)] [scriptblock] $Started,
        [int] $TimeoutSec = 30
    )
    $ps = [powershell]::Create()
    $hung = $false
    try {
        $null = $ps.AddScript($ScriptBlock).AddArgument($script:FcTestModulePath)
        foreach ($argument in $ArgumentList) { $null = $ps.AddArgument($argument) }
        $running = $ps.BeginInvoke()
        Wait-FcTestCondition { $running.IsCompleted -or (& $Started) } -Because 'the command started'
        if ($running.IsCompleted) { throw "The command ended before it could be stopped: $($ps.Streams.Error | Select-Object -First 1)" }
        $stopping = $ps.BeginStop($null, $null)
        if (-not $stopping.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds($TimeoutSec))) {
            $hung = $true  # disposing would wait for the stop too
            throw "Stop() did not return within $TimeoutSec s."
        }
        $ps.EndStop($stopping)
        $ps.InvocationStateInfo.State
    }
    finally { if (-not $hung) { $ps.Dispose() } }
}

function Set-FcTestShared {
    # Publishes an object to the emulated functions, which run in the emulator's runspace pool in this process and read it
    # with [AppDomain]::CurrentDomain.GetData($Name): latches (ManualResetEventSlim), barriers, counters. $null removes it.
    param([Parameter(Mandatory)] [string] $Name, $Value)
    [AppDomain]::CurrentDomain.SetData($Name, $Value)
    $Value
}

function Wait-FcTestClockTick {
    # Returns once the millisecond clock (the one the emulator stamps tasks with) has moved past its value at the call,
    # so whatever starts afterwards gets a later time than whatever finished before.
    $start = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
    while ([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() -le $start) { [Threading.Thread]::Yield() > $null }
}

function Invoke-FcTestPwsh {
    # Runs a script in a fresh pwsh (no profile) and returns its output lines: for what must hold in a clean session.
    param([Parameter(Mandatory)] [string] $Script)
    $exe = [Environment]::ProcessPath
    $prefix = @()
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $prefix = @([Reflection.Assembly]::GetEntryAssembly().Location) }
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("`$ProgressPreference = 'SilentlyContinue'`n" + $Script))
    & $exe @prefix -NoProfile -NonInteractive -EncodedCommand $encoded
}

# ---- Test hooks: internal members of the module, reached by reflection (PSResourceGet's InternalHooks idea), so the
# ---- public surface stays what users are promised.
function Invoke-FcTestHook {
    # Calls an internal (or public) instance method of a module object, e.g. the emulator's AcceptKey.
    param([Parameter(Mandatory)] $Target, [Parameter(Mandatory)] [string] $Method, [object[]] $ArgumentList = @())
    $flags = [Reflection.BindingFlags]'Instance,Public,NonPublic'
    $info = $Target.GetType().GetMethod($Method, $flags)
    if (-not $info) { throw "No method '$Method' on $($Target.GetType().FullName)." }
    $info.Invoke($Target, $ArgumentList)
}

function Set-FcTestEmulatorFaults {
    # Replaces a running emulator's injected faults; no rates clears them. Takes FcEmulatorFaults' constructor arguments.
    param([Parameter(Mandatory)] $Emulator, [object[]] $Rates = @())
    $faults = if ($Rates.Count -eq 0) { $null } else { New-Object FcInvoke.Emulator.FcEmulatorFaults -ArgumentList $Rates }
    $Emulator.GetType().GetProperty('Faults').GetSetMethod($true).Invoke($Emulator, @([FcInvoke.Emulator.FcEmulatorFaults]$faults))
}

function Set-FcTestEmulatorListingLag {
    # Makes the emulator's task listings lag behind (they show the tasks as they stood this long ago; a task appears in
    # listings only this long after it was accepted). 0 ends the lag. GetAsyncTask is never behind.
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [int] $Milliseconds)
    $Emulator.GetType().GetProperty('ListingLag', [Reflection.BindingFlags]'Instance,NonPublic').SetValue($Emulator, [TimeSpan]::FromMilliseconds($Milliseconds))
}

function Set-FcTestWaitStrategy {
    # Chooses how every later Wait-FcAsyncTask in this process learns task states: Auto (listings where they cost fewer
    # reads, what users get) or PerTask (one GetAsyncTask per task per round, for comparison). Returns the previous one.
    param([Parameter(Mandatory)] [ValidateSet('Auto', 'PerTask')] [string] $Strategy)
    $property = [FcInvoke.FcAsyncTask].Assembly.GetType('FcInvoke.Core.FcAsyncTaskWaiter').GetProperty('DefaultStrategy', [Reflection.BindingFlags]'Static,NonPublic')
    $previous = "$($property.GetValue($null))"
    $property.SetValue($null, [Enum]::Parse($property.PropertyType, $Strategy))
    $previous
}

function Get-FcTestTaskReads {
    # The task reads the emulator answered since its counters were last reset: single tasks (Get) and listing pages (List),
    # both API versions together.
    param([Parameter(Mandatory)] $Emulator)
    $counts = $Emulator.OperationCounts
    $get = 0; $list = 0
    foreach ($name in 'GetAsyncTask', 'GetStatefulAsyncInvocation') { if ($counts.ContainsKey($name)) { $get += $counts[$name] } }
    foreach ($name in 'ListAsyncTasks', 'ListStatefulAsyncInvocations') { if ($counts.ContainsKey($name)) { $list += $counts[$name] } }
    [pscustomobject]@{ Get = $get; List = $list; Total = $get + $list }
}

function ConvertTo-FcTestTaskText {
    # Every field of an async task, events included, as one line of text: two tasks are the same when their texts are.
    param([Parameter(Mandatory, ValueFromPipeline)] $Task)
    process {
        $fields = foreach ($p in $Task.PSObject.Properties | Where-Object Name -ne 'Events' | Sort-Object Name) {
            $value = $p.Value
            if ($value -is [DateTimeOffset]) { $value = $value.ToString('o', [cultureinfo]::InvariantCulture) }
            "$($p.Name)=$value"
        }
        ($fields -join '|') + '|Events=' + (($Task.Events | ForEach-Object { "$($_.EventId),$($_.Status),$(if ($_.Time) { $_.Time.ToString('o', [cultureinfo]::InvariantCulture) }),$($_.Detail)" }) -join ';')
    }
}

function Reset-FcTestEmulator {
    # Forgets the emulator's request journal and execution counts.
    param([Parameter(Mandatory)] $Emulator)
    $null = Invoke-FcTestHook $Emulator ResetCounters
}

function Add-FcTestEmulatorKey {
    # Makes the emulator accept another key pair (with a token: an STS credential).
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $AccessKeyId, [Parameter(Mandatory)] [string] $AccessKeySecret, [string] $SecurityToken)
    $null = Invoke-FcTestHook $Emulator AcceptKey @($AccessKeyId, $AccessKeySecret, $SecurityToken)
}

function Clear-FcTestCompletionCache {
    # Completers cache FC's answers for a minute; tests that count requests start from an empty cache.
    $type = (Get-Command Invoke-FcFunction).ImplementingType.Assembly.GetType('FcInvoke.Commands.FcRemoteCompleter')
    $null = $type.GetMethod('ClearCache', [Reflection.BindingFlags]'NonPublic,Static').Invoke($null, @())
}

# ---- A loopback HTTP server that holds every request unanswered (a function that never returns), for the tests of
# ---- cancellation: it sees when the client closes a held connection, which is the direct evidence of an abandoned call.
$script:FcTestHoldingServerLoop = {
    param($Listener, $Shared)
    $buffer = [byte[]]::new(65536)
    $connections = [Collections.Generic.List[hashtable]]::new()
    function Read-HeldRequest($Connection) {
        # The next complete request on the connection, or $null while it is still arriving.
        $data = $Connection.Data.ToArray()
        $text = [Text.Encoding]::Latin1.GetString($data)
        $end = $text.IndexOf("`r`n`r`n")
        if ($end -lt 0) { return $null }
        $head = $text.Substring(0, $end) -split "`r`n"
        $length = 0
        foreach ($line in $head) { if ($line -match '^content-length:\s*(\d+)') { $length = [int]$Matches[1] } }
        if ($data.Length -lt $end + 4 + $length) { return $null }
        $method, $target = $head[0] -split ' '
        $body = [Text.Encoding]::UTF8.GetString($data, $end + 4, $length)
        $Connection.Data = [IO.MemoryStream]::new()
        $Connection.Data.Write($data, $end + 4 + $length, $data.Length - ($end + 4 + $length))
        [hashtable]::Synchronized(@{ Method = $method; Path = $target; Body = $body; Answered = $false; Closed = $false })
    }
    while (-not $Shared.Stopping) {
        $readable = [Collections.Generic.List[Net.Sockets.Socket]]::new()
        $readable.Add($Listener.Server)
        foreach ($c in $connections) { $readable.Add($c.Socket) }
        [Net.Sockets.Socket]::Select($readable, $null, $null, 50000)  # 50 ms: also the pace of the deferred answers below
        foreach ($socket in $readable) {
            if ($socket -eq $Listener.Server) {
                $connections.Add(@{ Socket = $Listener.AcceptSocket(); Data = [IO.MemoryStream]::new(); Held = $null })
                continue
            }
            $connection = $null
            foreach ($c in $connections) { if ($c.Socket -eq $socket) { $connection = $c } }
            $n = try { $socket.Receive($buffer) } catch { 0 }
            if ($n -le 0) {
                # The client closed the connection (or reset it) while its request was held: the call was abandoned.
                if ($connection.Held) { $connection.Held.Closed = $true }
                $socket.Close()
                $null = $connections.Remove($connection)
                continue
            }
            $connection.Data.Write($buffer, 0, $n)
            while ($request = Read-HeldRequest $connection) {
                $null = $Shared.Requests.Add($request)
                $connection.Held = $request
            }
        }
        # A request whose body is a key of Answers gets that answer, once at least Answers[body].After requests arrived.
        foreach ($c in $connections) {
            $request = $c.Held
            if (-not $request -or -not $Shared.Answers.ContainsKey($request.Body)) { continue }
            $answer = $Shared.Answers[$request.Body]
            if ($Shared.Requests.Count -lt [int]$answer.After) { continue }
            $body = [Text.Encoding]::UTF8.GetBytes([string]$answer.Body)
            $head = "HTTP/1.1 $($answer.Status) Answer`r`nContent-Type: application/json`r`nContent-Length: $($body.Length)`r`n" +
                    "x-fc-request-id: held-$($Shared.Requests.IndexOf($request))`r`n"
            foreach ($header in $answer.Headers.GetEnumerator()) { $head += "$($header.Key): $($header.Value)`r`n" }
            $null = $c.Socket.Send([Text.Encoding]::ASCII.GetBytes($head + "`r`n") + $body)
            $request.Answered = $true
            $c.Held = $null
        }
    }
    foreach ($c in $connections) { $c.Socket.Close() }
}

function Start-FcTestHoldingServer {
    # Starts the holding server on 127.0.0.1. -Answers: request body -> @{ Status; Body; Headers; After } for the requests
    # that do get an answer (once at least After requests arrived). Requests: what arrived, in order, each with Method,
    # Path, Body, Answered and Closed (the client closed its connection while the request was held).
    param([hashtable] $Answers = @{})
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $shared = [hashtable]::Synchronized(@{
        Requests = [Collections.ArrayList]::Synchronized([Collections.ArrayList]::new()); Answers = $Answers; Stopping = $false
    })
    $ps = [powershell]::Create()
    $null = $ps.AddScript($script:FcTestHoldingServerLoop.ToString()).AddArgument($listener).AddArgument($shared)
    $handle = $ps.BeginInvoke()
    [pscustomobject]@{
        Endpoint = [uri]"http://127.0.0.1:$($listener.LocalEndpoint.Port)/"; Requests = $shared.Requests
        Shared = $shared; Listener = $listener; PowerShell = $ps; Handle = $handle
    }
}

function Stop-FcTestHoldingServer {
    param([Parameter(ValueFromPipeline)] $Server)
    process {
        if (-not $Server) { return }
        $Server.Shared.Stopping = $true
        $null = $Server.Handle.AsyncWaitHandle.WaitOne(10000)
        $Server.Listener.Stop()
        $failure = $Server.PowerShell.Streams.Error | Select-Object -First 1
        $Server.PowerShell.Dispose()
        if ($failure) { throw "The holding server failed: $failure" }
    }
}

function Get-FcTestHoldingConnection {
    # Invoke-FcFunction's connection parameters for a holding server (it checks no signature).
    param([Parameter(Mandatory)] $Server)
    @{ Endpoint = $Server.Endpoint; AccountId = '1234567890'; Credential = [pscredential]::new('LTAIholding', (ConvertTo-SecureString 'not-checked' -AsPlainText -Force)) }
}

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
